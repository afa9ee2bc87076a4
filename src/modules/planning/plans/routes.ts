/**
 * /api/v1/planning/plans: compute plans (a job), list and read them in the caller's scope, and the CPFR steps
 * (share, adjust lines, accept, send back, reject). Invalid steps are 409 `plans.invalid_transition`.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { AppError } from '../../../http/problem.ts';
import { IdParams, strictObject } from '../../../http/schemas.ts';
import { type JobRegistry, startJob } from '../../../platform/jobs/index.ts';
import { IdempotencyHeaders } from '../../../platform/jobs/routes.ts';
import { acceptPlan, adjustLines, rejectPlan, sendBackPlan, sharePlan } from './actions.ts';
import { PLAN_STATUSES } from './cpfr.ts';
import { PLAN_JOB, PlanParamsSchema } from './job.ts';
import { getPlan, listPlans } from './views.ts';

const ListQuery = strictObject({
  status: Type.Optional(Type.Union(PLAN_STATUSES.map((s) => Type.Literal(s)))),
  distributor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const AdjustBody = strictObject({
  lines: Type.Array(
    strictObject({
      lineNo: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      quantity: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
      reason: Type.Optional(Type.String({ maxLength: 500 })),
    }),
    { minItems: 1, maxItems: 2000 },
  ),
});
const NoteBody = Type.Optional(strictObject({ note: Type.Optional(Type.String({ maxLength: 1000 })) }));

export async function planRoutes(api: FastifyInstance, sql: Sql, registry: JobRegistry) {
  api.post(
    '/planning/plans',
    {
      config: { access: 'plans:write' },
      schema: {
        tags: ['planning'],
        summary:
          'Compute replenishment plans, one per distributor (with the stores it serves), as a job: 202 with the job to follow; ' +
          'per (party, SKU) forecast demand over lead time + review, safety stock for the service level, order-up-to level, ' +
          'stock, on order and the suggested quantity. Idempotency-Key: the same key returns the first job',
        body: PlanParamsSchema,
        headers: IdempotencyHeaders,
      },
    },
    async (req, reply) => {
      const { job, replayed } = await startJob(ctxOf(req, sql), registry, {
        kind: PLAN_JOB,
        params: req.body,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        pointer: '/body',
      });
      return reply
        .status(replayed ? 200 : 202)
        .header('location', `/api/v1/jobs/${job.id}`)
        .send(job);
    },
  );

  api.get(
    '/planning/plans',
    {
      config: { access: 'plans:read' },
      schema: {
        tags: ['planning'],
        summary: 'Plans in the caller’s scope (a distributor: its own, once shared), newest first',
        querystring: ListQuery,
      },
    },
    async (req) => {
      const q = req.query as Static<typeof ListQuery>;
      return { items: await listPlans(ctxOf(req, sql), { status: q.status, distributor: q.distributor, limit: q.limit ?? 100 }) };
    },
  );

  api.get(
    '/planning/plans/:id',
    {
      config: { access: 'plans:read' },
      schema: {
        tags: ['planning'],
        summary: 'A plan with its lines: every input, the suggestion, the adjustment and its reason',
        params: IdParams,
      },
    },
    async (req) => {
      const plan = await getPlan(ctxOf(req, sql), (req.params as { id: number }).id);
      if (!plan) throw AppError.notFound();
      return plan;
    },
  );

  const step = (
    url: string,
    access: 'plans:write' | 'plans:decide',
    summary: string,
    act: (req: import('fastify').FastifyRequest) => Promise<unknown>,
    body?: unknown,
  ) =>
    api.post(
      url,
      { config: { access }, schema: { tags: ['planning'], summary, params: IdParams, ...(body ? { body } : {}) } },
      async (req, reply) => {
        const r = await act(req);
        const plan = await getPlan(ctxOf(req, sql), (req.params as { id: number }).id);
        const replayed = typeof r === 'object' && r !== null && (r as { replayed?: boolean }).replayed === true;
        return reply.status(200).header('x-replayed', String(replayed)).send(plan);
      },
    );

  step('/planning/plans/:id/share', 'plans:write', 'Share a draft plan with its distributor (draft -> shared); audited', (req) =>
    sharePlan(ctxOf(req, sql), (req.params as { id: number }).id),
  );
  step(
    '/planning/plans/:id/accept',
    'plans:decide',
    'Accept: the distributor sends its answer to the brand (shared -> adjusted); the brand agrees (adjusted -> accepted) and the ' +
      'lines with a quantity become order drafts, one per buyer, exactly once (a retry returns the same plan and drafts)',
    (req) => acceptPlan(ctxOf(req, sql), (req.params as { id: number }).id),
  );
  step(
    '/planning/plans/:id/send-back',
    'plans:write',
    "Send the distributor's answer back for another look (adjusted -> shared), with a note; audited",
    (req) => sendBackPlan(ctxOf(req, sql), (req.params as { id: number }).id, (req.body as { note?: string } | undefined)?.note ?? null),
    NoteBody,
  );
  step(
    '/planning/plans/:id/reject',
    'plans:decide',
    'Reject the plan: the brand before it is accepted, the distributor while it is shared; with a note; audited',
    (req) => rejectPlan(ctxOf(req, sql), (req.params as { id: number }).id, (req.body as { note?: string } | undefined)?.note ?? null),
    NoteBody,
  );

  api.patch(
    '/planning/plans/:id/lines',
    {
      config: { access: 'plans:respond' },
      schema: {
        tags: ['planning'],
        summary:
          "The distributor's quantities line by line, each with a reason when it differs from the suggestion (all or none); while shared",
        params: IdParams,
        body: AdjustBody,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const id = (req.params as { id: number }).id;
      await adjustLines(ctx, id, (req.body as Static<typeof AdjustBody>).lines);
      return getPlan(ctx, id);
    },
  );
}
