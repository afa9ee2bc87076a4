/** What a consumer reads about each campaign's answer to a claim, in zh-CN and en. */
import type { ClaimResult } from './claim.ts';

export type ClaimLocale = 'zh-CN' | 'en';

const yuan = (fen: number) => (fen / 100).toFixed(2);

const REASONS = {
  time: { 'zh-CN': '不在活动时间内', en: 'outside the campaign’s dates' },
  sku: { 'zh-CN': '该商品不参与此活动', en: 'this product is not part of the campaign' },
  region: { 'zh-CN': '该商品的销售地区不参与此活动', en: 'this product’s sales region is not part of the campaign' },
  first_scan: { 'zh-CN': '仅限首次扫码者参与', en: 'only the first person to scan the code may take part' },
  new_member: { 'zh-CN': '仅限新会员参与', en: 'only new members may take part' },
} as const;

/** A campaign's answer on its own line, after the campaign's name: a full-width colon in Chinese, ": " in English. */
export function campaignLine(campaignName: string, message: string, l: ClaimLocale): string {
  return `${campaignName}${l === 'zh-CN' ? '：' : ': '}${message}`;
}

export function claimMessage(r: ClaimResult, l: ClaimLocale): string {
  const zh = l === 'zh-CN';
  const again = r.repeated ? (zh ? '（已领取过）' : ' (claimed before)') : '';
  switch (r.outcome) {
    case 'won': {
      const w = r.reward;
      if (w.kind === 'points') return zh ? `恭喜获得 ${w.points} 积分${again}` : `You won ${w.points} points${again}`;
      if (w.kind === 'one_more') {
        return zh
          ? `恭喜中奖：再来一瓶！凭此码到任一参与活动的门店兑换${again}`
          : `You won one more! Take this code to any participating store to get it${again}`;
      }
      if (w.kind === 'red_packet') {
        return zh
          ? `恭喜抽中${w.tierName ? `「${w.tierName}」` : ''}红包 ¥${yuan(w.amountFen ?? 0)}${again}`
          : `You won a red packet${w.tierName ? ` (${w.tierName})` : ''} of ¥${yuan(w.amountFen ?? 0)}${again}`;
      }
      return zh
        ? `恭喜获得优惠券${w.couponTitle ? `「${w.couponTitle}」` : ''}，券码 ${w.couponCode}${again}`
        : `You won a coupon${w.couponTitle ? ` (${w.couponTitle})` : ''}: code ${w.couponCode}${again}`;
    }
    case 'no_prize':
      return zh ? `很遗憾，未中奖${again}` : `No prize this time${again}`;
    case 'claimed_by_other':
      return zh ? '此码已被他人领取' : 'This code was already claimed by someone else';
    case 'not_eligible':
      return zh ? `不符合参与条件：${REASONS[r.reason][l]}` : `Not eligible: ${REASONS[r.reason][l]}`;
    case 'cap_reached':
      return r.cap === 'daily'
        ? zh
          ? '您今天的参与次数已达上限，请明天再来'
          : 'You have reached today’s limit; come back tomorrow'
        : zh
          ? '您的参与次数已达上限'
          : 'You have reached the limit for this campaign';
    case 'budget_exhausted':
      return zh ? '奖品已发完' : 'All prizes have been given out';
    default: {
      const never: never = r;
      return never;
    }
  }
}

export function noCampaignMessage(l: ClaimLocale): string {
  return l === 'zh-CN' ? '验证成功：正品。该商品当前没有进行中的活动。' : 'Verified: genuine. No campaign is running for this product now.';
}
