/**
 * Quantile binning exactly as pandas does it: `pd.qcut(x, q)` takes the edges from `Series.quantile(np.linspace(0, 1,
 * q + 1))`, which is numpy's percentile with linear interpolation, and bins with `pd.cut(right=True,
 * include_lowest=True)`: intervals closed on the right, the lowest edge included. Duplicate edges are refused as pandas
 * refuses them (`duplicates='raise'`), or dropped (`duplicates='drop'`). Pure functions, no I/O.
 */

/** `np.linspace(0, 1, q + 1)` as pandas hands it to numpy's percentile (x 100, then / 100), to the last bit. */
export function quantileFractions(q: number): number[] {
  if (!Number.isInteger(q) || q < 1) throw new RangeError(`q must be a whole number >= 1, got ${q}`);
  const step = 1 / q;
  const out: number[] = [];
  for (let i = 0; i <= q; i++) out.push(i === q ? 1 : i * step);
  return out.map((f) => (f * 100) / 100);
}

/** numpy's `_lerp`: from the nearer end, so that t = 1 gives b exactly. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The p-quantile (0 <= p <= 1) of values sorted ascending, numpy's default method 'linear' (Hyndman-Fan 7): the virtual
 * index (n - 1) p, interpolated between its floor and the next value.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('the quantile of no values');
  const virtual = (n - 1) * p;
  if (virtual >= n - 1) return sorted[n - 1]!;
  if (virtual <= 0) return sorted[0]!;
  const below = Math.floor(virtual);
  return lerp(sorted[below]!, sorted[below + 1]!, virtual - below);
}

/** The q + 1 edges pandas.qcut computes: the 0, 1/q, ..., 1 quantiles of the values. */
export function qcutEdges(values: readonly number[], q: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  return quantileFractions(q).map((p) => quantileSorted(arr, p));
}

export class DuplicateEdgesError extends Error {
  constructor(readonly edges: number[]) {
    super(`bin edges must be unique: [${edges.join(', ')}] (pandas.qcut refuses these with duplicates='raise')`);
    this.name = 'DuplicateEdgesError';
  }
}

/** The first index i with edges[i] >= x (numpy searchsorted side='left'). */
function searchLeft(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Qcut {
  /** the edges used (after dropping duplicates, if asked) */
  edges: number[];
  /** per value, its bin: 0 for the lowest, edges.length - 2 for the highest; null outside the edges (or NaN) */
  bins: (number | null)[];
}

/**
 * `pd.qcut(values, q, duplicates=...)`: bins closed on the right, (e0, e1] with e0 included, (e1, e2], ... With
 * 'raise' (pandas' default), edges that are not unique throw DuplicateEdgesError, except when there are only two edges
 * (q = 1), which pandas lets through. With 'drop', repeated edges are removed and there are fewer bins.
 */
export function qcut(values: readonly number[], q: number, duplicates: 'raise' | 'drop' = 'raise'): Qcut {
  if (values.length === 0) return { edges: [], bins: [] };
  let edges = qcutEdges(
    values.filter((v) => !Number.isNaN(v)),
    q,
  );
  const unique = edges.filter((e, i) => i === 0 || e !== edges[i - 1]);
  if (unique.length < edges.length && edges.length !== 2) {
    if (duplicates === 'raise') throw new DuplicateEdgesError(edges);
    edges = unique;
  }
  return { edges, bins: cut(values, edges) };
}

/** `pd.cut(values, edges, right=True, include_lowest=True)` as bin numbers (0-based), null outside. */
export function cut(values: readonly number[], edges: readonly number[]): (number | null)[] {
  return values.map((x) => {
    if (Number.isNaN(x)) return null;
    let id = searchLeft(edges, x);
    if (x === edges[0]) id = 1;
    return id === 0 || id === edges.length ? null : id - 1;
  });
}

/** `Series.rank(method='first')`: 1..n by value, ties ranked in their order in the input. */
export function rankFirst(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const ranks = new Array<number>(values.length);
  order.forEach((idx, pos) => {
    ranks[idx] = pos + 1;
  });
  return ranks;
}
