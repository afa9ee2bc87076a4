/**
 * The notes the server writes on the money it moves (a return's refund, a difference's credit, a program's rebate, the
 * demo history's weekly payment), kept as a message key and its parameters (`funds_transactions.memo` and
 * `memo_params`, migration 0044) and read in each reader's language. Before, they were written as English text
 * ("return R12", "channel program 5: sellout_rebate urn:...") that a zh-CN reader of the funds ledger read as is.
 * A note a person typed (a deposit's memo) has no parameters and is shown as typed.
 */
import { type Locale, message } from '../../http/messages.ts';
import { FUNDS_NOTE_MESSAGES } from './funds-note-messages.ts';

export interface FundsNote {
  key: keyof typeof FUNDS_NOTE_MESSAGES;
  params: Record<string, string | number>;
}

/** The words of the parameters that are kinds: a receipt difference's and a channel program's, as the console names them. */
const KIND_WORDS: Record<string, Record<Locale, string>> = {
  short: { 'zh-CN': '短少', en: 'short' },
  over: { 'zh-CN': '多发', en: 'over' },
  damaged: { 'zh-CN': '破损', en: 'damaged' },
  clerk_sell: { 'zh-CN': '店员扫码奖励', en: 'clerk sell-scan bonus' },
  distributor_rebate: { 'zh-CN': '经销商扫码返利', en: 'distributor scan rebate' },
  sellout_rebate: { 'zh-CN': '动销返利', en: 'sell-out rebate' },
  open_case: { 'zh-CN': '开箱有礼', en: 'open-case reward' },
  one_more: { 'zh-CN': '再来一瓶兑付', en: 'one-more reimbursement' },
};

export const returnNote = (returnNo: string): FundsNote => ({ key: 'funds.note.return', params: { returnNo } });
export const differenceNote = (difference: number, kind: string): FundsNote => ({
  key: 'funds.note.difference',
  params: { difference, kind },
});
export const channelProgramNote = (program: number, kind: string, epc: string): FundsNote => ({
  key: 'funds.note.channel_program',
  params: { program, kind, epc },
});
export const weeklyPaymentNote = (): FundsNote => ({ key: 'funds.note.weekly_payment', params: {} });

/** A transaction's note as the reader reads it: a server's note in the reader's language, a person's as they typed it. */
export function fundsNoteText(memo: string | null, params: Record<string, unknown> | null, locale: Locale): string | null {
  if (memo === null || params === null || !(memo in FUNDS_NOTE_MESSAGES)) return memo;
  const kind = typeof params.kind === 'string' ? (KIND_WORDS[params.kind]?.[locale] ?? params.kind) : undefined;
  return message(memo, locale, kind === undefined ? params : { ...params, kind });
}
