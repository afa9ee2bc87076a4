/** /api/v1 routes of what follows a delivery: receipt differences (declare, close, resolve) and returns. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { Id, IdParams, strictObject } from '../../http/schemas.ts';
import { resolveDifference } from './difference-resolution.ts';
import { visibleTo } from './placement.ts';
import { closeReceipt, type DeclareBody, declareDifference, listDifferences, type Resolution } from './receipt-differences.ts';
import { createReturn, listReturns, RETURN_REASONS, type ReturnReason, receiveReturn } from './returns.ts';

const Codes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 5000 });
const ScanId = Type.String({ format: 'uuid' });
const Note = Type.String({ maxLength: 500 });
const OrderAnd = (name: string) => strictObject({ id: Id(), [name]: Id() });

/** The order, if the caller may see it (404 otherwise). */
async function visibleOrder(sql: Sql, req: Parameters<typeof ctxOf>[0], id: number) {
  const ctx = ctxOf(req, sql);
  const [o] = await sql<{ buyer_party_id: number; seller_party_id: number }[]>`
    select buyer_party_id::int, seller_party_id::int from orders where tenant_id = ${ctx.actor.tenantId} and id = ${id}`;
  if (!o || !(await visibleTo(sql, ctx, o))) throw AppError.notFound();
  return ctx;
}

export async function afterSalesRoutes(api: FastifyInstance, sql: Sql) {
  api.post(
    '/orders/:id/receipts/close',
    {
      config: { access: 'orders:receive' },
      schema: {
        tags: ['orders'],
        summary: 'Close the receipt: every shipped code not received becomes a "short" difference',
        params: IdParams,
        body: strictObject({ scanId: ScanId, note: Type.Optional(Note) }),
      },
    },
    async (req, reply) => {
      const out = await closeReceipt(ctxOf(req, sql), (req.params as { id: number }).id, req.body as { scanId: string; note?: string });
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );

  api.get(
    '/orders/:id/differences',
    { config: { access: 'orders:read' }, schema: { tags: ['orders'], summary: "An order's receipt differences", params: IdParams } },
    async (req) => {
      const { id } = req.params as { id: number };
      const ctx = await visibleOrder(sql, req, id);
      return { items: await listDifferences(sql, ctx, id) };
    },
  );

  api.post(
    '/orders/:id/differences',
    {
      config: { access: 'orders:receive' },
      schema: {
        tags: ['orders'],
        summary: 'Declare a difference: shipped codes that did not arrive (short), or received codes or a quantity that arrived damaged',
        params: IdParams,
        body: strictObject({
          scanId: ScanId,
          kind: Type.Union([Type.Literal('short'), Type.Literal('damaged')]),
          codes: Type.Optional(Codes),
          sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          // a number so that 1.5 or -2 reach the rule and come back as order.bad_quantity
          quantity: Type.Optional(Type.Number({ maximum: 1_000_000_000 })),
          note: Type.Optional(Note),
          photoRef: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
        }),
      },
    },
    async (req, reply) => {
      const out = await declareDifference(ctxOf(req, sql), (req.params as { id: number }).id, req.body as DeclareBody);
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );

  api.post(
    '/orders/:id/differences/:differenceId/resolve',
    {
      config: { access: 'orders:decide' },
      schema: {
        tags: ['orders'],
        summary: "Resolve a difference (the seller's side): credit, reship or write_off; the same resolution again answers with the first",
        params: OrderAnd('differenceId'),
        body: strictObject({
          resolution: Type.Union([Type.Literal('credit'), Type.Literal('reship'), Type.Literal('write_off')]),
          note: Type.Optional(Note),
        }),
      },
    },
    async (req, reply) => {
      const p = req.params as { id: number; differenceId: number };
      const out = await resolveDifference(ctxOf(req, sql), p.id, p.differenceId, req.body as { resolution: Resolution; note?: string });
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );

  api.get(
    '/orders/:id/returns',
    { config: { access: 'orders:read' }, schema: { tags: ['orders'], summary: "An order's returns", params: IdParams } },
    async (req) => {
      const { id } = req.params as { id: number };
      const ctx = await visibleOrder(sql, req, id);
      return { items: await listReturns(sql, ctx.actor.tenantId, id) };
    },
  );

  api.post(
    '/orders/:id/returns',
    {
      config: { access: 'orders:receive' },
      schema: {
        tags: ['orders'],
        summary: 'Return goods of a delivered order to the seller by scanning them, with a reason',
        params: IdParams,
        body: strictObject({
          scanId: ScanId,
          reason: Type.Union(RETURN_REASONS.map((r) => Type.Literal(r))),
          codes: Codes,
          note: Type.Optional(Note),
        }),
      },
    },
    async (req, reply) => {
      const out = await createReturn(
        ctxOf(req, sql),
        (req.params as { id: number }).id,
        req.body as { scanId: string; reason: ReturnReason; codes: string[]; note?: string },
      );
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );

  api.post(
    '/orders/:id/returns/:returnId/receipts',
    {
      config: { access: 'orders:ship' },
      schema: {
        tags: ['orders'],
        summary: "The seller receives a return: the scanned codes, or all of it still on its way; the buyer's funds are credited",
        params: OrderAnd('returnId'),
        body: strictObject({ scanId: ScanId, codes: Type.Optional(Codes) }),
      },
    },
    async (req, reply) => {
      const p = req.params as { id: number; returnId: number };
      const out = await receiveReturn(ctxOf(req, sql), p.id, p.returnId, req.body as { scanId: string; codes?: string[] });
      return reply.status(out.replayed ? 200 : 201).send(out);
    },
  );
}
