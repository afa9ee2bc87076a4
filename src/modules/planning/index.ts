/** The planning module's face: replenishment plans with distributors (CPFR), production capacity, their jobs and routes. */
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import type { JobRegistry } from '../../platform/jobs/index.ts';
import { businessToday } from '../inventory/index.ts';
import { capacityRoutes } from './capacity/routes.ts';
import { forecastSeries } from './forecast/index.ts';
import { type DemandForecaster, seriesForecaster } from './plans/forecaster.ts';
import { planJob } from './plans/job.ts';
import { planRoutes } from './plans/routes.ts';
import { simulationJob } from './simulator/job.ts';

export {
  type DemandForecast,
  type DemandForecaster,
  type ForecastFallback,
  type ForecastSeries,
  SELL_THROUGH_MEAN,
  sellThroughForecaster,
  seriesForecaster,
} from './plans/forecaster.ts';

/**
 * Where plans take demand from by default: the forecasting module's model chosen per (party, product) by
 * rolling-origin backtest, its interval giving σ; the sell-through mean and deviation where the series is too short.
 */
export const modelForecaster: DemandForecaster = seriesForecaster(forecastSeries, 'auto');
export { PLAN_JOB } from './plans/job.ts';

/** The jobs of planning; `forecaster` is where plans take demand from (default: `modelForecaster`). */
export function registerPlanningJobs(registry: JobRegistry, forecaster: DemandForecaster = modelForecaster): void {
  registry.register(planJob(forecaster, () => businessToday(new Date())));
  registry.register(simulationJob);
}

export async function planningRoutes(api: FastifyInstance, sql: Sql, registry: JobRegistry): Promise<void> {
  await planRoutes(api, sql, registry);
  await capacityRoutes(api, sql);
}
