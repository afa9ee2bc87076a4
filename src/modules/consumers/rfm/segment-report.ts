/**
 * What the product shows of a scored population: the size and value of each segment, the R x F grid, and a page of
 * the rows (filtered by segment). Pure: the store and consumer readers bring the rows.
 */
import { DAY_MS, snapshotAfter } from './online-retail.ts';
import { type RfmScores, type ScoreColumns, scoreColumns } from './score.ts';
import { SEGMENTS, type Segment, segmentOf } from './segments.ts';

/** Business days in China: Asia/Shanghai, UTC+8 all year. */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

/** One member before scoring: its last purchase time, how often, how much. */
export interface Member {
  key: string;
  lastAt: Date;
  frequency: number;
  monetary: number;
}

export interface ScoredMember extends RfmScores {
  key: string;
  lastAt: string;
  recency: number;
  frequency: number;
  monetary: number;
}

export interface SegmentReport<T> {
  /** midnight (Asia/Shanghai) two days after the last purchase of the population; null for an empty one */
  snapshot: string | null;
  population: number;
  /** recency or monetary scored on their rank because their quintile edges repeated (few members, many ties) */
  rankedInstead: ('recency' | 'monetary')[];
  segments: { segment: Segment; members: number; monetary: number }[];
  /** members per (r, f) cell: 25 cells, r and f from 1 to 5 */
  grid: { r: number; f: number; members: number }[];
  total: number;
  rows: (ScoredMember & T)[];
}

/** The scores of a population as columns (index i is the i-th member in the canonical order). */
export interface PopulationScores {
  /** the recipe's snapshot (ms since the epoch); null for an empty population */
  snapshot: number | null;
  recency: Int32Array;
  /** null for a population of one (it has no quintiles) */
  scores: ScoreColumns | null;
}

/**
 * Scores a population given as columns in its canonical order (the order ties in frequency are ranked by), with the
 * recipe's snapshot at Chinese business days. Repeated edges are not refused here as in the CLI: a small channel has
 * many ties, so such a variable is scored on its rank, and the report says so.
 */
export function scorePopulation(lastAtMs: readonly number[], frequency: readonly number[], monetary: readonly number[]): PopulationScores {
  const n = lastAtMs.length;
  if (!n) return { snapshot: null, recency: new Int32Array(0), scores: null };
  let last = Number.NEGATIVE_INFINITY;
  for (const t of lastAtMs) last = Math.max(last, t);
  const snapshot = snapshotAfter(last, CHINA_UTC_OFFSET_MS);
  const recency = new Int32Array(n);
  for (let i = 0; i < n; i++) recency[i] = Math.floor((snapshot - (lastAtMs[i] as number)) / DAY_MS);
  const scores = n < 2 ? null : scoreColumns(Array.from(recency), frequency, monetary, 'rank-first');
  return { snapshot, recency, scores };
}

/** Scores members given in their canonical order (scorePopulation), as rows. */
export function scoreMembers<T extends Member>(
  members: readonly T[],
): { snapshot: number | null; rows: (ScoredMember & Omit<T, keyof Member>)[]; rankedInstead: ('recency' | 'monetary')[] } {
  const { snapshot, recency, scores } = scorePopulation(
    members.map((m) => m.lastAt.getTime()),
    members.map((m) => m.frequency),
    members.map((m) => m.monetary),
  );
  // each row built once, from the member and its scores; Object.assign, not a spread followed by more properties: at
  // 100,000 members the spread took ~1 s on Node 20, Object.assign ~0.15 s
  const rows = members.map((m, i) => {
    const rScore = scores ? (scores.rScore[i] as number) : null;
    const fScore = scores ? (scores.fScore[i] as number) : null;
    return Object.assign({}, m, {
      lastAt: m.lastAt.toISOString(),
      recency: recency[i] as number,
      rScore,
      fScore,
      mScore: scores ? (scores.mScore[i] as number) : null,
      segment: rScore !== null && fScore !== null ? segmentOf(rScore, fScore) : null,
    });
  });
  return { snapshot, rows: rows as (ScoredMember & Omit<T, keyof Member>)[], rankedInstead: scores?.rankedInstead ?? [] };
}

/** A population's scores as columns, as a thread sends them back (score-thread.ts) and the snapshot stores them. */
export interface ScoredPopulation {
  snapshot: number | null;
  recency: Int32Array;
  /** 1-5, or 0 where the population has no quintiles (a population of one) */
  rScore: Int8Array;
  fScore: Int8Array;
  mScore: Int8Array;
  /** index into SEGMENTS, or -1 for none */
  segment: Int8Array;
  rankedInstead: ('recency' | 'monetary')[];
}

/**
 * The report of a population scored as columns (score-thread.ts), the same as `report(scoreMembers(members), page)`
 * without a row object per member: only the page's rows are built (at 100,000 stores the rows were most of the
 * request's time on the server's thread).
 */
export function reportFromColumns<T extends Member>(
  members: readonly T[],
  scored: ScoredPopulation,
  page: { segment?: Segment; limit: number; offset: number },
): SegmentReport<Omit<T, keyof Member>> {
  const n = members.length;
  const sizes = SEGMENTS.map(() => ({ members: 0, monetary: 0 }));
  const grid = new Array<number>(25).fill(0);
  const wanted = page.segment === undefined ? -1 : SEGMENTS.indexOf(page.segment);
  const picked: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const seg = scored.segment[i] as number;
    if (seg >= 0) {
      const size = sizes[seg] as { members: number; monetary: number };
      size.members++;
      size.monetary += (members[i] as T).monetary;
      const cell = ((scored.rScore[i] as number) - 1) * 5 + (scored.fScore[i] as number) - 1;
      grid[cell] = (grid[cell] as number) + 1;
    }
    if (wanted >= 0 && seg !== wanted) continue;
    if (total >= page.offset && picked.length < page.limit) picked.push(i);
    total++;
  }
  const score = (v: number) => (v === 0 ? null : v);
  const rows = picked.map((i) => {
    const seg = scored.segment[i] as number;
    return Object.assign({}, members[i] as T, {
      lastAt: (members[i] as T).lastAt.toISOString(),
      recency: scored.recency[i] as number,
      rScore: score(scored.rScore[i] as number),
      fScore: score(scored.fScore[i] as number),
      mScore: score(scored.mScore[i] as number),
      segment: seg >= 0 ? (SEGMENTS[seg] as Segment) : null,
    });
  });
  return {
    snapshot: scored.snapshot === null ? null : new Date(scored.snapshot).toISOString(),
    population: n,
    rankedInstead: scored.rankedInstead,
    segments: SEGMENTS.map((segment, k) => ({ segment, ...(sizes[k] as { members: number; monetary: number }) })),
    grid: [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].map((f) => ({ r, f, members: grid[(r - 1) * 5 + f - 1] as number }))),
    total,
    rows: rows as unknown as (ScoredMember & Omit<T, keyof Member>)[],
  };
}
