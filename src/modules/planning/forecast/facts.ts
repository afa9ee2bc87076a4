/**
 * Forecasts of stored facts: the daily units out of stores (`sell_through_daily`, holder = store, kept by the trace
 * module's stock projection) per SKU and store (daily, weekly seasonality) or per SKU and region (weekly sums over the
 * region's stores, yearly seasonality; a region is a province or a city, matched on the store's own division codes).
 *
 * A series starts on the first day (week) with units out and ends the day before `asOf` (today's sales are not
 * complete); days without a row are days without sales. At most the last three years are read.
 */
import type { Db, RequestContext } from '../../../context.ts';
import { AppError } from '../../../http/problem.ts';
import { partyScope } from '../../auth/index.ts';
import { divisionName } from '../../parties/index.ts';
import { type BacktestAccuracy, backtestAccuracy } from './accuracy.ts';
import { forecastBatch, packSeries } from './batch.ts';
import { forecastSeries, InsufficientHistoryError, minimumHistory, type SeriesForecast } from './select.ts';
import { MODEL_NAMES, type ModelName } from './types.ts';

const DAY = 86_400_000;
export const MAX_HISTORY_DAYS = 3 * 365;
export const DAILY_MAX_HORIZON = 90;
export const WEEKLY_MAX_HORIZON = 52;
/** The longest history window a request may ask for, in its periods (three years). */
export const DAILY_MAX_HISTORY = MAX_HISTORY_DAYS;
export const WEEKLY_MAX_HISTORY = 156;

