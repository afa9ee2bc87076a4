/**
 * What the product shows of a scored population: the size and value of each segment, the R x F grid, and a page of
 * the rows (filtered by segment). Pure: the store and consumer readers bring the rows.
 */
import { DAY_MS, snapshotAfter } from './online-retail.ts';
import { type RfmScores, scoreColumns } from './score.ts';
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

/** A population's three figures as columns, in its canonical order. */
export interface PopulationColumns {
  /** each member's last purchase, ms since the epoch */
  lastAtMs: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

/** A population's scores as columns, as a thread sends them back (score-thread.ts) and the snapshot stores them. */
export interface ScoredPopulation {
  /** the recipe's snapshot (ms since the epoch); null for an empty population */
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

/** The columns of members given in their canonical order. */
export function columnsOf(members: readonly Member[]): PopulationColumns {
  const n = members.length;
  const c = { lastAtMs: new Float64Array(n), frequency: new Float64Array(n), monetary: new Float64Array(n) };
  members.forEach((m, i) => {
    c.lastAtMs[i] = m.lastAt.getTime();
    c.frequency[i] = m.frequency;
    c.monetary[i] = m.monetary;
  });
  return c;
}

/**
 * Scores a population given as columns in its canonical order (the order ties in frequency are ranked by), with the
 * recipe's snapshot at Chinese business days. Repeated edges are not refused here as in the CLI: a small channel has
 * many ties, so such a variable is scored on its rank, and the report says so.
 */
export function scoredPopulation(c: PopulationColumns): ScoredPopulation {
  const n = c.lastAtMs.length;
  const recency = new Int32Array(n);
  const segment = new Int8Array(n).fill(-1);
  if (!n)
    return {
      snapshot: null,
      recency,
      rScore: new Int8Array(0),
      fScore: new Int8Array(0),
      mScore: new Int8Array(0),
      segment,
      rankedInstead: [],
    };
  let last = Number.NEGATIVE_INFINITY;
  for (const t of c.lastAtMs) last = Math.max(last, t);
  const snapshot = snapshotAfter(last, CHINA_UTC_OFFSET_MS);
  for (let i = 0; i < n; i++) recency[i] = Math.floor((snapshot - (c.lastAtMs[i] as number)) / DAY_MS);
  // a population of one has no quintiles: left unscored
  if (n < 2)
    return { snapshot, recency, rScore: new Int8Array(n), fScore: new Int8Array(n), mScore: new Int8Array(n), segment, rankedInstead: [] };
  // plain arrays: the binning maps values to bins that may be null, which a typed array would turn into 0
  const scores = scoreColumns(Array.from(recency), Array.from(c.frequency), Array.from(c.monetary), 'rank-first');
  for (let i = 0; i < n; i++) segment[i] = SEGMENTS.indexOf(segmentOf(scores.rScore[i] as number, scores.fScore[i] as number));
  return { snapshot, recency, ...scores, segment };
}

/** The row of member i as the report shows it: the member, its recency, scores and segment. */
function scoredRow<T extends Member>(member: T, scored: ScoredPopulation, i: number) {
  const score = (v: number) => (v === 0 ? null : v);
  const seg = scored.segment[i] as number;
  // Object.assign, not a spread followed by more properties: at 100,000 members the spread took ~1 s on Node 20,
  // Object.assign ~0.15 s
  return Object.assign({}, member, {
    lastAt: member.lastAt.toISOString(),
    recency: scored.recency[i] as number,
    rScore: score(scored.rScore[i] as number),
    fScore: score(scored.fScore[i] as number),
    mScore: score(scored.mScore[i] as number),
    segment: seg >= 0 ? (SEGMENTS[seg] as Segment) : null,
  }) as ScoredMember & Omit<T, keyof Member>;
}

/** Scores members given in their canonical order (scoredPopulation), as rows. */
export function scoreMembers<T extends Member>(
  members: readonly T[],
): { snapshot: number | null; rows: (ScoredMember & Omit<T, keyof Member>)[]; rankedInstead: ('recency' | 'monetary')[] } {
  const scored = scoredPopulation(columnsOf(members));
  return { snapshot: scored.snapshot, rows: members.map((m, i) => scoredRow(m, scored, i)), rankedInstead: scored.rankedInstead };
}

/**
 * The report of a population scored as columns: segment sizes and values, the R x F grid, and one page of rows (the
 * rows scoreMembers would give), without a row object per member (at 100,000 stores building them all was most of the
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
  const rows = picked.map((i) => scoredRow(members[i] as T, scored, i));
  return {
    snapshot: scored.snapshot === null ? null : new Date(scored.snapshot).toISOString(),
    population: n,
    rankedInstead: scored.rankedInstead,
    segments: SEGMENTS.map((segment, k) => ({ segment, ...(sizes[k] as { members: number; monetary: number }) })),
    grid: [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].map((f) => ({ r, f, members: grid[(r - 1) * 5 + f - 1] as number }))),
    total,
    rows,
  };
}
