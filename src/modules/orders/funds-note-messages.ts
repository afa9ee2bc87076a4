/** The funds notes' messages (funds-notes.ts), on their own so that http/messages.ts can hold them without a cycle. */
export const FUNDS_NOTE_MESSAGES = {
  'funds.note.return': { 'zh-CN': '退货 {returnNo}', en: 'Return {returnNo}' },
  'funds.note.difference': { 'zh-CN': '收货差异 #{difference}（{kind}）', en: 'Receipt difference #{difference} ({kind})' },
  'funds.note.channel_program': {
    'zh-CN': '渠道激励 #{program}（{kind}）：{epc:unit}',
    en: 'Channel program #{program} ({kind}): {epc:unit}',
  },
  'funds.note.weekly_payment': { 'zh-CN': '周结货款', en: 'Weekly payment' },
} as const;
