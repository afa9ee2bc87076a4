/**
 * Scoring by the common recipe, as the pandas original writes it:
 *   r_score = qcut(recency, 5, labels=[5, 4, 3, 2, 1])          the most recent get 5
 *   f_score = qcut(frequency.rank(method='first'), 5, labels=[1, 2, 3, 4, 5])
 *   m_score = qcut(monetary, 5, labels=[1, 2, 3, 4, 5])
 *   segment = the table of segments.ts on (r_score, f_score)
 * "Order of appearance" for frequency ties is the order of the rows given, which callers keep as the recipe's
 * groupby does: ascending customer key.
 */
import { DuplicateEdgesError, qcut, rankFirst } from './quantiles.ts';
import { type Segment, segmentOf } from './segments.ts';

export interface RfmValues {
  recency: number;
  frequency: number;
  monetary: number;
}

export interface RfmScores {
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  segment: Segment | null;
}

/**
 * What to do when a variable's quintile edges are not unique (many ties, few rows), where pandas.qcut raises:
 * 'raise' does the same (DuplicateEdgesError); 'rank-first' scores that variable on its rank(method='first') instead,
 * which always has unique edges from two rows on, and reports it in `rankedInstead`.
 */
export type OnDuplicateEdges = 'raise' | 'rank-first';

export interface ScoredRfm<T> {
  rows: (T & RfmScores)[];
  /** the variables scored on their rank because their own edges repeated */
  rankedInstead: ('recency' | 'monetary')[];
}

const QUINTILES = 5;

/** The scores of a population as columns (index i is the i-th member), for callers that build their rows once. */
export interface ScoreColumns {
  rScore: Int8Array;
  fScore: Int8Array;
  mScore: Int8Array;
  rankedInstead: ('recency' | 'monetary')[];
}

/**
 * Scores the columns of a population of two or more, in the order given (see scoreRfm). Columns rather than rows: at
 * 100,000 members, copying each row into a new object per step was most of the time (and of the garbage).
 */
export function scoreColumns(
  recency: readonly number[],
  frequency: readonly number[],
  monetary: readonly number[],
  onDuplicateEdges: OnDuplicateEdges = 'raise',
): ScoreColumns {
  const rankedInstead: ('recency' | 'monetary')[] = [];
  const bins = (name: 'recency' | 'monetary', values: readonly number[]) => {
    try {
      return qcut(values, QUINTILES).bins;
    } catch (e) {
      if (!(e instanceof DuplicateEdgesError) || onDuplicateEdges === 'raise') throw e;
      rankedInstead.push(name);
      return qcut(rankFirst(values), QUINTILES).bins;
    }
  };
  const r = bins('recency', recency);
  const f = qcut(rankFirst(frequency), QUINTILES).bins;
  const m = bins('monetary', monetary);
  const n = recency.length;
  const out = { rScore: new Int8Array(n), fScore: new Int8Array(n), mScore: new Int8Array(n), rankedInstead };
  for (let i = 0; i < n; i++) {
    // every value lies within its own edges: a null bin would be a bug
    out.rScore[i] = QUINTILES - r[i]!;
    out.fScore[i] = f[i]! + 1;
    out.mScore[i] = m[i]! + 1;
  }
  return out;
}

/**
 * Scores rows in the order given. A population of one has no quintiles (every edge is the same value): its scores and
 * segment are null. An empty population gives no rows.
 */
export function scoreRfm<T extends RfmValues>(rows: readonly T[], onDuplicateEdges: OnDuplicateEdges = 'raise'): ScoredRfm<T> {
  if (rows.length < 2)
    return { rows: rows.map((r) => ({ ...r, rScore: null, fScore: null, mScore: null, segment: null })), rankedInstead: [] };
  const c = scoreColumns(
    rows.map((x) => x.recency),
    rows.map((x) => x.frequency),
    rows.map((x) => x.monetary),
    onDuplicateEdges,
  );
  return {
    rows: rows.map((row, i) => {
      const rScore = c.rScore[i]!;
      const fScore = c.fScore[i]!;
      // Object.assign: a spread followed by more properties is several times slower on Node 20 (segment-report.ts)
      return Object.assign({}, row, { rScore, fScore, mScore: c.mScore[i]!, segment: segmentOf(rScore, fScore) });
    }),
    rankedInstead: c.rankedInstead,
  };
}
