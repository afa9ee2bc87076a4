/** The planning module's face: replenishment plans with distributors (CPFR), production capacity, their jobs and routes. */
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import type { JobRegistry } from '../../platform/jobs/index.ts';

export function registerPlanningJobs(_registry: JobRegistry): void {}

export async function planningRoutes(_api: FastifyInstance, _sql: Sql, _registry: JobRegistry): Promise<void> {}
