import { describe, expect, it } from 'vitest';
import {
  daysOfSupply,
  demandStats,
  inverseNormal,
  orderableRefusal,
  orderStep,
  orderUpToLevel,
  suggestedQuantity,
} from '../../src/modules/inventory/order-up-to.ts';

/** The replenishment rule: service level to z, daily demand statistics, the order-up-to level and the quantity. */
describe('the service level as a standard normal quantile', () => {
  it('gives the textbook z values', () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.8413447460685429)).toBeCloseTo(1, 7);
    expect(inverseNormal(0.9)).toBeCloseTo(1.2815515655, 7);
    expect(inverseNormal(0.95)).toBeCloseTo(1.644853627, 7);
    expect(inverseNormal(0.975)).toBeCloseTo(1.9599639845, 7);
    expect(inverseNormal(0.99)).toBeCloseTo(2.326347874, 7);
    expect(inverseNormal(0.999)).toBeCloseTo(3.0902323062, 6);
    // the lower tail is the mirror of the upper
    expect(inverseNormal(0.01)).toBeCloseTo(-2.326347874, 7);
  });

  it('grows with the service level, and refuses probabilities outside (0, 1)', () => {
    const levels = [0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99];
    const z = levels.map(inverseNormal);
    expect(z).toEqual([...z].sort((a, b) => a - b));
    expect(() => inverseNormal(1)).toThrow(RangeError);
    expect(() => inverseNormal(0)).toThrow(RangeError);
    expect(() => inverseNormal(Number.NaN)).toThrow(RangeError);
  });
});

describe('daily demand over the window', () => {
  it('counts days without sales as zero days', () => {
    // 7 days: 10, 0, 4, 0, 0, 6, 8 -> total 28, sum of squares 100 + 16 + 36 + 64 = 216
    const s = demandStats(28, 216, 7);
    expect(s.mean).toBe(4);
    // sample variance: (216 - 28²/7) / 6 = (216 - 112) / 6
    expect(s.sigma).toBeCloseTo(Math.sqrt(104 / 6), 12);
  });

  it('has no spread when every day sold the same, or for a one-day window', () => {
    expect(demandStats(70, 700, 7)).toEqual({ mean: 10, sigma: 0 });
    expect(demandStats(5, 25, 1)).toEqual({ mean: 5, sigma: 0 });
    expect(() => demandStats(5, 25, 0)).toThrow(RangeError);
  });
});

describe('the order-up-to level and the suggested quantity', () => {
  it('covers lead time plus review period, with safety stock for the spread', () => {
    // d = 4, σ = 2, L = 2, R = 7, z = 1.645: 4·9 + 1.645·2·3 = 36 + 9.87
    expect(orderUpToLevel({ mean: 4, sigma: 2, leadTimeDays: 2, reviewDays: 7, z: 1.645 })).toBeCloseTo(45.87, 10);
    expect(orderUpToLevel({ mean: 4, sigma: 0, leadTimeDays: 1, reviewDays: 7, z: 3 })).toBe(32);
  });

  it('tops the inventory position up to S, rounded up to the minimum and whole cases', () => {
    const level = 45.87;
    expect(suggestedQuantity({ level, onHand: 10, inTransit: 5, onOrder: 0 })).toBe(31);
    expect(suggestedQuantity({ level, onHand: 10, inTransit: 5, onOrder: 0, multipleOf: 12 })).toBe(36);
    expect(suggestedQuantity({ level, onHand: 40, inTransit: 0, onOrder: 0, minQty: 24, multipleOf: 12 })).toBe(24);
    expect(suggestedQuantity({ level, onHand: 40, inTransit: 0, onOrder: 0, minQty: 30, multipleOf: 12 })).toBe(36);
    expect(suggestedQuantity({ level, onHand: 20, inTransit: 20, onOrder: 6, multipleOf: 12 })).toBe(0);
    expect(suggestedQuantity({ level: 12.000000000001, onHand: 0, inTransit: 0, onOrder: 0 })).toBe(12);
    expect(suggestedQuantity({ level: 0, onHand: 0, inTransit: 0, onOrder: 0, minQty: 6 })).toBe(0);
  });

  it('takes a chosen quantity as the suggestion is rounded: 0, or at least the minimum in whole cases and multiples of the rule', () => {
    // cases of 12 and a rule of multiples of 8: steps of 24
    expect(orderStep({ caseSize: 12, multipleOf: 8 })).toBe(24);
    expect(orderStep({ caseSize: 24 })).toBe(24);
    expect(orderStep({})).toBe(1);
    const rule = { minQty: 48, multipleOf: 8, caseSize: 12 };
    expect(orderableRefusal(0, rule)).toBeNull();
    expect(orderableRefusal(72, rule)).toBeNull();
    expect(orderableRefusal(24, rule)).toEqual({ reason: 'below_minimum', min: 48 });
    // five whole cases, not a multiple of 8
    expect(orderableRefusal(60, rule)).toEqual({ reason: 'not_whole_step', step: 24 });
    expect(orderableRefusal(100, { caseSize: 24 })).toEqual({ reason: 'not_whole_step', step: 24 });
    expect(orderableRefusal(7, {})).toBeNull();
    // what the suggestion rounds to is always taken
    for (const level of [1, 30, 47.5, 100])
      expect(orderableRefusal(suggestedQuantity({ level, onHand: 0, inTransit: 0, onOrder: 0, ...rule }), rule)).toBeNull();
  });

  it('says how many days the stock lasts, and nothing when nothing sold', () => {
    expect(daysOfSupply(30, 4)).toBe(7.5);
    expect(daysOfSupply(30, 0)).toBeNull();
  });
});
