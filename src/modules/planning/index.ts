/** The planning module's face: replenishment plans with distributors (CPFR), production capacity, their jobs and routes. */
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import type { JobRegistry } from '../../platform/jobs/index.ts';
import { businessToday } from '../inventory/index.ts';
import { capacityRoutes } from './capacity/routes.ts';
import { type DemandForecaster, sellThroughForecaster } from './plans/forecaster.ts';
import { planJob } from './plans/job.ts';
import { planRoutes } from './plans/routes.ts';

export {
  type DemandForecast,
  type DemandForecaster,
  type ForecastSeries,
  sellThroughForecaster,
  seriesForecaster,
} from './plans/forecaster.ts';
export { PLAN_JOB } from './plans/job.ts';

/** The jobs of planning; `forecaster` is where plans take demand from (default: the sell-through history's mean and deviation). */
export function registerPlanningJobs(registry: JobRegistry, forecaster: DemandForecaster = sellThroughForecaster): void {
  registry.register(planJob(forecaster, () => businessToday(new Date())));
}

export async function planningRoutes(api: FastifyInstance, sql: Sql, registry: JobRegistry): Promise<void> {
  await planRoutes(api, sql, registry);
  await capacityRoutes(api, sql);
}
