import { describe, expect, it } from 'vitest';
import { DuplicateEdgesError, SEGMENTS, scoreRfm, segmentOf } from '../../src/modules/consumers/rfm/index.ts';

describe('the segment table (R rows 5 to 1, F columns 1 to 5)', () => {
  it('maps each of the 25 cells as the recipe says', () => {
    const grid = [5, 4, 3, 2, 1].map((r) => [1, 2, 3, 4, 5].map((f) => segmentOf(r, f)));
    expect(grid).toEqual([
      ['new_customers', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'],
      ['promising', 'potential_loyalists', 'potential_loyalists', 'loyal_customers', 'loyal_customers'],
      ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal_customers', 'loyal_customers'],
      ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose'],
      ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose'],
    ]);
    expect(new Set(grid.flat())).toEqual(new Set(SEGMENTS));
  });

  it('refuses scores outside 1-5', () => {
    expect(() => segmentOf(0, 3)).toThrow(RangeError);
    expect(() => segmentOf(3, 6)).toThrow(RangeError);
    expect(() => segmentOf(2.5, 3)).toThrow(RangeError);
  });
});

describe('scores by quintiles', () => {
  const row = (id: string, recency: number, frequency: number, monetary: number) => ({ id, recency, frequency, monetary });

  it('scores recency 5 for the most recent, frequency and monetary 5 for the most', () => {
    const r = scoreRfm([row('a', 1, 1, 10), row('b', 2, 2, 20), row('c', 3, 3, 30), row('d', 4, 4, 40), row('e', 5, 5, 50)]);
    expect(r.rows.map((x) => [x.id, x.rScore, x.fScore, x.mScore, x.segment])).toEqual([
      ['a', 5, 1, 1, 'new_customers'],
      ['b', 4, 2, 2, 'potential_loyalists'],
      ['c', 3, 3, 3, 'need_attention'],
      ['d', 2, 4, 4, 'at_risk'],
      ['e', 1, 5, 5, 'cant_lose'],
    ]);
    expect(r.rankedInstead).toEqual([]);
  });

  it('ranks frequency first: equal frequencies get different scores, by their order in the rows', () => {
    // recency 1..10 and monetary 1..10 have unique edges; frequency is 1 for all ten
    const rows = Array.from({ length: 10 }, (_, i) => row(`c${i}`, i + 1, 1, i + 1));
    const r = scoreRfm(rows);
    expect(r.rows.map((x) => x.fScore)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(r.rows.map((x) => x.rScore)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    // reversing the rows reverses which tied customer gets the higher frequency score
    const back = scoreRfm([...rows].reverse());
    expect(back.rows.find((x) => x.id === 'c0')?.fScore).toBe(5);
  });

  it('refuses repeated recency edges as pandas.qcut does, or scores that variable on its rank when asked', () => {
    const rows = [row('a', 3, 1, 10), row('b', 3, 2, 20), row('c', 3, 3, 30)];
    expect(() => scoreRfm(rows)).toThrow(DuplicateEdgesError);
    const r = scoreRfm(rows, 'rank-first');
    expect(r.rankedInstead).toEqual(['recency']);
    // ranks 1, 2, 3: the first row in order is the "most recent"
    expect(r.rows.map((x) => x.rScore)).toEqual([5, 3, 1]);
    expect(r.rows.map((x) => x.mScore)).toEqual([1, 3, 5]);
  });

  it('leaves a population of one unscored and scores nobody in an empty one', () => {
    expect(scoreRfm([row('a', 3, 1, 10)]).rows).toEqual([
      { ...row('a', 3, 1, 10), rScore: null, fScore: null, mScore: null, segment: null },
    ]);
    expect(scoreRfm([]).rows).toEqual([]);
  });
});
