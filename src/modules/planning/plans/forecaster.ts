/**
 * Where a plan's demand comes from: a DemandForecaster gives, for each (party, product) that sold in the history
 * window, the mean and standard deviation of its daily demand over the plan's horizon. The default reads the daily
 * sell-through rollup (as replenishment suggestions do: the window's mean and sample deviation, days without sales
 * counted as 0). `seriesForecaster` turns a per-series model (the forecasting module's `forecastSeries`) into one:
 * the mean of its point forecasts over the horizon, and the deviation implied by its prediction interval.
 */
import type { Db } from '../../../context.ts';
import { TimeSlice } from '../../../platform/time-slice.ts';
import { demandStats, inverseNormal, type Window } from '../../inventory/index.ts';
import { InsufficientHistoryError } from '../forecast/index.ts';

export interface DemandKey {
  partyId: number;
  productId: number;
}

export interface DemandForecast extends DemandKey {
  /** units per day over the horizon */
  mean: number;
  /** standard deviation of one day's units */
  sd: number;
  /** units out in the history window (what the forecast stands on) */
  history: number;
  /** the forecast the figures come from: a model name of planning/forecast, or 'sell_through_mean' */
  model: string;
  /** set when a model forecaster could not use its model for this series (the figures are then the sell-through mean's) */
  fallback: ForecastFallback | null;
}

/** Why a model forecaster fell back to the sell-through mean for a series. */
export type ForecastFallback = 'too_little_history' | 'zero_forecast';
export const SELL_THROUGH_MEAN = 'sell_through_mean';

export interface ForecastRequest {
  tenantId: number;
  partyIds: number[];
  /** only these products (all that sold when absent) */
  productIds?: number[];
  history: Window;
  horizonDays: number;
}

export interface DemandForecaster {
  readonly name: string;
  forecast(db: Db, req: ForecastRequest): Promise<DemandForecast[]>;
}

/** The mean and sample deviation of daily sell-through in the history window. */
export const sellThroughForecaster: DemandForecaster = {
  name: SELL_THROUGH_MEAN,
  async forecast(db, req) {
    const rows = await db<{ party_id: number; product_id: number; total: string; sq: string }[]>`
      select d.holder_party_id::int as party_id, pl.product_id::int, sum(d.units_out)::text as total,
        sum(d.units_out * d.units_out)::text as sq
      from sell_through_daily d
      join packaging_levels pl on pl.tenant_id = d.tenant_id and pl.gtin = d.gtin
      where d.tenant_id = ${req.tenantId} and d.holder_party_id = any(${req.partyIds}::bigint[])
        and d.day >= ${req.history.from}::date and d.day < ${req.history.to}::date
        ${req.productIds ? db`and pl.product_id = any(${req.productIds}::bigint[])` : db``}
      group by 1, 2 having sum(d.units_out) > 0`;
    return rows.map((r) => {
      const s = demandStats(Number(r.total), Number(r.sq), req.history.days);
      return {
        partyId: r.party_id,
        productId: r.product_id,
        mean: s.mean,
        sd: s.sigma,
        history: Number(r.total),
        model: SELL_THROUGH_MEAN,
        fallback: null,
      };
    });
  },
};

/** The shape of the forecasting module's per-series model (planning/forecast). */
export type ForecastSeries = (
  y: number[],
  opts: { horizon: number; seasonLength: number; level: number },
) => { model: string; mean: number[]; lower: number[]; upper: number[] };

const INTERVAL_LEVEL = 0.8;

/**
 * A forecaster from a per-series model. Each (party, product)'s daily history in the window (zeros filled in) is
 * forecast over the horizon; mean = the average point forecast; sd = the average half-width of the upper side of
 * the central 80% interval / z(0.9) (the upper side: the lower bound is cut at 0). The series are read in one query,
 * one row per series with its days and units as arrays, and forecast in the calling thread (about 6,500 series of
 * 56-112 days a second, docs/PLANNING.md), giving the event loop back every 5 ms. Fallback to the mean and sample
 * deviation of the daily units (as `sellThroughForecaster`, but over the days from the series' first sale:
 * `fallbackDays`) when the model throws
 * InsufficientHistoryError (less than twice the horizon from the first sale) or forecasts 0 with an empty interval
 * for a series that sold in the window.
 */
export function seriesForecaster(model: ForecastSeries, name = 'series_model'): DemandForecaster {
  const z = inverseNormal(0.5 + INTERVAL_LEVEL / 2);
  return {
    name,
    async forecast(db, req) {
      const rows = await db<{ party_id: number; product_id: number; days: number[]; units: number[] }[]>`
        select d.holder_party_id::int as party_id, pl.product_id::int as product_id,
          array_agg((d.day - ${req.history.from}::date)::int order by d.day) as days,
          array_agg(d.units_out::float8 order by d.day) as units
        from sell_through_daily d
        join packaging_levels pl on pl.tenant_id = d.tenant_id and pl.gtin = d.gtin
        where d.tenant_id = ${req.tenantId} and d.holder_party_id = any(${req.partyIds}::bigint[])
          and d.day >= ${req.history.from}::date and d.day < ${req.history.to}::date
          ${req.productIds ? db`and pl.product_id = any(${req.productIds}::bigint[])` : db``}
        group by 1, 2 having sum(d.units_out) > 0
        order by 1, 2`;
      const out: DemandForecast[] = [];
      // a distributor's series take ~1 s to forecast at 4,000 (200 stores x 20 SKUs): in slices, in the server's thread
      const slice = new TimeSlice();
      for (const r of rows) {
        if (slice.over) await slice.pause();
        const y = new Array<number>(req.history.days).fill(0);
        let total = 0;
        let sq = 0;
        r.days.forEach((day, i) => {
          const u = Number(r.units[i]);
          y[day] = (y[day] ?? 0) + u;
          total += u;
          sq += u * u;
        });
        const key = { partyId: r.party_id, productId: r.product_id, history: total };
        const flat = (fallback: ForecastFallback): DemandForecast => {
          const s = demandStats(total, sq, fallbackDays(r.days[0] ?? 0, req.history.days));
          return { ...key, mean: s.mean, sd: s.sigma, model: SELL_THROUGH_MEAN, fallback };
        };
        let f: ReturnType<ForecastSeries>;
        try {
          f = model(y, { horizon: req.horizonDays, seasonLength: 7, level: INTERVAL_LEVEL });
        } catch (e) {
          if (e instanceof InsufficientHistoryError) {
            out.push(flat('too_little_history'));
            continue;
          }
          throw e;
        }
        if (f.mean.every((m, i) => m <= 0 && (f.upper[i] ?? 0) <= 0)) {
          out.push(flat('zero_forecast'));
          continue;
        }
        const mean = Math.max(0, average(f.mean));
        const halfWidth = average(f.upper.map((u, i) => u - Math.max(0, f.mean[i] ?? 0)));
        out.push({ ...key, mean, sd: Math.max(0, halfWidth / z), model: f.model, fallback: null });
      }
      return out;
    },
  };
}

/**
 * The days a fallback mean is taken over: from the series' first sale in the window to its end (a product launched
 * three weeks into a 16-week window sells at its rate since launch, not a quarter of it), at least a week (one day's
 * sales are not a rate), at most the window.
 */
export function fallbackDays(firstSale: number, windowDays: number): number {
  return Math.min(windowDays, Math.max(7, windowDays - firstSale));
}

function average(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
