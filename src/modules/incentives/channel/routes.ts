/**
 * /api/v1 routes of channel incentive programs (渠道激励): programs kept by marketing staff, their payout ledger
 * (scoped: each channel member sees its own earnings) and its export, and the store's "one more" redemption.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../../db/connection.ts';
import { ctxOf } from '../../../http/access.ts';
import { Id, IdParams, Paging, strictObject } from '../../../http/schemas.ts';
import { writeTable, XLSX_TYPE } from '../../../platform/tabular/index.ts';
import { listPayouts, PAYOUT_COLUMNS, type PayoutFilter, payoutRows } from './ledger.ts';
import { redeemOneMore } from './one-more.ts';
import { createProgram, getProgram, listPrograms, type ProgramInput, setProgramStatus, updateProgram } from './programs.ts';
import { PROGRAM_KINDS, PROGRAM_STATUSES, type ProgramStatus } from './rules.ts';

/** One of some strings, as one enum (a union of literals would report one error per literal) */
const literals = <T extends readonly string[]>(xs: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...xs] });
const Fen = (minimum: number) => Type.Integer({ minimum, maximum: 1_000_000_000_000 });
const Time = Type.String({ minLength: 10, maxLength: 40 });

const ProgramBody = strictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: literals(PROGRAM_KINDS),
  skus: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 })),
  regionPrefixes: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{2}([0-9]{2}){0,2}$', maxLength: 6 }), { maxItems: 200 })),
  startsAt: Time,
  endsAt: Type.Optional(Type.Union([Time, Type.Null()])),
  per: Type.Optional(literals(['unit', 'case'] as const)),
  amountFen: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
  upstreamAmountFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  totalBudgetFen: Fen(1),
  dailyBudgetFen: Type.Optional(Type.Union([Fen(1), Type.Null()])),
  perPayeeCapFen: Type.Optional(Type.Union([Fen(1), Type.Null()])),
});

const PayoutQuery = strictObject({
  program: Type.Optional(Id()),
  payeeRole: Type.Optional(literals(['clerk', 'store', 'distributor'] as const)),
  payee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
  to: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
});

export async function channelIncentiveRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/channel-programs',
    {
      config: { access: 'channel_incentives:read' },
      schema: {
        tags: ['incentives'],
        summary: 'Channel incentive programs with their live budget (spent, spent today, remaining)',
        querystring: strictObject({ kind: Type.Optional(literals(PROGRAM_KINDS)), status: Type.Optional(literals(PROGRAM_STATUSES)) }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      return { items: await listPrograms(sql, ctx.actor.tenantId, req.query as { kind?: string; status?: string }) };
    },
  );

  api.post(
    '/channel-programs',
    {
      config: { access: 'channel_incentives:write' },
      schema: {
        tags: ['incentives'],
        summary: 'Define a channel incentive program (a draft until activated; Idempotency-Key: a retried create makes one)',
        body: ProgramBody,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100 })) }),
      },
    },
    async (req, reply) => {
      const p = await createProgram(ctxOf(req, sql), req.body as ProgramInput, req.headers['idempotency-key'] as string | undefined);
      return reply.status(p.replayed ? 200 : 201).send(p);
    },
  );

  api.get(
    '/channel-programs/:id',
    { config: { access: 'channel_incentives:read' }, schema: { tags: ['incentives'], summary: 'One program', params: IdParams } },
    async (req) => getProgram(sql, ctxOf(req, sql).actor.tenantId, (req.params as { id: number }).id),
  );

  api.put(
    '/channel-programs/:id',
    {
      config: { access: 'channel_incentives:write' },
      schema: { tags: ['incentives'], summary: "Edit a program's terms (not its kind)", params: IdParams, body: ProgramBody },
    },
    async (req) => updateProgram(ctxOf(req, sql), (req.params as { id: number }).id, req.body as ProgramInput),
  );

  api.post(
    '/channel-programs/:id/status',
    {
      config: { access: 'channel_incentives:write' },
      schema: {
        tags: ['incentives'],
        summary: 'Activate, pause or end a program',
        params: IdParams,
        body: strictObject({ status: literals(['active', 'paused', 'ended'] as const) }),
      },
    },
    async (req) => setProgramStatus(ctxOf(req, sql), (req.params as { id: number }).id, (req.body as { status: ProgramStatus }).status),
  );

  api.get(
    '/channel-payouts',
    {
      config: { access: 'channel_incentives:earnings' },
      schema: {
        tags: ['incentives'],
        summary: 'The payout ledger (a channel member sees its own earnings, a clerk its own bonuses)',
        querystring: strictObject({ ...PayoutQuery.properties, ...Paging }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const q = req.query as PayoutFilter & { page: number; pageSize: number };
      return listPayouts(sql, ctx.actor, q, q.page, q.pageSize);
    },
  );

  api.get(
    '/channel-payouts/export',
    {
      config: { access: 'channel_incentives:earnings' },
      schema: { tags: ['incentives'], summary: 'The payout ledger as an Excel file, for payout', querystring: PayoutQuery },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      reply.header('content-disposition', 'attachment; filename="channel-payouts.xlsx"');
      reply.type(XLSX_TYPE);
      return reply.send(writeTable('xlsx', PAYOUT_COLUMNS, payoutRows(sql, ctx.actor, req.query as PayoutFilter)));
    },
  );

  api.post(
    '/one-more/redeem',
    {
      config: { access: 'channel_incentives:redeem' },
      schema: {
        tags: ['incentives'],
        summary: 'A store redeems a "one more" (再来一瓶) winning code and is reimbursed to its rebate balance',
        body: strictObject({ code: Type.String({ minLength: 1, maxLength: 200 }) }),
      },
    },
    async (req) => redeemOneMore(ctxOf(req, sql), (req.body as { code: string }).code),
  );
}
