/**
 * A consumer scan campaign as staff define it, and the rules a definition must follow (pure: no database). The
 * request schema (routes.ts) bounds each field; these rules are the ones across fields, each refusal with the JSON
 * pointer of the field to fix.
 */
import type { FieldError } from '../../http/problem.ts';
import { divisionName } from '../parties/index.ts';

export type RewardType = 'points' | 'lottery' | 'coupon';
export type CampaignStatus = 'draft' | 'active' | 'paused' | 'ended';

export interface PrizeTierInput {
  name: string;
  amountFen: number;
  /** chance of this tier on one draw, in [0, 1]; the tiers' sum is at most 1 and the rest is "no prize" */
  probability: number;
  count: number;
  /** the prize is a free unit ("one more") redeemed at a participating store, worth amountFen */
  oneMore?: boolean;
}

export interface CampaignInput {
  name: string;
  startsAt: string;
  endsAt: string;
  reward: {
    type: RewardType;
    points?: number;
    tiers?: PrizeTierInput[];
    couponTitle?: string;
    /** the pool's codes as given by the brand, or */
    couponCodes?: string[];
    /** a pool of this many codes made by the server */
    couponCount?: number;
  };
  eligibility?: {
    gtins?: string[];
    regions?: string[];
    firstScanOnly?: boolean;
    newMembersOnly?: boolean;
  };
  limits?: {
    perConsumerDaily?: number | null;
    perConsumerTotal?: number | null;
    budgetTotalFen?: number | null;
    budgetDailyFen?: number | null;
    prizesTotal?: number | null;
    prizesDaily?: number | null;
  };
}

/** Probabilities are kept in millionths, so the sum is checked and drawn in integers. */
export const PPM = 1_000_000;
export const toPpm = (p: number): number => Math.round(p * PPM);

const REGION = /^\d{2}(\d{2}){0,2}$/;

/** The field errors of a definition (empty when it is valid). `knownGtins`: the brand's GTINs among those named. */
export function definitionErrors(c: CampaignInput, knownGtins: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  const add = (pointer: string, code: string, params: Record<string, unknown> = {}) => errors.push({ pointer, code, params });
  const starts = Date.parse(c.startsAt);
  const ends = Date.parse(c.endsAt);
  if (Number.isNaN(starts)) add('/body/startsAt', 'field.invalid', { reason: 'date-time' });
  if (Number.isNaN(ends)) add('/body/endsAt', 'field.invalid', { reason: 'date-time' });
  else if (!Number.isNaN(starts) && ends <= starts) add('/body/endsAt', 'campaign.ends_before_start');
  const r = c.reward;
  if (r.type === 'points') {
    if (r.points === undefined) add('/body/reward/points', 'field.required', { field: 'points' });
  } else if (r.type === 'lottery') {
    if (!r.tiers?.length) add('/body/reward/tiers', 'field.required', { field: 'tiers' });
    else {
      const sum = r.tiers.reduce((s, t) => s + toPpm(t.probability), 0);
      if (sum > PPM) add('/body/reward/tiers', 'campaign.probabilities_over_one', { sum: sum / PPM });
      r.tiers.forEach((t, i) => {
        if (toPpm(t.probability) === 0 && t.probability > 0) {
          add(`/body/reward/tiers/${i}/probability`, 'campaign.probability_too_small');
        }
      });
    }
  } else if (r.type === 'coupon') {
    if (!r.couponTitle) add('/body/reward/couponTitle', 'field.required', { field: 'couponTitle' });
    if (r.couponCodes === undefined && r.couponCount === undefined) {
      add('/body/reward/couponCodes', 'campaign.coupon_pool_required');
    } else if (r.couponCodes !== undefined && r.couponCount !== undefined) {
      add('/body/reward/couponCount', 'campaign.coupon_pool_twice');
    }
    const seen = new Set<string>();
    r.couponCodes?.forEach((code, i) => {
      if (seen.has(code)) add(`/body/reward/couponCodes/${i}`, 'campaign.coupon_duplicate', { value: code });
      seen.add(code);
    });
  }
  if (r.type !== 'points' && r.points !== undefined) add('/body/reward/points', 'campaign.field_not_for_reward', { type: r.type });
  if (r.type !== 'lottery' && r.tiers !== undefined) add('/body/reward/tiers', 'campaign.field_not_for_reward', { type: r.type });
  c.eligibility?.gtins?.forEach((g, i) => {
    if (!knownGtins.has(g)) add(`/body/eligibility/gtins/${i}`, 'campaign.unknown_gtin', { value: g });
  });
  c.eligibility?.regions?.forEach((code, i) => {
    if (!REGION.test(code) || !divisionName(code)) add(`/body/eligibility/regions/${i}`, 'division.unknown', { value: code });
  });
  const l = c.limits ?? {};
  if (l.budgetDailyFen != null && l.budgetTotalFen != null && l.budgetDailyFen > l.budgetTotalFen) {
    add('/body/limits/budgetDailyFen', 'campaign.daily_over_total');
  }
  if (l.prizesDaily != null && l.prizesTotal != null && l.prizesDaily > l.prizesTotal) {
    add('/body/limits/prizesDaily', 'campaign.daily_over_total');
  }
  if (l.perConsumerDaily != null && l.perConsumerTotal != null && l.perConsumerDaily > l.perConsumerTotal) {
    add('/body/limits/perConsumerDaily', 'campaign.daily_over_total');
  }
  if (r.type === 'lottery' && r.tiers?.length) {
    // a budget smaller than the smallest prize can never pay one: the campaign would run and award nothing
    const smallest = Math.min(...r.tiers.map((t) => t.amountFen));
    for (const key of ['budgetTotalFen', 'budgetDailyFen'] as const) {
      const budget = l[key];
      if (budget != null && budget < smallest) add(`/body/limits/${key}`, 'campaign.budget_below_prize', { prizeFen: smallest });
    }
  }
  if (r.type !== 'lottery') {
    // only red packets are money; points and coupons are limited by their count
    if (l.budgetTotalFen != null) add('/body/limits/budgetTotalFen', 'campaign.money_budget_needs_lottery');
    if (l.budgetDailyFen != null) add('/body/limits/budgetDailyFen', 'campaign.money_budget_needs_lottery');
  }
  return errors;
}

/** The status changes staff may make: a draft or a paused campaign starts, an active one pauses, any ends; ended is final. */
export function statusChangeAllowed(from: CampaignStatus, to: CampaignStatus): boolean {
  switch (to) {
    case 'active':
      return from === 'draft' || from === 'paused';
    case 'paused':
      return from === 'active';
    case 'ended':
      return from !== 'ended';
    case 'draft':
      return false;
    default: {
      const never: never = to;
      return never;
    }
  }
}

/** Draws a lottery tier for a uniform random number in [0, PPM): the tier whose band holds it, or null (no prize). */
export function tierFor(draw: number, tiersPpm: readonly number[]): number | null {
  let upTo = 0;
  for (let i = 0; i < tiersPpm.length; i++) {
    upTo += tiersPpm[i] as number;
    if (draw < upTo) return i;
  }
  return null;
}
