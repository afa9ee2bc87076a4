import { describe, expect, it } from 'vitest';
import { scoreInThread } from '../../src/modules/consumers/rfm/score-thread.ts';
import { scoredPopulation, scoreMembers } from '../../src/modules/consumers/rfm/segment-report.ts';
import { SEGMENTS } from '../../src/modules/consumers/rfm/segments.ts';

/** A population as the snapshot job reads it: three columns in the canonical order. */
function population(n: number, seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const lastAtMs = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lastAtMs[i] = Date.parse('2026-11-30T00:00:00Z') - Math.floor(next() * 365) * 86_400_000 - Math.floor(next() * 86_400_000);
    frequency[i] = 1 + Math.floor(next() ** 3 * 12);
    monetary[i] = Math.floor(next() * 50) * 1_250;
  }
  return { lastAtMs, frequency, monetary };
}

describe('scoring a snapshot’s population on a thread of its own', () => {
  it('gives every member the scores and segment the page’s rows have', async () => {
    const c = population(3_000, 7);
    const rows = scoreMembers(
      Array.from(c.lastAtMs, (t, i) => ({
        key: String(i),
        lastAt: new Date(t),
        frequency: c.frequency[i] as number,
        monetary: c.monetary[i] as number,
      })),
    );
    const scored = await scoreInThread(population(3_000, 7));
    expect(scored.snapshot).toBe(rows.snapshot);
    expect(scored.rankedInstead).toEqual(rows.rankedInstead);
    expect(
      Array.from(scored.recency, (recency, i) => [
        recency,
        scored.rScore[i],
        scored.fScore[i],
        scored.mScore[i],
        SEGMENTS[scored.segment[i] as number],
      ]),
    ).toEqual(rows.rows.map((r) => [r.recency, r.rScore, r.fScore, r.mScore, r.segment]));
  });

  it('scores many ties on their rank and says so, as the page does', async () => {
    const c = population(50, 3);
    c.monetary.fill(1_000);
    const scored = await scoreInThread(c);
    expect(scored.rankedInstead).toEqual(['monetary']);
    expect(new Set(scored.mScore)).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('leaves a population of one unscored, and an empty one without a snapshot', () => {
    const one = scoredPopulation({
      lastAtMs: Float64Array.of(Date.parse('2026-11-30T02:00:00Z')),
      frequency: Float64Array.of(2),
      monetary: Float64Array.of(500),
    });
    expect([one.snapshot, Array.from(one.recency), Array.from(one.rScore), Array.from(one.segment)]).toEqual([
      Date.parse('2026-12-01T16:00:00Z'),
      [1],
      [0],
      [-1],
    ]);
    const none = scoredPopulation({ lastAtMs: new Float64Array(0), frequency: new Float64Array(0), monetary: new Float64Array(0) });
    expect([none.snapshot, none.recency.length]).toEqual([null, 0]);
  });
});
