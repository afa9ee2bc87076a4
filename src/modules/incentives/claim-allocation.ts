/**
 * How one campaign answers a batch of claims (pure: no database). The claims of a batch are decided in arrival order
 * against the campaign's state as read under its locks, exactly as if each had run alone in its own transaction one
 * after the other:
 * 1. the per-person caps (a claim over a cap is refused and counts nothing);
 * 2. the prize: a lottery draw (made by the caller, server-side), a coupon of the pool, or the campaign's points;
 * 3. a drawn lottery tier given out already: "no prize", and the code's chance is used (the caps count it);
 * 4. the campaign's totals and the day's figures: a prize that would pass a limit is refused, and the claim then
 *    counts nothing at all (no cap, no tier, no coupon), as a rolled-back transaction would.
 * The caller writes what this returns: the new counters, and each claim's answer.
 */
import type { CampaignStatus } from './definition.ts';

export interface RewardGiven {
  kind: 'points' | 'red_packet' | 'coupon' | 'one_more';
  points?: number;
  amountFen?: number;
  couponCode?: string;
  couponTitle?: string;
  tierName?: string;
}

export interface TierState {
  tier: number;
  name: string;
  amountFen: number;
  oneMore: boolean;
  awarded: number;
  prizeCount: number;
}

export interface CampaignState {
  rewardType: 'points' | 'lottery' | 'coupon';
  points: number;
  couponTitle: string | null;
  status: CampaignStatus;
  spentFen: number;
  prizesAwarded: number;
  budgetTotalFen: number | null;
  prizesTotal: number | null;
  budgetDailyFen: number | null;
  prizesDaily: number | null;
  /** the day's figures so far (business day, Asia/Shanghai) */
  daySpentFen: number;
  dayPrizes: number;
  perConsumerDaily: number | null;
  perConsumerTotal: number | null;
  /** the business day, YYYY-MM-DD */
  today: string;
  tiers: TierState[];
  /** the pool's coupons held for this batch, in the order they are given */
  coupons: string[];
}

export interface Participation {
  total: number;
  /** YYYY-MM-DD of the consumer's last counted claim */
  day: string;
  dayCount: number;
}

export interface Candidate {
  consumerId: number;
  /** a lottery's drawn tier (index into the tiers), or null for a draw without a tier; ignored by other types */
  drawnTier: number | null;
}

export type Decision =
  | { outcome: 'won'; reward: RewardGiven; amountFen: number; tier: number | null }
  | { outcome: 'no_prize' }
  | { outcome: 'cap_reached'; cap: 'daily' | 'total' }
  | { outcome: 'budget_exhausted' };

export interface Allocation {
  decisions: Decision[];
  /** the consumers' counters after the batch (only those that changed) */
  participants: Map<number, Participation>;
  /** prizes given per tier index in this batch */
  tierAwards: number[];
  spentFen: number;
  prizes: number;
  /** coupons given, in order: decisions with a coupon took couponsGiven[k] */
  couponsGiven: string[];
}

/** Decides each candidate in order (see the file's comment); `participants` holds the counters read for them. */
export function allocate(
  state: CampaignState,
  participants: ReadonlyMap<number, Participation>,
  candidates: readonly Candidate[],
): Allocation {
  const counters = new Map(participants);
  const changed = new Map<number, Participation>();
  const tierAwards = state.tiers.map(() => 0);
  let spentFen = 0;
  let prizes = 0;
  const couponsGiven: string[] = [];
  const decisions = candidates.map((c): Decision => {
    // 1. the per-person caps
    const p = counters.get(c.consumerId) ?? { total: 0, day: state.today, dayCount: 0 };
    const capTotal = state.perConsumerTotal;
    const capDay = state.perConsumerDaily;
    const sameDay = p.day === state.today;
    if ((capTotal !== null && p.total >= capTotal) || (capDay !== null && sameDay && p.dayCount >= capDay)) {
      return { outcome: 'cap_reached', cap: capTotal !== null && p.total >= capTotal ? 'total' : 'daily' };
    }
    const counted: Participation = { total: p.total + 1, day: state.today, dayCount: sameDay ? p.dayCount + 1 : 1 };
    const count = () => {
      counters.set(c.consumerId, counted);
      changed.set(c.consumerId, counted);
    };
    // 2. and 3. the prize
    let reward: RewardGiven;
    let amountFen = 0;
    let tier: number | null = null;
    if (state.rewardType === 'lottery') {
      const t = c.drawnTier === null ? undefined : state.tiers[c.drawnTier];
      if (!t || t.awarded + (tierAwards[c.drawnTier as number] as number) >= t.prizeCount) {
        count();
        return { outcome: 'no_prize' };
      }
      tier = c.drawnTier;
      amountFen = t.amountFen;
      reward = { kind: t.oneMore ? 'one_more' : 'red_packet', amountFen, tierName: t.name };
    } else if (state.rewardType === 'coupon') {
      const code = state.coupons[couponsGiven.length];
      if (code === undefined) return { outcome: 'budget_exhausted' };
      reward = { kind: 'coupon', couponCode: code, couponTitle: state.couponTitle ?? undefined };
    } else {
      reward = { kind: 'points', points: state.points };
    }
    // 4. the campaign's totals and the day's figures
    if (state.status !== 'active') return { outcome: 'budget_exhausted' };
    if (state.budgetTotalFen !== null && state.spentFen + spentFen + amountFen > state.budgetTotalFen)
      return { outcome: 'budget_exhausted' };
    if (state.prizesTotal !== null && state.prizesAwarded + prizes + 1 > state.prizesTotal) return { outcome: 'budget_exhausted' };
    if (state.budgetDailyFen !== null && state.daySpentFen + spentFen + amountFen > state.budgetDailyFen)
      return { outcome: 'budget_exhausted' };
    if (state.prizesDaily !== null && state.dayPrizes + prizes + 1 > state.prizesDaily) return { outcome: 'budget_exhausted' };
    count();
    spentFen += amountFen;
    prizes += 1;
    if (tier !== null) tierAwards[tier] = (tierAwards[tier] as number) + 1;
    if (reward.couponCode !== undefined) couponsGiven.push(reward.couponCode);
    return { outcome: 'won', reward, amountFen, tier };
  });
  return { decisions, participants: changed, tierAwards, spentFen, prizes, couponsGiven };
}
