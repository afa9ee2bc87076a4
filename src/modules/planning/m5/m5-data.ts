/**
 * Reads the M5 files (Kaggle layout: sales_train_*.csv, calendar*.csv, sell_prices*.csv) from a folder: the item x
 * store daily unit sales and each day's sell price (0 when the item had no price that week, i.e. was not on sale).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface M5Series {
  id: string;
  item: string;
  dept: string;
  cat: string;
  store: string;
  state: string;
}

export interface M5Data {
  series: M5Series[];
  /** Day names in order (d_1 ..). */
  days: string[];
  /** units[i][t]: sales of series i on day t. */
  units: Float64Array[];
  /** prices[i][t]: sell price of series i on day t (0 when none). */
  prices: Float64Array[];
}

export class M5InputError extends Error {}

function findFile(dir: string, prefix: string): string {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    throw new M5InputError(`cannot read the folder ${dir}: it does not exist or is not a folder`);
  }
  const hit = names.filter((f) => f.startsWith(prefix) && f.endsWith('.csv')).sort();
  if (hit.length === 0)
    throw new M5InputError(`${dir} has no ${prefix}*.csv (an M5 folder holds sales_train_*.csv, calendar*.csv and sell_prices*.csv)`);
  return path.join(dir, hit[0]!);
}

function lines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
}

export function readM5(dir: string): M5Data {
  const salesFile = findFile(dir, 'sales_train');
  const calendarFile = findFile(dir, 'calendar');
  const pricesFile = findFile(dir, 'sell_prices');
  const sales = lines(salesFile);
  const header = sales[0]!.split(',');
  const idCols = ['id', 'item_id', 'dept_id', 'cat_id', 'store_id', 'state_id'];
  if (idCols.some((c, i) => header[i] !== c)) throw new M5InputError(`${salesFile}: the header must start with ${idCols.join(',')}`);
  const days = header.slice(6);
  if (days.length === 0 || days.some((d, i) => d !== `d_${i + 1}`))
    throw new M5InputError(`${salesFile}: day columns must be d_1, d_2, ... in order`);
  const series: M5Series[] = [];
  const units: Float64Array[] = [];
  for (let r = 1; r < sales.length; r++) {
    const f = sales[r]!.split(',');
    if (f.length !== header.length) throw new M5InputError(`${salesFile} line ${r + 1}: ${f.length} fields, ${header.length} expected`);
    series.push({ id: f[0]!, item: f[1]!, dept: f[2]!, cat: f[3]!, store: f[4]!, state: f[5]! });
    const u = new Float64Array(days.length);
    for (let t = 0; t < days.length; t++) {
      const v = Number(f[6 + t]);
      if (!Number.isFinite(v) || v < 0) throw new M5InputError(`${salesFile} line ${r + 1}: ${days[t]} is not a count: ${f[6 + t]}`);
      u[t] = v;
    }
    units.push(u);
  }
  if (series.length === 0) throw new M5InputError(`${salesFile} has no series`);

  const cal = lines(calendarFile);
  const ch = cal[0]!.split(',');
  const dCol = ch.indexOf('d');
  const wkCol = ch.indexOf('wm_yr_wk');
  if (dCol < 0 || wkCol < 0) throw new M5InputError(`${calendarFile}: needs the columns d and wm_yr_wk`);
  const weekOfDay = new Map<string, string>();
  for (let r = 1; r < cal.length; r++) {
    const f = cal[r]!.split(',');
    weekOfDay.set(f[dCol]!, f[wkCol]!);
  }
  const missing = days.find((d) => !weekOfDay.has(d));
  if (missing) throw new M5InputError(`${calendarFile} has no row for ${missing}`);

  const pl = lines(pricesFile);
  const ph = pl[0]!.split(',');
  const [sCol, iCol, wCol, pCol] = ['store_id', 'item_id', 'wm_yr_wk', 'sell_price'].map((c) => ph.indexOf(c)) as [
    number,
    number,
    number,
    number,
  ];
  if ([sCol, iCol, wCol, pCol].some((c) => c < 0)) throw new M5InputError(`${pricesFile}: needs store_id,item_id,wm_yr_wk,sell_price`);
  const price = new Map<string, number>();
  for (let r = 1; r < pl.length; r++) {
    const f = pl[r]!.split(',');
    price.set(`${f[sCol]}|${f[iCol]}|${f[wCol]}`, Number(f[pCol]));
  }
  const prices = series.map((s) => {
    const p = new Float64Array(days.length);
    for (let t = 0; t < days.length; t++) p[t] = price.get(`${s.store}|${s.item}|${weekOfDay.get(days[t]!)}`) ?? 0;
    return p;
  });
  return { series, days, units, prices };
}
