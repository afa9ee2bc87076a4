/** /api/v1/planning/forecasts: a forecast of one SKU at one store (daily) or in one region (weekly), with intervals. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { strictObject } from '../../../http/schemas.ts';
import { DAILY_MAX_HISTORY, DAILY_MAX_HORIZON, forecastFacts } from './facts.ts';

const ForecastQuery = strictObject({
  sku: Type.String({ minLength: 1, maxLength: 64 }),
  store: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  region: Type.Optional(Type.String({ pattern: '^[0-9]{2,12}$', maxLength: 12 })),
  horizon: Type.Optional(Type.Integer({ minimum: 1, maximum: DAILY_MAX_HORIZON })),
  level: Type.Optional(Type.Number({ minimum: 0.5, maximum: 0.99 })),
  asOf: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
  history: Type.Optional(Type.Integer({ minimum: 8, maximum: DAILY_MAX_HISTORY })),
});

export async function forecastRoutes(api: FastifyInstance, sql: Sql) {
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
          'RMSSE against seasonal naive.',
        querystring: ForecastQuery,
      },
    },
    async (req) => forecastFacts(ctxOf(req, sql), req.query as Static<typeof ForecastQuery>),
  );
}
