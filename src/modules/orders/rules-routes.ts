/**
 * /api/v1 routes of the rules orders follow: the approval settings, each product's minimum and case multiple,
 * and group buys.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { createGroupBuy, type GroupBuyInput, listGroupBuys } from './group-buys.ts';

const OrderRulesBody = strictObject({
  rules: Type.Array(
    strictObject({
      sku: Type.String({ minLength: 1, maxLength: 64 }),
      minQty: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
      multipleOf: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    }),
    { minItems: 1, maxItems: 10_000 },
  ),
});

export async function orderRulesRoutes(api: FastifyInstance, sql: Sql) {
  const SettingsBody = strictObject({
    approvalAmountFen: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_000 }),
    approveFirstOrder: Type.Boolean(),
    approveOnCredit: Type.Boolean(),
  });
  api.get(
    '/order-settings',
    { config: { access: 'orders:read' }, schema: { tags: ['orders'], summary: 'The approval rules: which orders wait for the seller' } },
    async (req) => {
      const t = ctxOf(req, sql).actor.tenantId;
      const [r] = await sql<{ approval_amount_fen: string; approve_first_order: boolean; approve_on_credit: boolean }[]>`
        select approval_amount_fen, approve_first_order, approve_on_credit from order_settings where tenant_id = ${t}`;
      return {
        approvalAmountFen: Number(r?.approval_amount_fen ?? 5_000_000),
        approveFirstOrder: r?.approve_first_order ?? true,
        approveOnCredit: r?.approve_on_credit ?? true,
      };
    },
  );
  api.put(
    '/order-settings',
    {
      config: { access: 'pricing:write' },
      schema: { tags: ['orders'], summary: 'Set the approval rules (audited)', body: SettingsBody },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const b = req.body as Static<typeof SettingsBody>;
      await sql.begin(async (tx) => {
        await tx`insert into order_settings (tenant_id, approval_amount_fen, approve_first_order, approve_on_credit)
          values (${ctx.actor.tenantId}, ${b.approvalAmountFen}, ${b.approveFirstOrder}, ${b.approveOnCredit})
          on conflict (tenant_id) do update set approval_amount_fen = excluded.approval_amount_fen,
            approve_first_order = excluded.approve_first_order, approve_on_credit = excluded.approve_on_credit`;
        await appendAudit(tx, whoOf(ctx), {
          action: 'order_settings.update',
          entityType: 'order_settings',
          entityId: ctx.actor.tenantId,
          details: b,
        });
      });
      return b;
    },
  );

  api.get(
    '/order-rules',
    {
      config: { access: 'pricing:read' },
      schema: { tags: ['orders'], summary: "Each product's minimum order quantity and case multiple (in units)" },
    },
    async (req) => {
      const t = ctxOf(req, sql).actor.tenantId;
      const items = await sql<{ sku: string; min_qty: number; multiple_of: number }[]>`
        select p.sku, r.min_qty, r.multiple_of from order_rules r join products p on p.tenant_id = r.tenant_id and p.id = r.product_id
        where r.tenant_id = ${t} order by p.sku`;
      return { items: items.map((r) => ({ sku: r.sku, minQty: r.min_qty, multipleOf: r.multiple_of })) };
    },
  );
  api.put(
    '/order-rules',
    {
      config: { access: 'pricing:write' },
      schema: {
        tags: ['orders'],
        summary: 'Set minimum quantities and case multiples (all or nothing, audited); a minimum must be a whole number of cases',
        body: OrderRulesBody,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as Static<typeof OrderRulesBody>;
      return sql.begin(async (tx) => {
        const products = await tx<{ id: number; sku: string }[]>`
          select id::int, sku from products where tenant_id = ${t} and sku = any(${b.rules.map((r) => r.sku)}::text[])`;
        const bySku = new Map(products.map((p) => [p.sku, p.id]));
        const errors = b.rules.flatMap((r, i): FieldError[] =>
          !bySku.has(r.sku)
            ? [{ pointer: `/body/rules/${i}/sku`, code: 'pricing.unknown_product', params: { value: r.sku } }]
            : r.minQty % r.multipleOf !== 0
              ? [
                  {
                    pointer: `/body/rules/${i}/minQty`,
                    code: 'order_rules.min_not_multiple',
                    params: { value: r.minQty, multiple: r.multipleOf },
                  },
                ]
              : [],
        );
        if (errors.length) throw AppError.invalid(errors);
        await tx`
          insert into order_rules (tenant_id, product_id, min_qty, multiple_of)
          select ${t}, x.p, x.min, x.mult from unnest(${b.rules.map((r) => bySku.get(r.sku) as number)}::bigint[],
            ${b.rules.map((r) => r.minQty)}::int[], ${b.rules.map((r) => r.multipleOf)}::int[]) as x(p, min, mult)
          on conflict (tenant_id, product_id) do update set min_qty = excluded.min_qty, multiple_of = excluded.multiple_of`;
        await appendAudit(tx, whoOf(ctx), {
          action: 'order_rules.update',
          entityType: 'order_rules',
          entityId: t,
          details: { rules: b.rules },
        });
        return { updated: b.rules.length };
      });
    },
  );

  api.post(
    '/group-buys',
    {
      config: { access: 'group_buys:manage' },
      schema: {
        tags: ['orders'],
        summary: 'Open a group buy: one product at one price, formed when enough buyers join before it ends',
        body: strictObject({
          code: Type.String({ minLength: 1, maxLength: 40 }),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          sku: Type.String({ minLength: 1, maxLength: 64 }),
          unitPriceFen: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_000 }),
          minBuyers: Type.Integer({ minimum: 2, maximum: 100_000 }),
          endsAt: Type.String({ format: 'date-time' }),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await createGroupBuy(ctxOf(req, sql), req.body as GroupBuyInput)),
  );

  api.get(
    '/group-buys',
    {
      config: { access: 'orders:read' },
      schema: { tags: ['orders'], summary: 'Group buys the caller sells or can join, with buyers joined' },
    },
    async (req) => ({ items: await listGroupBuys(ctxOf(req, sql)) }),
  );
}
