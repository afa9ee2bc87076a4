import { describe, expect, it } from 'vitest';
import { allocate, type CampaignState, type Participation } from '../../src/modules/incentives/claim-allocation.ts';

/**
 * A batch of claims is decided in arrival order as if each ran alone in its own transaction: a refused claim counts
 * nothing, a limit is never passed, and a drawn tier given out is "no prize" that still uses the code's chance.
 */
const TODAY = '2026-12-03';
const state = (more: Partial<CampaignState> = {}): CampaignState => ({
  rewardType: 'points',
  points: 10,
  couponTitle: null,
  status: 'active',
  spentFen: 0,
  prizesAwarded: 0,
  budgetTotalFen: null,
  prizesTotal: null,
  budgetDailyFen: null,
  prizesDaily: null,
  daySpentFen: 0,
  dayPrizes: 0,
  perConsumerDaily: null,
  perConsumerTotal: null,
  today: TODAY,
  tiers: [],
  coupons: [],
  ...more,
});
const claims = (...consumers: number[]) => consumers.map((consumerId) => ({ consumerId, drawnTier: null }));

describe('deciding a batch of claims', () => {
  it('gives prizes up to the total count and refuses the rest, counting only what was given', () => {
    const a = allocate(state({ prizesTotal: 5, prizesAwarded: 3 }), new Map(), claims(1, 2, 3, 4));
    expect(a.decisions.map((d) => d.outcome)).toEqual(['won', 'won', 'budget_exhausted', 'budget_exhausted']);
    expect(a.prizes).toBe(2);
    expect([...a.participants.keys()]).toEqual([1, 2]);
  });

  it('keeps a money budget and a daily budget in fen', () => {
    const tiers = [{ tier: 0, name: '红包', amountFen: 100, oneMore: false, awarded: 0, prizeCount: 100 }];
    const draws = [1, 2, 3, 4].map((consumerId) => ({ consumerId, drawnTier: 0 }));
    const total = allocate(state({ rewardType: 'lottery', tiers, budgetTotalFen: 350, spentFen: 100 }), new Map(), draws);
    expect(total.decisions.map((d) => d.outcome)).toEqual(['won', 'won', 'budget_exhausted', 'budget_exhausted']);
    expect(total.spentFen).toBe(200);
    const daily = allocate(state({ rewardType: 'lottery', tiers, budgetDailyFen: 250, daySpentFen: 100 }), new Map(), draws);
    expect(daily.decisions.map((d) => d.outcome)).toEqual(['won', 'budget_exhausted', 'budget_exhausted', 'budget_exhausted']);
    expect(daily.tierAwards).toEqual([1]);
  });

  it('caps a consumer per day and in total, counting claims of the same batch, and a new day starts the daily count again', () => {
    const before = new Map<number, Participation>([[7, { total: 1, day: '2026-12-02', dayCount: 1 }]]);
    const a = allocate(state({ perConsumerDaily: 1, perConsumerTotal: 3 }), before, claims(7, 7, 8, 7));
    expect(a.decisions.map((d) => d.outcome)).toEqual(['won', 'cap_reached', 'won', 'cap_reached']);
    expect(a.decisions[1]).toEqual({ outcome: 'cap_reached', cap: 'daily' });
    expect(a.participants.get(7)).toEqual({ total: 2, day: TODAY, dayCount: 1 });
    const total = allocate(state({ perConsumerTotal: 2 }), before, claims(7, 7));
    expect(total.decisions[1]).toEqual({ outcome: 'cap_reached', cap: 'total' });
  });

  it('answers a draw of a tier given out with "no prize", which counts towards the caps but not the budget', () => {
    const tiers = [{ tier: 0, name: '一等奖', amountFen: 888, oneMore: false, awarded: 1, prizeCount: 2 }];
    const a = allocate(
      state({ rewardType: 'lottery', tiers, perConsumerTotal: 5 }),
      new Map(),
      [1, 2, 3].map((consumerId) => ({ consumerId, drawnTier: 0 })),
    );
    expect(a.decisions.map((d) => d.outcome)).toEqual(['won', 'no_prize', 'no_prize']);
    expect(a.decisions[0]).toMatchObject({ reward: { kind: 'red_packet', amountFen: 888, tierName: '一等奖' } });
    expect(a.spentFen).toBe(888);
    expect(a.participants.size).toBe(3);
  });

  it('gives a refused claim’s coupon to the next claim, and none once the pool is empty', () => {
    const a = allocate(
      state({ rewardType: 'coupon', coupons: ['A', 'B'], perConsumerTotal: 1 }),
      new Map([[1, { total: 1, day: TODAY, dayCount: 1 }]]),
      claims(1, 2, 3, 4),
    );
    expect(a.decisions.map((d) => d.outcome)).toEqual(['cap_reached', 'won', 'won', 'budget_exhausted']);
    expect(a.couponsGiven).toEqual(['A', 'B']);
  });

  it('refuses every claim once the campaign is no longer active under its lock', () => {
    const a = allocate(state({ status: 'paused' }), new Map(), claims(1, 2));
    expect(a.decisions.map((d) => d.outcome)).toEqual(['budget_exhausted', 'budget_exhausted']);
    expect(a.participants.size).toBe(0);
  });
});
