/**
 * The job that plays a simulation run started from the console or the API (runs.ts holds the run). Through the
 * queue, a run survives a restart of its server (the job is queued again and plays the run from the start), can be
 * cancelled, and waits its turn behind other long jobs instead of competing with them for the CPU.
 */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../http/problem.ts';
import type { JobKind } from '../../../platform/jobs/index.ts';
import { getRun, playRun } from './runs.ts';

export const SIMULATION_JOB = 'planning.simulations.play';

export interface SimulationJobParams {
  runId: number;
}

export const simulationJob: JobKind<SimulationJobParams, { runId: number; played: boolean }> = {
  kind: SIMULATION_JOB,
  access: 'simulations:run',
  maxAttempts: 2,
  params: Type.Object({ runId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  async check(ctx, p, at) {
    if (!(await getRun(ctx, ctx.actor.tenantId, p.runId)))
      throw AppError.field(`${at}/runId`, 'simulation.unknown_run', { value: p.runId });
  },
  async run(ctx, p, progress) {
    const run = await getRun(ctx, ctx.actor.tenantId, p.runId);
    // only the job the run was started with plays it, once: another job naming the run (POST /jobs) does nothing
    if (!run || run.jobId !== ctx.jobId || run.status !== 'running') return { runId: p.runId, played: false };
    await playRun(ctx.sql, ctx.actor.tenantId, p.runId, run.params, progress);
    return { runId: p.runId, played: true };
  },
};
