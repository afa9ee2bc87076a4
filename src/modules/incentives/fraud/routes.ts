/** /api/v1 routes of the fraud controls: the review list (风控审核), the review decision, the tenant's thresholds. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { IdParams, Paging, strictObject } from '../../../http/schemas.ts';
import { fraudThresholds, listFlags, reviewFlag, saveThresholds } from './flags.ts';
import { FRAUD_RULES, type FraudThresholds } from './rules.ts';

/** One of some strings, as one enum (a union of literals would report one error per literal) */
const literals = <T extends readonly string[]>(xs: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...xs] });
const Action = literals(['refused', 'flagged'] as const);
const Count = Type.Integer({ minimum: 1, maximum: 1_000_000 });

const Thresholds = strictObject({
  repeatDevices: Count,
  repeatAction: Action,
  farHours: Type.Integer({ minimum: 1, maximum: 720 }),
  farKm: Type.Integer({ minimum: 1, maximum: 20_000 }),
  farAction: Action,
  burstCount: Count,
  burstMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  burstAction: Action,
  addressBurstCount: Count,
});

export async function fraudRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/fraud/flags',
    {
      config: { access: 'fraud:read' },
      schema: {
        tags: ['incentives'],
        summary: 'Fraud flags for review, newest first, by rule and status',
        querystring: strictObject({
          rule: Type.Optional(literals(FRAUD_RULES)),
          status: Type.Optional(literals(['open', 'confirmed', 'dismissed'] as const)),
          ...Paging,
        }),
      },
    },
    async (req) => {
      const q = req.query as { rule?: string; status?: string; page: number; pageSize: number };
      return listFlags(sql, ctxOf(req, sql).actor.tenantId, q);
    },
  );

  api.post(
    '/fraud/flags/:id/review',
    {
      config: { access: 'fraud:review' },
      schema: {
        tags: ['incentives'],
        summary: 'Confirm or dismiss a fraud flag with a note',
        params: IdParams,
        body: strictObject({
          decision: literals(['confirmed', 'dismissed'] as const),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (req) => {
      const b = req.body as { decision: 'confirmed' | 'dismissed'; note?: string };
      return reviewFlag(ctxOf(req, sql), (req.params as { id: number }).id, b.decision, b.note);
    },
  );

  api.get(
    '/fraud/settings',
    { config: { access: 'fraud:read' }, schema: { tags: ['incentives'], summary: "The tenant's fraud thresholds" } },
    async (req) => fraudThresholds(sql, ctxOf(req, sql).actor.tenantId),
  );

  api.put(
    '/fraud/settings',
    {
      config: { access: 'fraud:review' },
      schema: { tags: ['incentives'], summary: "Set the tenant's fraud thresholds", body: Thresholds },
    },
    async (req) => saveThresholds(ctxOf(req, sql), req.body as FraudThresholds),
  );
}
