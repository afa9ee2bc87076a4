import { describe, expect, it } from 'vitest';
import { snapshotAfter } from '../../src/modules/consumers/rfm/online-retail.ts';
import {
  CHINA_UTC_OFFSET_MS,
  columnsOf,
  type Member,
  reportFromColumns,
  scoredPopulation,
  scoreMembers,
} from '../../src/modules/consumers/rfm/segment-report.ts';

describe("the product's snapshot, on Chinese business days", () => {
  it('is midnight Asia/Shanghai two days after the business day of the last purchase', () => {
    // 2026-11-30 23:30 in Shanghai is 15:30 UTC: still the 30th there, so the snapshot is 2 December 00:00 Shanghai
    expect(new Date(snapshotAfter(Date.parse('2026-11-30T15:30:00Z'), CHINA_UTC_OFFSET_MS)).toISOString()).toBe('2026-12-01T16:00:00.000Z');
    // 00:30 on 1 December in Shanghai (16:30 UTC on the 30th) is the next business day
    expect(new Date(snapshotAfter(Date.parse('2026-11-30T16:30:00Z'), CHINA_UTC_OFFSET_MS)).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    // a file's zone-less times: UTC days
    expect(new Date(snapshotAfter(Date.parse('2010-12-09T20:01:00Z'))).toISOString()).toBe('2010-12-11T00:00:00.000Z');
  });
});

describe('the segment report', () => {
  const member = (key: string, at: string, frequency: number, monetary: number) => ({ key, lastAt: new Date(at), frequency, monetary });
  const members = [
    member('a', '2026-11-30T10:00:00+08:00', 3, 35_000),
    member('b', '2026-10-15T10:00:00+08:00', 1, 3_000),
    member('c', '2026-11-28T10:00:00+08:00', 2, 10_000),
  ];
  const scored = scoreMembers(members);
  const report = (m: Member[], page: Parameters<typeof reportFromColumns>[2]) => reportFromColumns(m, scoredPopulation(columnsOf(m)), page);

  it('counts recency in whole days to the snapshot and scores as the recipe', () => {
    expect(scored.rows.map((r) => [r.key, r.recency, r.rScore, r.fScore, r.mScore, r.segment])).toEqual([
      ['a', 1, 5, 5, 5, 'champions'],
      ['b', 47, 1, 1, 1, 'hibernating'],
      ['c', 3, 3, 3, 3, 'need_attention'],
    ]);
  });

  it('sizes every segment (zero included), fills the 25-cell grid, and pages the rows of one segment', () => {
    const r = report(members, { limit: 10, offset: 0 });
    // the page's rows are the scored rows themselves
    expect(r.rows).toEqual(scored.rows);
    expect(r.population).toBe(3);
    expect(r.segments).toHaveLength(10);
    expect(r.segments.find((s) => s.segment === 'champions')).toEqual({ segment: 'champions', members: 1, monetary: 35_000 });
    expect(r.segments.find((s) => s.segment === 'at_risk')).toEqual({ segment: 'at_risk', members: 0, monetary: 0 });
    expect(r.grid).toHaveLength(25);
    expect(r.grid.filter((c) => c.members > 0)).toEqual([
      { r: 1, f: 1, members: 1 },
      { r: 3, f: 3, members: 1 },
      { r: 5, f: 5, members: 1 },
    ]);
    const one = report(members, { segment: 'hibernating', limit: 10, offset: 0 });
    expect([one.total, one.rows.map((x) => x.key)]).toEqual([1, ['b']]);
    expect(report(members, { limit: 1, offset: 1 }).rows.map((x) => x.key)).toEqual(['b']);
  });

  it('scores ties in recency on the rank instead of refusing, and says so', () => {
    const same = scoreMembers([member('x', '2026-11-30T10:00:00+08:00', 1, 10), member('y', '2026-11-30T11:00:00+08:00', 2, 20)]);
    expect(same.rankedInstead).toEqual(['recency']);
    expect(same.rows.map((r) => r.rScore)).toEqual([5, 1]);
    expect(report([], { limit: 10, offset: 0 })).toMatchObject({ snapshot: null, population: 0, total: 0, rows: [] });
  });
});
