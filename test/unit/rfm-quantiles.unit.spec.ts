import { describe, expect, it } from 'vitest';
import {
  cut,
  DuplicateEdgesError,
  qcut,
  qcutEdges,
  quantileFractions,
  quantileSorted,
  rankFirst,
} from '../../src/modules/consumers/rfm/quantiles.ts';

/**
 * Quantile binning as pandas.qcut: edges = numpy percentile (linear) at np.linspace(0, 1, 6); bins closed on the right
 * with the lowest edge included. The expected edges below are numpy's own output for the same arrays, to the last bit.
 */
describe('quintile edges as numpy computes them', () => {
  it('takes the fractions of np.linspace(0, 1, 6), 0.6 with its float error', () => {
    expect(quantileFractions(5)).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
  });

  it('interpolates linearly between the two values around (n - 1) p', () => {
    expect(qcutEdges([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)).toEqual([1, 2.8, 4.6, 6.4, 8.2, 10]);
    expect(qcutEdges([3, 8], 5)).toEqual([3, 4, 5, 6, 7, 8]);
    // numpy: [0.1, 0.22000000000000003, 0.46000000000000013, 0.9400000000000003, 1.2600000000000002, 2.9]
    expect(qcutEdges([1.3, 0.1, 2.9, 0.3, 0.7, 1.1, 0.2], 5)).toEqual([
      0.1, 0.22000000000000003, 0.46000000000000013, 0.9400000000000003, 1.2600000000000002, 2.9,
    ]);
    // (6 - 1) x 0.6000000000000001 is just above 3: the edge is a hair above 30, as numpy's
    expect(qcutEdges([0, 10, 20, 30, 40, 50], 5)).toEqual([0, 10, 20, 30.000000000000004, 40, 50]);
  });

  it('gives the minimum and the maximum exactly as the outer edges, in any input order', () => {
    const values = [17.35, 0.42, 99.99, 3.3, 42, 0.42, 8.15];
    const e = qcutEdges(values, 5);
    expect(e[0]).toBe(0.42);
    expect(e[5]).toBe(99.99);
    expect(quantileSorted([5], 0.5)).toBe(5);
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
  });
});

describe('binning: closed on the right, the lowest edge included', () => {
  it('puts two values in each quintile of ten distinct values', () => {
    expect(qcut([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5).bins).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('counts a value equal to an edge in the bin below it, and the minimum in the first bin', () => {
    // edges 0, 10, 20, 30.000000000000004, 40, 50: 10 is in (0, 10], 0 joins it because the lowest edge is included
    expect(qcut([0, 10, 20, 30, 40, 50], 5).bins).toEqual([0, 0, 1, 2, 3, 4]);
    expect(cut([0, 5, 10, 10.5, 20, 20.5, -1], [0, 10, 20])).toEqual([0, 0, 0, 1, 1, null, null]);
  });

  it('keeps the input order of the values', () => {
    expect(qcut([10, 1, 6, 3, 8, 2, 9, 4, 7, 5], 5).bins).toEqual([4, 0, 2, 1, 3, 0, 4, 1, 3, 2]);
  });

  it('gives equal values the same bin', () => {
    const { bins } = qcut([5, 1, 5, 2, 3, 4, 5, 6, 7, 8], 5);
    expect(new Set([bins[0], bins[2], bins[6]]).size).toBe(1);
  });
});

describe('repeated edges, as pandas.qcut', () => {
  const manyOnes = [1, 1, 1, 1, 1, 2, 3, 4, 5, 6];

  it("refuses them by default (duplicates='raise'), naming the edges", () => {
    expect(() => qcut(manyOnes, 5)).toThrow(DuplicateEdgesError);
    try {
      qcut(manyOnes, 5);
    } catch (e) {
      expect((e as DuplicateEdgesError).edges).toEqual([1, 1, 1, 2.4000000000000004, 4.2, 6]);
    }
  });

  it("drops them with duplicates='drop': fewer bins", () => {
    const r = qcut(manyOnes, 5, 'drop');
    expect(r.edges).toEqual([1, 2.4000000000000004, 4.2, 6]);
    expect(r.bins).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 2, 2]);
  });

  it('lets a single bin through even when its two edges are equal (pandas checks len(bins) != 2)', () => {
    expect(qcut([3, 3, 3], 1)).toEqual({ edges: [3, 3], bins: [0, 0, 0] });
  });

  it('refuses one value (every edge is that value) and returns nothing for no values', () => {
    expect(() => qcut([7], 5)).toThrow(DuplicateEdgesError);
    expect(qcut([], 5)).toEqual({ edges: [], bins: [] });
  });

  it('never sees repeated edges on ranks from two values up', () => {
    expect(qcut(rankFirst([4, 4]), 5).bins).toEqual([0, 4]);
    expect(qcut(rankFirst([9, 9, 9]), 5).bins).toEqual([0, 2, 4]);
  });
});

describe("rank(method='first')", () => {
  it('ranks by value, ties in the order they appear', () => {
    expect(rankFirst([3, 1, 3, 2, 1])).toEqual([4, 1, 5, 3, 2]);
    expect(rankFirst([2, 2, 2, 2])).toEqual([1, 2, 3, 4]);
    expect(rankFirst([])).toEqual([]);
  });
});