/** Today in the brands' business time zone (China), YYYY-MM-DD, as inventory/sell-through.ts reads it. */
export function businessToday(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

export interface ForecastRequest {
  sku: string;
  /** A store's party code (daily forecast) ... */
  store?: string;
  /** ... or a province or city division code (weekly forecast). */
  region?: string;
  horizon?: number;
  level?: number;
  /** The day the history ends before, YYYY-MM-DD; today in China when absent. */
  asOf?: string;
  /** At most this many periods (days or weeks) of history before asOf; three years when absent. */
  history?: number;
}

export interface FactForecast {
  sku: string;
  gtin: string;
  granularity: 'day' | 'week';
  store?: { code: string; name: string };
  region?: { code: string; name: string; level: 'province' | 'city'; stores: number };
  /** The history the model saw: first period with sales .. the period before asOf, and its units per period. */
  history: { from: string | null; to: string; periods: number; units: number; values: number[] };
  model: ModelName;
  level: number;
  /** One per forecast period: its first day and the forecast mean and interval (units). */
  periods: { start: string; mean: number; lower: number; upper: number }[];
  backtest: SeriesForecast['backtest'];
  /** The chosen model's backtest MASE and RMSSE against the seasonal naive benchmark's (accuracy.ts). */
  accuracy: BacktestAccuracy | null;
}

async function productOf(db: Db, tenantId: number, sku: string): Promise<{ sku: string; gtin: string }> {
  // the facts are kept by unit GTIN (the packaging level 'unit'; a product without levels is its own unit)
  const [p] = await db<{ sku: string; gtin: string }[]>`
    select p.sku, coalesce(l.gtin, p.gtin) as gtin from products p
    left join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenantId} and p.sku = ${sku}`;
  if (!p)
    throw new AppError(404, 'planning.unknown_sku', { value: sku }, [
      { pointer: '/query/sku', code: 'planning.unknown_sku', params: { value: sku } },
    ]);
  return p;
}

function tooLittle(e: InsufficientHistoryError, unit: 'day' | 'week', horizon: number): AppError {
  const params = { needed: e.needed, have: e.have, unit, horizon };
  return new AppError(
    422,
    'planning.too_little_history',
    params,
    [{ pointer: '/query/horizon', code: 'planning.too_little_history', params }],
    {
      needed: e.needed,
      have: e.have,
      unit,
    },
  );
}

/** Daily units as an array from the first day with units out to the day before asOf. */
function dailySeries(rows: { day: string; units: number }[], asOf: string): { from: string | null; y: Float64Array } {
  const first = rows.find((r) => r.units > 0);
  if (!first) return { from: null, y: new Float64Array(0) };
  const y = new Float64Array(daysBetween(first.day, asOf));
  for (const r of rows) {
    const i = daysBetween(first.day, r.day);
    if (i >= 0 && i < y.length) y[i]! += r.units;
  }
  return { from: first.day, y };
}

function checkHorizon(h: number, max: number): void {
  if (!Number.isInteger(h) || h < 1 || h > max) throw AppError.field('/query/horizon', 'planning.horizon_range', { max, value: h });
}

function checkHistory(n: number | undefined, max: number): number {
  if (n === undefined) return max;
  if (!Number.isInteger(n) || n < 8 || n > max) throw AppError.field('/query/history', 'planning.history_range', { max, value: n });
  return n;
}

/** One SKU at one store, daily; or one SKU in one region, weekly. Synchronous in the request. */
export async function forecastFacts(ctx: RequestContext, q: ForecastRequest): Promise<FactForecast> {
  const db = ctx.sql;
  const tenantId = ctx.actor.tenantId;
  if ((q.store === undefined) === (q.region === undefined))
    throw AppError.field(q.store === undefined ? '/query/store' : '/query/region', 'planning.store_or_region', {});
  const asOf = q.asOf ?? businessToday(new Date());
  if (!(asOf >= '2000-01-01' && asOf <= '2100-01-01')) throw AppError.field('/query/asOf', 'planning.as_of_range', { value: asOf });
  const level = q.level ?? 0.95;
  const product = await productOf(db, tenantId, q.sku);

  if (q.store !== undefined) {
    const horizon = q.horizon ?? 28;
    checkHorizon(horizon, DAILY_MAX_HORIZON);
    const since = addDays(asOf, -checkHistory(q.history, DAILY_MAX_HISTORY));
    const [store] = await db<{ id: number; code: string; name: string }[]>`
      select p.id::int, p.code, p.name from parties p where ${partyScope(ctx.sql, ctx.actor)} and p.code = ${q.store} and p.kind = 'store'`;
    if (!store)
      throw new AppError(404, 'planning.unknown_store', { value: q.store }, [
        { pointer: '/query/store', code: 'planning.unknown_store', params: { value: q.store } },
      ]);
    const rows = await db<{ day: string; units: number }[]>`
      select to_char(day, 'YYYY-MM-DD') as day, units_out::float8 as units from sell_through_daily
      where tenant_id = ${tenantId} and holder_party_id = ${store.id} and gtin = ${product.gtin}
        and day >= ${since}::date and day < ${asOf}::date
      order by day`;
    const { from, y } = dailySeries(rows, asOf);
    let f: SeriesForecast;
    try {
      if (y.length < minimumHistory(horizon)) throw new InsufficientHistoryError(minimumHistory(horizon), y.length);
      f = forecastSeries(y, { horizon, seasonLength: 7, level });
    } catch (e) {
      if (e instanceof InsufficientHistoryError) throw tooLittle(e, 'day', horizon);
      throw e;
    }
    return {
      sku: product.sku,
      gtin: product.gtin,
      granularity: 'day',
      store: { code: store.code, name: store.name },
      history: { from, to: addDays(asOf, -1), periods: y.length, units: y.reduce((s, v) => s + v, 0), values: Array.from(y) },
      model: f.model,
      level,
      periods: f.mean.map((mean, i) => ({ start: addDays(asOf, i), mean, lower: f.lower[i]!, upper: f.upper[i]! })),
      backtest: f.backtest,
      accuracy: backtestAccuracy(y, { horizon, seasonLength: 7 }, f.model),
    };
  }

  const horizon = q.horizon ?? 13;
  checkHorizon(horizon, WEEKLY_MAX_HORIZON);
  const since = addDays(asOf, -7 * checkHistory(q.history, WEEKLY_MAX_HISTORY));
  const region = q.region as string;
  const [division] = await db<{ code: string; name: string; level: number }[]>`
    select code, name, level from divisions where code = ${region}`;
  if (!division || division.level > 2)
    throw new AppError(404, 'planning.unknown_region', { value: region }, [
      { pointer: '/query/region', code: 'planning.unknown_region', params: { value: region } },
    ]);
  const inRegion = division.level === 1 ? db`p.province_code = ${region}` : db`p.city_code = ${region}`;
  // weeks end the day before asOf: week k (k = 0 the latest) is [asOf - 7(k+1), asOf - 7k)
  const rows = await db<{ week: number; units: number }[]>`
    select ((${asOf}::date - 1 - s.day) / 7)::int as week, sum(s.units_out)::float8 as units
    from sell_through_daily s
    join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id and p.kind = 'store'
    where s.tenant_id = ${tenantId} and ${partyScope(ctx.sql, ctx.actor)} and ${inRegion}
      and s.gtin = ${product.gtin} and s.day >= ${since}::date and s.day < ${asOf}::date
    group by 1`;
  const [count] = await db<{ stores: number }[]>`
    select count(*)::int as stores from parties p where ${partyScope(ctx.sql, ctx.actor)} and p.kind = 'store' and ${inRegion}`;
  const stores = count?.stores ?? 0;
  const oldest = rows.filter((r) => r.units > 0).reduce((m, r) => Math.max(m, r.week), -1);
  const y = new Float64Array(oldest + 1);
  for (const r of rows) if (r.week <= oldest) y[oldest - r.week] = r.units;
  let f: SeriesForecast;
  try {
    if (y.length < minimumHistory(horizon)) throw new InsufficientHistoryError(minimumHistory(horizon), y.length);
    f = forecastSeries(y, { horizon, seasonLength: 52, level });
  } catch (e) {
    if (e instanceof InsufficientHistoryError) throw tooLittle(e, 'week', horizon);
    throw e;
  }
  return {
    sku: product.sku,
    gtin: product.gtin,
    granularity: 'week',
    region: {
      code: division.code,
      name: divisionName(division.code, ctx.locale) ?? division.name,
      level: division.level === 1 ? 'province' : 'city',
      stores,
    },
    history: {
      from: oldest >= 0 ? addDays(asOf, -7 * (oldest + 1)) : null,
      to: addDays(asOf, -1),
      periods: y.length,
      units: y.reduce((s, v) => s + v, 0),
      values: Array.from(y),
    },
    model: f.model,
    level,
    periods: f.mean.map((mean, i) => ({ start: addDays(asOf, 7 * i), mean, lower: f.lower[i]!, upper: f.upper[i]! })),
    backtest: f.backtest,
    accuracy: backtestAccuracy(y, { horizon, seasonLength: 52 }, f.model),
  };
}

export interface BulkForecastRow {
  store: string;
  sku: string;
  model: ModelName | null;
  mean: number[];
  lower: number[];
  upper: number[];
  /** Why there is no forecast (too little history). */
  reason?: string;
}

/**
 * Every SKU x store pair with units out in the last `MAX_HISTORY_DAYS` (optionally only some SKUs), daily, over
 * worker threads: the long run for the job queue. onProgress(done, total) counts series.
 */
export async function forecastStoresBulk(
  db: Db,
  tenantId: number,
  o: { asOf: string; horizon?: number; level?: number; skus?: string[]; workers?: number },
  onProgress?: (done: number, total: number) => void,
): Promise<{ asOf: string; horizon: number; rows: BulkForecastRow[] }> {
  const horizon = o.horizon ?? 28;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > DAILY_MAX_HORIZON)
    throw new RangeError(`horizon must be 1..${DAILY_MAX_HORIZON}`);
  const since = addDays(o.asOf, -MAX_HISTORY_DAYS);
  const rows = await db<{ store: string; sku: string; day: string; units: number }[]>`
    select p.code as store, pr.sku, to_char(s.day, 'YYYY-MM-DD') as day, s.units_out::float8 as units
    from sell_through_daily s
    join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id and p.kind = 'store'
    join packaging_levels l on l.tenant_id = s.tenant_id and l.gtin = s.gtin and l.level = 'unit'
    join products pr on pr.tenant_id = l.tenant_id and pr.id = l.product_id
    where s.tenant_id = ${tenantId} and s.day >= ${since}::date and s.day < ${o.asOf}::date
      ${o.skus ? db`and pr.sku = any(${o.skus}::text[])` : db``}
    order by p.code, pr.sku, s.day`;
  const keys: { store: string; sku: string }[] = [];
  const series: Float64Array[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && rows[j]!.store === rows[i]!.store && rows[j]!.sku === rows[i]!.sku) j++;
    keys.push({ store: rows[i]!.store, sku: rows[i]!.sku });
    series.push(dailySeries(rows.slice(i, j), o.asOf).y);
    i = j;
  }
  const r = await forecastBatch(
    packSeries(series),
    { horizon, seasonLength: 7, level: o.level ?? 0.95 },
    { workers: o.workers, onProgress },
  );
  return {
    asOf: o.asOf,
    horizon,
    rows: keys.map((k, i) => {
      const m = r.model[i]!;
      const part = (a: Float64Array) => Array.from(a.subarray(i * horizon, (i + 1) * horizon));
      return m >= 0
        ? { ...k, model: MODEL_NAMES[m]!, mean: part(r.mean), lower: part(r.lower), upper: part(r.upper) }
        : { ...k, model: null, mean: [], lower: [], upper: [], reason: r.failures.get(i) };
    }),
  };
}

