/** /api/v1/planning/forecasts: a forecast of one SKU at one store (daily) or in one region (weekly), with intervals. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { strictObject } from '../../../http/schemas.ts';
import { writeTable, XLSX_TYPE } from '../../../platform/tabular/index.ts';
import { DAILY_MAX_HISTORY, DAILY_MAX_HORIZON, type FactForecast, forecastFacts, SERIES_WINDOW_DAYS, seriesWithHistory } from './facts.ts';

const ForecastQuery = strictObject({
  sku: Type.String({ minLength: 1, maxLength: 64 }),
  store: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  region: Type.Optional(Type.String({ pattern: '^[0-9]{2,12}$', maxLength: 12 })),
  horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: DAILY_MAX_HORIZON })),
  level: Type.Optional(Type.Number({ minimum: 0.5, maximum: 0.99 })),
  asOf: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
  history: Type.Optional(Type.Integer({ minimum: 8, maximum: DAILY_MAX_HISTORY })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
});

const SeriesQuery = strictObject({
  sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  store: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  asOf: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
});

const DAY = 86_400_000;
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** The forecast as a table: one row per history period (its units), then one per forecast period (mean and interval). */
export function forecastTable(f: FactForecast, locale: string) {
  const en = locale === 'en';
  const step = f.granularity === 'week' ? 7 : 1;
  const columns = [
    { key: 'kind', header: en ? 'Kind' : '类型' },
    { key: 'start', header: en ? (step === 7 ? 'Week from' : 'Day') : step === 7 ? '周起始日' : '日期' },
    { key: 'units', header: en ? 'Units sold' : '销量' },
    { key: 'mean', header: en ? 'Forecast' : '预测' },
    { key: 'lower', header: en ? `Lower (${Math.round(f.level * 100)}%)` : `下限（${Math.round(f.level * 100)}%）` },
    { key: 'upper', header: en ? `Upper (${Math.round(f.level * 100)}%)` : `上限（${Math.round(f.level * 100)}%）` },
    { key: 'model', header: en ? 'Model' : '模型' },
  ];
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const history =
    f.history.from === null
      ? []
      : f.history.values.map((units, i) => ({
          kind: en ? 'history' : '历史',
          start: plusDays(f.history.from as string, i * step),
          units,
        }));
  const ahead = f.periods.map((p) => ({
    kind: en ? 'forecast' : '预测',
    start: p.start,
    mean: r2(p.mean),
    lower: r2(p.lower),
    upper: r2(p.upper),
    model: f.model,
  }));
  return { columns, rows: [...history, ...ahead] };
}

export async function forecastRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/planning/forecasts/series',
    {
      config: { access: 'planning:forecast' },
      schema: {
        tags: ['planning'],
        summary:
          `The store x SKU series with sales to forecast: units sold by stores in the caller's scope in the last ${SERIES_WINDOW_DAYS} ` +
          'days before asOf (default today; optionally of one SKU or at one store), best sellers first (limit, default 50); each with its store, SKU, ' +
          'units, days with sales and first and last of them. The forecast page offers these in its pickers.',
        querystring: SeriesQuery,
      },
    },
    async (req) => seriesWithHistory(ctxOf(req, sql), req.query as Static<typeof SeriesQuery>),
  );
  api.get(
    '/planning/forecasts',
    {
      config: { access: 'planning:forecast' },
      schema: {
        tags: ['planning'],
        summary:
          'Demand forecast of a SKU at a store (store: daily, horizon in days, default 28, at most 90) or in a province or city ' +
          '(region: weekly sums over its stores, horizon in weeks, default 13, at most 52), from the units out of stores; ' +
          'the model is chosen per series by rolling-origin backtest; mean and interval (level, default 0.95) per period. ' +
          'Needs twice the horizon of history from the first sale; `history` limits the window read (days or weeks, at most ' +
          "three years). The answer holds the history seen, the backtest scores and the chosen model's backtest MASE and " +
          'RMSSE against seasonal naive. format=xlsx for Excel (history and forecast, one row per period).',
        querystring: ForecastQuery,
      },
    },
    async (req, reply) => {
      const { format, ...q } = req.query as Static<typeof ForecastQuery>;
      const ctx = ctxOf(req, sql);
      const f = await forecastFacts(ctx, q);
      if (format !== 'xlsx') return f;
      const t = forecastTable(f, ctx.locale);
      const where = (f.store?.code ?? f.region?.code ?? '').replace(/[^A-Za-z0-9_-]/g, '_');
      reply.header('content-disposition', `attachment; filename="forecast-${f.sku.replace(/[^A-Za-z0-9_-]/g, '_')}-${where}.xlsx"`);
      reply.type(XLSX_TYPE);
      return reply.send(writeTable('xlsx', t.columns, t.rows));
    },
  );
}
