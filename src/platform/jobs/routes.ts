/** /api/v1/jobs: start a job of a registered kind, read its status and progress, list the caller's jobs, cancel. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { IdParams, strictObject } from '../../http/schemas.ts';
import type { JobRegistry } from './registry.ts';
import { cancelJob, getJob, listJobs, startJob } from './store.ts';

export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) });

const StartBody = strictObject({
  kind: Type.String({ minLength: 1, maxLength: 100 }),
  // checked against the kind's own schema (each kind bounds its parameters)
  params: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 50 })),
});
const ListQuery = strictObject({
  status: Type.Optional(Type.Union(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)))),
  kind: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export async function jobsRoutes(api: FastifyInstance, sql: Sql, registry: JobRegistry) {
  api.post(
    '/jobs',
    {
      config: { access: 'jobs:start' },
      schema: {
        tags: ['jobs'],
        summary: `Start a job of a registered kind (${registry.names().join(', ') || 'none'}); its parameters are checked against the kind's schema; Idempotency-Key: the same key returns the first job`,
        body: StartBody,
        headers: IdempotencyHeaders,
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const b = req.body as Static<typeof StartBody>;
      const { job, replayed } = await startJob(ctx, registry, {
        kind: b.kind,
        params: b.params ?? {},
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      });
      return reply
        .status(replayed ? 200 : 202)
        .header('location', `/api/v1/jobs/${job.id}`)
        .send(job);
    },
  );

  api.get(
    '/jobs',
    { config: { access: 'jobs:read' }, schema: { tags: ['jobs'], summary: "The caller's jobs, newest first", querystring: ListQuery } },
    async (req) => {
      const q = req.query as Static<typeof ListQuery>;
      return { items: await listJobs(ctxOf(req, sql), { status: q.status as never, kind: q.kind, limit: q.limit ?? 50 }) };
    },
  );

  api.get(
    '/jobs/:id',
    {
      config: { access: 'jobs:read' },
      schema: { tags: ['jobs'], summary: 'A job: status, progress (done of total), message, result or error', params: IdParams },
    },
    async (req) => {
      const job = await getJob(ctxOf(req, sql), (req.params as { id: number }).id);
      if (!job) throw AppError.notFound();
      return job;
    },
  );

  api.post(
    '/jobs/:id/cancel',
    {
      config: { access: 'jobs:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a job: a queued one at once, a running one at its next progress report; 409 when it has finished',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const job = await cancelJob(ctxOf(req, sql), (req.params as { id: number }).id);
      return reply.status(job.status === 'cancelled' ? 200 : 202).send(job);
    },
  );
}
