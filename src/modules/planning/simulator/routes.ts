/**
 * /api/v1/planning/simulations: start a simulation run (small channels only: the console's what-if runs; the full
 * channel runs from the CLI or the benchmark), follow its progress, read its result.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { AppError } from '../../../http/problem.ts';
import { IdParams, strictObject } from '../../../http/schemas.ts';
import { type JobRegistry, queueJob } from '../../../platform/jobs/index.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, whoOf } from '../../auth/index.ts';
import { SIMULATION_JOB } from './job.ts';
import { buildParams } from './params.ts';
import { attachJob, getRun, insertRun, listRuns, runIdOfKey, runningCount } from './runs.ts';

/** What a run started from the console may be: a few minutes at most on the shared machine. */
export const CONSOLE_LIMITS = { stores: 2_000, skus: 50, running: 2 } as const;

// wide bounds here (the fuzzer's), the meaningful ranges in buildParams: one stable code per refusal, as the CLI gives
const Whole = Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 });
const StartBody = strictObject({
  days: Type.Optional(Whole),
  distributors: Type.Optional(Whole),
  stores: Type.Optional(Whole),
  skus: Type.Optional(Whole),
  seed: Type.Optional(Whole),
  policy: Type.Optional(Type.String({ maxLength: 32 })),
  serviceLevel: Type.Optional(Type.Number({ minimum: -1e6, maximum: 1e6 })),
  storeLeadDays: Type.Optional(Whole),
  distributorLeadDays: Type.Optional(Whole),
});

export async function simulationRoutes(api: FastifyInstance, sql: Sql, registry: JobRegistry) {
  api.post(
    '/planning/simulations',
    {
      config: { access: 'simulations:run' },
      schema: {
        tags: ['planning'],
        summary:
          'Start a channel simulation (fast mode, up to 2,000 stores and 50 SKUs): baseline and/or throughline policy on the same ' +
          'M5-patterned demand; runs in the background, follow it at GET /planning/simulations/{id}; Idempotency-Key: a retry returns the first run',
        body: StartBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as Static<typeof StartBody>;
      const built = buildParams({ ...b, mode: 'fast' }, { prefix: '/body', maxStores: CONSOLE_LIMITS.stores });
      if (!built.ok) throw AppError.invalid(built.errors);
      if (built.params.skus > CONSOLE_LIMITS.skus)
        throw AppError.field('/body/skus', 'simulation.skus_range', { value: built.params.skus, min: 1, max: CONSOLE_LIMITS.skus });
      const key = req.headers['idempotency-key'] as string | undefined;
      const replayId = key ? await runIdOfKey(sql, t, key) : null;
      const replay = replayId === null ? null : await getRun(ctx, t, replayId);
      if (replay) return reply.status(200).send(replay);
      const running = await runningCount(sql, t);
      if (running >= CONSOLE_LIMITS.running) throw new AppError(409, 'simulation.running_limit', { running });
      const { id, created } = await sql.begin(async (tx) => {
        const r = await insertRun(tx, t, { params: built.params, createdBy: actorLabel(ctx.actor), idempotencyKey: key });
        if (!r.created) return r;
        // the run and the job that plays it are there together, or neither
        const job = await queueJob(tx, ctx, registry, SIMULATION_JOB, { runId: r.id });
        await attachJob(tx, t, r.id, job.id);
        await appendAudit(tx, whoOf(ctx), {
          action: 'simulation.start',
          entityType: 'simulation_run',
          entityId: r.id,
          details: {
            days: built.params.days,
            stores: built.params.stores,
            distributors: built.params.distributors,
            skus: built.params.skus,
            job: job.id,
          },
        });
        return r;
      });
      const run = await getRun(ctx, t, id);
      if (!run) throw new Error('simulation run vanished after it was started');
      return reply.status(created ? 202 : 200).send(run);
    },
  );

  api.get(
    '/planning/simulations',
    {
      config: { access: 'simulations:read' },
      schema: { tags: ['planning'], summary: 'The latest 50 simulation runs (without their results)' },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      return { runs: await listRuns(ctx, ctx.actor.tenantId) };
    },
  );

  api.get(
    '/planning/simulations/:id',
    {
      config: { access: 'simulations:read' },
      schema: {
        tags: ['planning'],
        summary: 'A simulation run: its status, progress (days done of all) and, once done, its result',
        params: IdParams,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const { id } = req.params as Static<typeof IdParams>;
      const run = await getRun(ctx, ctx.actor.tenantId, id);
      if (!run) throw AppError.notFound();
      return run;
    },
  );
}
