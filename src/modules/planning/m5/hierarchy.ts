/**
 * The M5 hierarchy's 12 levels (Makridakis et al. 2022, table 1), with the series ids the M5 files use for
 * aggregates: 1 Total; 2 state (CA); 3 store (CA_1); 4 category (FOODS); 5 department (FOODS_1); 6 state x category
 * (CA_FOODS); 7 state x department (CA_FOODS_1); 8 store x category (CA_1_FOODS); 9 store x department
 * (CA_1_FOODS_1); 10 item (FOODS_1_033); 11 item x state (FOODS_1_033_CA); 12 item x store (the id of the data).
 */
import type { M5Series } from './m5-data.ts';

export interface AggregateSeries {
  level: number;
  id: string;
  /** Indices of the bottom (item x store) series that add up to it. */
  members: number[];
}

const KEYS: ((s: M5Series) => string)[] = [
  () => 'Total',
  (s) => s.state,
  (s) => s.store,
  (s) => s.cat,
  (s) => s.dept,
  (s) => `${s.state}_${s.cat}`,
  (s) => `${s.state}_${s.dept}`,
  (s) => `${s.store}_${s.cat}`,
  (s) => `${s.store}_${s.dept}`,
  (s) => s.item,
  (s) => `${s.item}_${s.state}`,
  (s) => s.id,
];

export function m5Hierarchy(series: M5Series[]): AggregateSeries[] {
  const out: AggregateSeries[] = [];
  KEYS.forEach((key, k) => {
    const groups = new Map<string, number[]>();
    series.forEach((s, i) => {
      const id = key(s);
      const g = groups.get(id);
      if (g) g.push(i);
      else groups.set(id, [i]);
    });
    for (const [id, members] of groups) out.push({ level: k + 1, id, members });
  });
  return out;
}

/** Adds up rows[members] element-wise over [from, to). */
export function sumRows(rows: ArrayLike<number>[], members: number[], from: number, to: number): Float64Array {
  const out = new Float64Array(to - from);
  for (const i of members) {
    const r = rows[i]!;
    for (let t = from; t < to; t++) out[t - from]! += r[t]!;
  }
  return out;
}
