/**
 * Where a plan's demand comes from: a DemandForecaster gives, for each (party, product) that sold in the history
 * window, the mean and standard deviation of its daily demand over the plan's horizon. The default reads the daily
 * sell-through rollup (as replenishment suggestions do: the window's mean and sample deviation, days without sales
 * counted as 0). `seriesForecaster` turns a per-series model (the forecasting module's `forecastSeries`) into one:
 * the mean of its point forecasts over the horizon, and the deviation implied by its prediction interval.
 */
import type { Db } from '../../../context.ts';
import { demandStats, inverseNormal, type Window } from '../../inventory/index.ts';

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
}

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
  name: 'sell_through_mean',
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
      return { partyId: r.party_id, productId: r.product_id, mean: s.mean, sd: s.sigma, history: Number(r.total) };
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
 * A forecaster from a per-series model: each (party, product)'s daily history (zeros filled in) is forecast over
 * the horizon; mean = the average point forecast; sd = the average half-width of the central 80% interval / z(0.9).
 */
export function seriesForecaster(model: ForecastSeries, name = 'series_model'): DemandForecaster {
  const z = inverseNormal(0.5 + INTERVAL_LEVEL / 2);
  return {
    name,
    async forecast(db, req) {
      const rows = await db<{ party_id: number; product_id: number; day: string; units: string }[]>`
        select d.holder_party_id::int as party_id, pl.product_id::int, d.day::text as day, d.units_out::text as units
        from sell_through_daily d
        join packaging_levels pl on pl.tenant_id = d.tenant_id and pl.gtin = d.gtin
        where d.tenant_id = ${req.tenantId} and d.holder_party_id = any(${req.partyIds}::bigint[])
          and d.day >= ${req.history.from}::date and d.day < ${req.history.to}::date
          ${req.productIds ? db`and pl.product_id = any(${req.productIds}::bigint[])` : db``}
        order by 1, 2, 3`;
      const start = Date.parse(`${req.history.from}T00:00:00Z`);
      const series = new Map<string, { key: DemandKey; y: number[] }>();
      for (const r of rows) {
        const k = `${r.party_id}:${r.product_id}`;
        let s = series.get(k);
        if (!s) {
          s = { key: { partyId: r.party_id, productId: r.product_id }, y: new Array(req.history.days).fill(0) };
          series.set(k, s);
        }
        const i = Math.round((Date.parse(`${r.day}T00:00:00Z`) - start) / 86_400_000);
        s.y[i] = (s.y[i] ?? 0) + Number(r.units);
      }
      const out: DemandForecast[] = [];
      for (const { key, y } of series.values()) {
        const history = y.reduce((a, b) => a + b, 0);
        if (history <= 0) continue;
        const f = model(y, { horizon: req.horizonDays, seasonLength: 7, level: INTERVAL_LEVEL });
        const mean = Math.max(0, average(f.mean));
        const halfWidth = average(f.upper.map((u, i) => (u - (f.lower[i] ?? u)) / 2));
        out.push({ ...key, mean, sd: Math.max(0, halfWidth / z), history });
      }
      return out;
    },
  };
}

function average(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
