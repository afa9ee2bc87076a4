/**
 * Consumer demand per store x SKU x day, with the patterns of real retail: each store x SKU plays one of the M5
 * series (280 real Walmart item x store daily series: weekly and yearly seasonality, intermittency, about half the
 * days without a sale), from one of its years, scaled by the store's size. The choice, the scale and the rounding
 * of a scaled value to whole units are all drawn from a hash of (seed, store x SKU, day), so the demand of any
 * store x SKU on any day is the same number whichever mode asks for it and in whatever order.
 *
 * Without ../shared/data/m5-tiny the series come from a seeded generator with the same kind of pattern (weekly
 * profile, yearly wave, a level spread over stores, Poisson counts, so intermittent at low levels), and the result
 * says so (`source: 'synthetic'`).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The first day a series is played from: 28 days of history before it give the first forecast. */
export const HISTORY_DAYS = 28;
const YEAR = 364; // 52 weeks: keeps weekdays aligned from one year to the next

export interface SeriesTable {
  source: 'm5-tiny' | 'synthetic';
  count: number;
  length: number;
  /** count x length daily units, series after series */
  values: Uint16Array;
}

export const M5_DIR = path.resolve(process.cwd(), '../shared/data/m5-tiny');

/** The M5 daily series (one row per item x store), or null when the data is not there. */
export function loadM5(dir = M5_DIR): SeriesTable | null {
  const file = path.join(dir, 'sales_train_validation_tiny.csv');
  if (!fs.existsSync(file)) return null;
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const header = lines[0]?.split(',') ?? [];
  const first = header.findIndex((h) => h.startsWith('d_'));
  const length = header.length - first;
  const rows = lines.slice(1);
  const values = new Uint16Array(rows.length * length);
  rows.forEach((line, r) => {
    const cells = line.split(',');
    for (let d = 0; d < length; d++) values[r * length + d] = Math.min(65535, Number(cells[first + d]) || 0);
  });
  return { source: 'm5-tiny', count: rows.length, length, values };
}

/** 280 seeded series of 1913 days shaped like M5's: weekly profile, yearly wave, levels spread over two decades. */
export function syntheticSeries(seed: number, count = 280, length = 1913): SeriesTable {
  const values = new Uint16Array(count * length);
  const weekly = [1.35, 1.25, 0.9, 0.85, 0.85, 0.9, 1.1]; // Saturday first, as M5's calendar
  for (let s = 0; s < count; s++) {
    const level = Math.exp(-1 + 3 * unit(hash3(seed, s, -1))); // 0.37 .. 7.4 units a day
    const phase = 2 * Math.PI * unit(hash3(seed, s, -2));
    for (let d = 0; d < length; d++) {
      const yearly = 1 + 0.25 * Math.sin((2 * Math.PI * d) / 365.25 + phase);
      values[s * length + d] = poisson(level * (weekly[d % 7] ?? 1) * yearly, hash3(seed, s, d));
    }
  }
  return { source: 'synthetic', count, length, values };
}

/** The series table for a run: M5 when present, the generator otherwise. */
export function seriesFor(seed: number, dir = M5_DIR): SeriesTable {
  return loadM5(dir) ?? syntheticSeries(seed);
}

/**
 * Where each store x SKU's demand comes from: series index, first day in it, and the scale (store size).
 * Typed arrays: 100,000 stores x 20 SKUs is 2 million rows.
 */
export interface DemandPlan {
  table: SeriesTable;
  seed: number;
  series: Int32Array;
  start: Int32Array;
  scale: Float32Array;
}

export function planDemand(
  table: SeriesTable,
  seed: number,
  storeSkus: number,
  sizeSigma: number,
  storesOf: (i: number) => number,
): DemandPlan {
  const series = new Int32Array(storeSkus);
  const start = new Int32Array(storeSkus);
  const scale = new Float32Array(storeSkus);
  // the years a 365-day run fits in whole (at least one): a series is played from the same season in every store
  const years = Math.max(1, Math.floor((table.length - HISTORY_DAYS - 365) / YEAR) + 1);
  for (let i = 0; i < storeSkus; i++) {
    series[i] = hash3(seed, i, -11) % table.count;
    start[i] = HISTORY_DAYS + YEAR * (hash3(seed, i, -12) % years);
    const store = storesOf(i);
    scale[i] = Math.exp(sizeSigma * normal(hash3(seed, store, -13), hash3(seed, store, -14)));
  }
  return { table, seed, series, start, scale };
}

/** The series' value at day `d` of the run (d < 0: the history before the run), wrapping past the series' end. */
function seriesValue(plan: DemandPlan, i: number, d: number): number {
  const { length, values } = plan.table;
  const span = length - HISTORY_DAYS;
  let pos = (plan.start[i] as number) + d;
  if (pos >= length) pos = HISTORY_DAYS + ((pos - HISTORY_DAYS) % span);
  return values[(plan.series[i] as number) * length + pos] as number;
}

/** Units demanded at store x SKU `i` on day `d`: the scaled series value, rounded up or down at random in proportion (unbiased). */
export function demandAt(plan: DemandPlan, i: number, d: number): number {
  const x = seriesValue(plan, i, d) * (plan.scale[i] as number);
  const whole = Math.floor(x);
  return whole + (unit(hash3(plan.seed, i, d)) < x - whole ? 1 : 0);
}

/** A 32-bit hash of three integers (murmur3's finaliser over a combined key): the simulator's only source of chance. */
export function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(c + 0x7f4a7c15, 0x297a2d39);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash as a number in [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/** A standard normal from two hashes (Box-Muller). */
function normal(h1: number, h2: number): number {
  const u = (h1 + 1) / 4294967297;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * unit(h2));
}

/** A Poisson count with mean `lambda` from one hash (inversion; lambda here stays below ~20). */
function poisson(lambda: number, h: number): number {
  const u = unit(h);
  let p = Math.exp(-lambda);
  let cdf = p;
  let k = 0;
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}
