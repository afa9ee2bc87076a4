/**
 * Channel stock: what each party holds (on hand, on its way to it, sold) by product and lot, from the scans'
 * stock projection plus manual adjustments with a reason, with days of supply from recent sell-through (stock-list.ts); safety-stock levels per party and product, and the
 * alerts of those below them (and a webhook when an adjustment crosses a level). Everyone sees the stock of the parties in their data scope (the brand all of it,
 * a distributor its own and its stores').
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { actorLabel, partyScope, whoOf } from '../auth/index.ts';
import { ADJUSTMENT_REASONS, type AdjustmentReason, adjustStock } from './adjustments.ts';
import { businessToday, DEFAULT_WINDOW_DAYS, windowOf } from './sell-through.ts';
import { listStock } from './stock-list.ts';

export async function inventoryRoutes(api: FastifyInstance, sql: Sql) {
  api.get(
    '/stock',
    {
      config: { access: 'stock:read' },
      schema: {
        tags: ['inventory'],
        summary:
          'Stock by party, product and lot (units): on hand, in transit towards the party, sold; and days of supply from ' +
          'the units out per day over the window (by=sku sums the lots and lists stock-outs too)',
        querystring: strictObject({
          party: Type.Optional(Type.String()),
          sku: Type.Optional(Type.String()),
          by: Type.Optional(Type.Union([Type.Literal('lot'), Type.Literal('sku')], { default: 'lot' })),
          windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: DEFAULT_WINDOW_DAYS })),
          asOf: Type.Optional(Type.String({ format: 'date' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
        }),
      },
    },
    async (req) => {
      const q = req.query as { party?: string; sku?: string; by?: 'lot' | 'sku'; windowDays?: number; asOf?: string; limit?: number };
      return listStock(ctxOf(req, sql), {
        party: q.party,
        sku: q.sku,
        by: q.by ?? 'lot',
        limit: q.limit ?? 200,
        window: windowOf(q.asOf ?? businessToday(new Date()), q.windowDays ?? DEFAULT_WINDOW_DAYS),
      });
    },
  );

  api.post(
    '/stock/adjustments',
    {
      config: { access: 'stock:write' },
      schema: {
        tags: ['inventory'],
        summary: 'Adjust a party’s stock with a reason (a count, damage, samples...); audited',
        body: strictObject({
          party: Type.String({ minLength: 1 }),
          sku: Type.String({ minLength: 1 }),
          lot: Type.Optional(Type.String({ maxLength: 40 })),
          delta: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 }),
          reason: Type.Union(ADJUSTMENT_REASONS.map((r) => Type.Literal(r))),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as { party: string; sku: string; lot?: string; delta: number; reason: string; note?: string };
      if (b.delta === 0) throw AppError.field('/body/delta', 'stock.zero_adjustment', {});
      const result = await sql.begin(async (tx) => {
        const [party] = await tx<
          { id: number }[]
        >`select p.id::int from parties p where ${partyScope(sql, ctx.actor)} and p.code = ${b.party}`;
        if (!party) throw AppError.field('/body/party', 'stock.unknown_party', { value: b.party });
        const [unit] = await tx<{ gtin: string }[]>`
          select pl.gtin from products p join packaging_levels pl on pl.tenant_id = p.tenant_id and pl.product_id = p.id and pl.level = 'unit'
          where p.tenant_id = ${t} and p.sku = ${b.sku}`;
        if (!unit) throw AppError.field('/body/sku', 'stock.unknown_sku', { value: b.sku });
        const done = await adjustStock(tx, t, {
          holder: { id: party.id, code: b.party },
          gtin: unit.gtin,
          sku: b.sku,
          lot: b.lot ?? '',
          delta: b.delta,
          reason: b.reason as AdjustmentReason,
          note: b.note,
          actor: actorLabel(ctx.actor),
        });
        if ('wouldGoNegative' in done)
          throw AppError.field('/body/delta', 'stock.would_go_negative', { delta: b.delta, onHand: done.onHand });
        await appendAudit(tx, whoOf(ctx), {
          action: 'stock.adjust',
          entityType: 'stock_adjustment',
          entityId: done.id,
          details: { party: b.party, sku: b.sku, lot: b.lot ?? '', delta: b.delta, reason: b.reason },
        });
        return { id: done.id, onHand: done.onHand };
      });
      return reply.status(201).send(result);
    },
  );

  api.put(
    '/stock/safety',
    {
      config: { access: 'stock:write' },
      schema: {
        tags: ['inventory'],
        summary: 'Set safety-stock levels (units) per party and product',
        body: strictObject({
          levels: Type.Array(
            strictObject({ party: Type.String(), sku: Type.String(), minUnits: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }),
            {
              minItems: 1,
              maxItems: 10_000,
            },
          ),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const { levels } = req.body as { levels: { party: string; sku: string; minUnits: number }[] };
      const [parties, products] = await Promise.all([
        sql<
          { id: number; code: string }[]
        >`select p.id::int, p.code from parties p where ${partyScope(sql, ctx.actor)} and p.code = any(${levels.map((l) => l.party)}::text[])`,
        sql<
          { id: number; sku: string }[]
        >`select id::int, sku from products where tenant_id = ${t} and sku = any(${levels.map((l) => l.sku)}::text[])`,
      ]);
      const partyId = new Map(parties.map((p) => [p.code, p.id]));
      const productId = new Map(products.map((p) => [p.sku, p.id]));
      const errors = levels.flatMap((l, i) => [
        ...(partyId.has(l.party) ? [] : [{ pointer: `/body/levels/${i}/party`, code: 'stock.unknown_party', params: { value: l.party } }]),
        ...(productId.has(l.sku) ? [] : [{ pointer: `/body/levels/${i}/sku`, code: 'stock.unknown_sku', params: { value: l.sku } }]),
      ]);
      if (errors.length) throw AppError.invalid(errors);
      await sql`
        insert into safety_stock (tenant_id, holder_party_id, product_id, min_units)
        select ${t}, * from unnest(${levels.map((l) => partyId.get(l.party) as number)}::bigint[],
          ${levels.map((l) => productId.get(l.sku) as number)}::bigint[], ${levels.map((l) => l.minUnits)}::bigint[])
        on conflict (tenant_id, holder_party_id, product_id) do update set min_units = excluded.min_units, updated_at = now()`;
      return { updated: levels.length };
    },
  );

  api.get(
    '/stock/alerts',
    { config: { access: 'stock:read' }, schema: { tags: ['inventory'], summary: 'Parties and products below their safety stock' } },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const rows = await sql`
        select p.code as party_code, p.name as party_name, pr.sku, pr.name_zh, pr.name_en, ss.min_units::int,
          coalesce(sum(s.on_hand), 0)::int as on_hand, coalesce(sum(s.in_transit_in), 0)::int as in_transit
        from safety_stock ss
        join parties p on p.tenant_id = ss.tenant_id and p.id = ss.holder_party_id
        join products pr on pr.tenant_id = ss.tenant_id and pr.id = ss.product_id
        join packaging_levels pl on pl.tenant_id = pr.tenant_id and pl.product_id = pr.id and pl.level = 'unit'
        left join stock s on s.tenant_id = ss.tenant_id and s.holder_party_id = ss.holder_party_id and s.gtin = pl.gtin
        where ${partyScope(sql, ctx.actor)}
        group by p.code, p.name, pr.sku, pr.name_zh, pr.name_en, ss.min_units
        having coalesce(sum(s.on_hand), 0) < ss.min_units
        order by (ss.min_units - coalesce(sum(s.on_hand), 0)) desc limit 500`;
      return {
        items: rows.map((r) => ({
          party: { code: r.party_code, name: r.party_name },
          sku: r.sku,
          name: ctx.locale === 'en' ? r.name_en : r.name_zh,
          safetyStock: r.min_units,
          onHand: r.on_hand,
          inTransit: r.in_transit,
          short: r.min_units - r.on_hand,
        })),
      };
    },
  );
}