/** How far back the series with history are looked for (units sold in these days rank them). */
export const SERIES_WINDOW_DAYS = 91;

export interface SeriesWithHistory {
  store: { code: string; name: string };
  sku: string;
  gtin: string;
  nameZh: string;
  nameEn: string;
  /** units sold in the window, and on how many days, first and last of them */
  units: number;
  days: number;
  first: string;
  last: string;
}

/**
 * The store x SKU series that have sales to forecast: units out of stores in the caller's scope in the
 * `SERIES_WINDOW_DAYS` before today (optionally of one SKU or at one store), the best sellers first. The forecast
 * page offers them in its pickers, so nobody has to guess which of a brand's stores and SKUs have a history.
 */
export async function seriesWithHistory(
  ctx: RequestContext,
  q: { sku?: string; store?: string; limit?: number; asOf?: string },
): Promise<{ from: string; to: string; items: SeriesWithHistory[] }> {
  const db = ctx.sql;
  const tenantId = ctx.actor.tenantId;
  const asOf = q.asOf ?? businessToday(new Date());
  const since = addDays(asOf, -SERIES_WINDOW_DAYS);
  const product = q.sku === undefined ? null : await productOf(db, tenantId, q.sku);
  const rows = await db<
    { party_id: number; code: string; name: string; gtin: string; units: number; days: number; first: string; last: string }[]
  >`
    with g as (
      select s.holder_party_id, s.gtin, sum(s.units_out)::float8 as units, count(*)::int as days,
        to_char(min(s.day), 'YYYY-MM-DD') as first, to_char(max(s.day), 'YYYY-MM-DD') as last
      from sell_through_daily s
      join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id and p.kind = 'store'
      where s.tenant_id = ${tenantId} and ${partyScope(db, ctx.actor)} and s.day >= ${since}::date and s.day < ${asOf}::date
        and s.units_out > 0
        ${product ? db`and s.gtin = ${product.gtin}` : db``}
        ${q.store !== undefined ? db`and p.code = ${q.store}` : db``}
      group by 1, 2
      order by units desc, 1, 2
      limit ${q.limit ?? 50})
    select g.holder_party_id::int as party_id, p.code, p.name, g.gtin, g.units, g.days, g.first, g.last
    from g join parties p on p.tenant_id = ${tenantId} and p.id = g.holder_party_id
    order by g.units desc, p.code, g.gtin`;
  const gtins = [...new Set(rows.map((r) => r.gtin))];
  const products = gtins.length
    ? await db<{ sku: string; gtin: string; name_zh: string; name_en: string }[]>`
        select p.sku, coalesce(l.gtin, p.gtin) as gtin, p.name_zh, p.name_en from products p
        left join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
        where p.tenant_id = ${tenantId} and coalesce(l.gtin, p.gtin) = any(${gtins}::text[])`
    : [];
  const byGtin = new Map(products.map((p) => [p.gtin, p]));
  return {
    from: since,
    to: addDays(asOf, -1),
    items: rows.flatMap((r) => {
      const p = byGtin.get(r.gtin);
      if (!p) return [];
      return [
        {
          store: { code: r.code, name: r.name },
          sku: p.sku,
          gtin: r.gtin,
          nameZh: p.name_zh,
          nameEn: p.name_en,
          units: r.units,
          days: r.days,
          first: r.first,
          last: r.last,
        },
      ];
    }),
  };
}
