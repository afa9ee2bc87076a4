/**
 * /api/v1 routes of prices: price lists (read, one with its items, create or replace), customer groups, and price
 * resolution that says which rule gave each price.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor } from '../auth/actor.ts';
import { BRAND_ROLES, partyScope, whoOf } from '../auth/index.ts';
import { resolvePrices } from './pricing.ts';

const PriceListBody = strictObject({
  code: Type.String({ minLength: 1, maxLength: 40 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scope: Type.Union([Type.Literal('base'), Type.Literal('group'), Type.Literal('region'), Type.Literal('customer')]),
  groupCode: Type.Optional(Type.String()),
  divisionCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,6}$' })),
  partyCode: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  validFrom: Type.Optional(Type.String({ format: 'date' })),
  validTo: Type.Optional(Type.String({ format: 'date' })),
  items: Type.Array(
    strictObject({
      sku: Type.String({ minLength: 1 }),
      minQty: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
      priceFen: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_000 }),
    }),
    { minItems: 1, maxItems: 5000 },
  ),
});

/**
 * The price lists an actor may read: brand staff all of them; a distributor or store only the lists that reach it
 * (its supplier's base lists, its groups', its region's, its own) and the lists it sells by. One customer's prices
 * are not another's business.
 */
function listsVisibleTo(sql: Sql, actor: Actor) {
  if (BRAND_ROLES.includes(actor.role)) return sql`true`;
  const party = actor.partyId ?? -1;
  const t = actor.tenantId;
  return sql`(pl.seller_party_id = ${party} or (
    (pl.seller_party_id is null or pl.seller_party_id = (select parent_id from parties where tenant_id = ${t} and id = ${party}))
    and (pl.scope = 'base'
      or (pl.scope = 'customer' and pl.party_id = ${party})
      or (pl.scope = 'group' and pl.group_id in (select m.group_id from customer_group_members m where m.tenant_id = ${t} and m.party_id = ${party}))
      or (pl.scope = 'region' and exists (select 1 from parties b where b.tenant_id = ${t} and b.id = ${party} and b.division_code like pl.division_code || '%')))))`;
}

export async function pricingRoutes(api: FastifyInstance, sql: Sql) {
  api.post(
    '/prices/resolve',
    {
      config: { access: 'pricing:read' },
      schema: {
        tags: ['orders'],
        summary: 'The price of each line for a buyer, and the rule that gave it',
        body: strictObject({
          buyer: Type.String({ minLength: 1 }),
          lines: Type.Array(strictObject({ sku: Type.String(), quantity: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }) }), {
            minItems: 1,
            maxItems: 10_000,
          }),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as { buyer: string; lines: { sku: string; quantity: number }[] };
      const [buyer] = await sql<{ id: number; kind: string; parent_id: number | null }[]>`
        select p.id::int, p.kind, p.parent_id::int from parties p where ${partyScope(sql, ctx.actor)} and p.code = ${b.buyer}`;
      if (!buyer) throw AppError.field('/body/buyer', 'order.unknown_buyer', { value: b.buyer });
      const products = await sql<{ id: number; sku: string }[]>`
        select id::int, sku from products where tenant_id = ${t} and sku = any(${[...new Set(b.lines.map((l) => l.sku))]}::text[])`;
      const bySku = new Map(products.map((p) => [p.sku, p.id]));
      const unknown = b.lines.flatMap((l, i) =>
        bySku.has(l.sku) ? [] : [{ pointer: `/body/lines/${i}/sku`, code: 'pricing.unknown_product', params: { value: l.sku } }],
      );
      if (unknown.length) throw AppError.invalid(unknown);
      const prices = await resolvePrices(
        sql,
        t,
        buyer.id,
        buyer.kind === 'store' ? buyer.parent_id : null,
        b.lines.map((l) => ({ productId: bySku.get(l.sku) as number, quantity: l.quantity })),
      );
      return { lines: b.lines.map((l, i) => ({ sku: l.sku, quantity: l.quantity, ...(prices[i] ?? { unitPriceFen: null, rule: null }) })) };
    },
  );

  api.get(
    '/price-lists',
    { config: { access: 'pricing:read' }, schema: { tags: ['orders'], summary: 'Price lists with their item counts' } },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const rows = await sql`
        select pl.id::int, pl.code, pl.name, pl.scope, pl.priority, pl.valid_from, pl.valid_to, pl.active, pl.division_code,
          g.code as group_code, p.code as party_code, (select count(*)::int from price_list_items i where i.tenant_id = pl.tenant_id and i.price_list_id = pl.id) as items
        from price_lists pl
        left join customer_groups g on g.tenant_id = pl.tenant_id and g.id = pl.group_id
        left join parties p on p.tenant_id = pl.tenant_id and p.id = pl.party_id
        where pl.tenant_id = ${ctx.actor.tenantId} and ${listsVisibleTo(sql, ctx.actor)} order by pl.priority desc, pl.code`;
      return { items: rows };
    },
  );

  api.get(
    '/price-lists/:code',
    {
      config: { access: 'pricing:read' },
      schema: {
        tags: ['orders'],
        summary: 'A price list with its items (tiers by minimum quantity), as POST /price-lists takes it',
        params: strictObject({ code: Type.String({ minLength: 1, maxLength: 40 }) }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const { code } = req.params as { code: string };
      const [pl] = await sql<Record<string, unknown>[]>`
        select pl.id::int, pl.code, pl.name, pl.scope, pl.priority, pl.valid_from::text, pl.valid_to::text, pl.active,
          pl.division_code, g.code as group_code, p.code as party_code, p.name as party_name
        from price_lists pl
        left join customer_groups g on g.tenant_id = pl.tenant_id and g.id = pl.group_id
        left join parties p on p.tenant_id = pl.tenant_id and p.id = pl.party_id
        where pl.tenant_id = ${t} and pl.code = ${code} and ${listsVisibleTo(sql, ctx.actor)}`;
      if (!pl) throw AppError.notFound();
      const items = await sql<{ sku: string; min_qty: number; price_fen: number }[]>`
        select pr.sku, i.min_qty, i.price_fen::int as price_fen
        from price_list_items i join products pr on pr.tenant_id = i.tenant_id and pr.id = i.product_id
        where i.tenant_id = ${t} and i.price_list_id = ${pl.id as number} order by pr.sku, i.min_qty`;
      return {
        code: pl.code,
        name: pl.name,
        scope: pl.scope,
        groupCode: pl.group_code ?? null,
        divisionCode: pl.division_code ?? null,
        partyCode: pl.party_code ?? null,
        partyName: pl.party_name ?? null,
        priority: pl.priority,
        validFrom: pl.valid_from ?? null,
        validTo: pl.valid_to ?? null,
        active: pl.active,
        items: items.map((i) => ({ sku: i.sku, minQty: i.min_qty, priceFen: i.price_fen })),
      };
    },
  );

  api.post(
    '/price-lists',
    {
      config: { access: 'pricing:write' },
      schema: { tags: ['orders'], summary: 'Create or replace a price list (by code)', body: PriceListBody },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as Static<typeof PriceListBody>;
      const id = await sql.begin(async (tx) => {
        const [group] = b.groupCode
          ? await tx<{ id: number }[]>`select id::int from customer_groups where tenant_id = ${t} and code = ${b.groupCode}`
          : [];
        const [party] = b.partyCode
          ? await tx<{ id: number }[]>`select id::int from parties where tenant_id = ${t} and code = ${b.partyCode}`
          : [];
        const errors = [
          ...(b.scope === 'group' && !group
            ? [{ pointer: '/body/groupCode', code: 'pricing.unknown_group', params: { value: b.groupCode ?? null } }]
            : []),
          ...(b.scope === 'customer' && !party
            ? [{ pointer: '/body/partyCode', code: 'order.unknown_buyer', params: { value: b.partyCode ?? null } }]
            : []),
          ...(b.scope === 'region' && !b.divisionCode
            ? [{ pointer: '/body/divisionCode', code: 'pricing.division_required', params: {} }]
            : []),
        ];
        const products = await tx<{ id: number; sku: string }[]>`
          select id::int, sku from products where tenant_id = ${t} and sku = any(${b.items.map((i) => i.sku)}::text[])`;
        const bySku = new Map(products.map((p) => [p.sku, p.id]));
        b.items.forEach((it, i) => {
          if (!bySku.has(it.sku))
            errors.push({ pointer: `/body/items/${i}/sku`, code: 'pricing.unknown_product', params: { value: it.sku } });
        });
        if (errors.length) throw AppError.invalid(errors);
        const [row] = await tx<{ id: number }[]>`
          insert into price_lists (tenant_id, code, name, scope, group_id, division_code, party_id, priority, valid_from, valid_to)
          values (${t}, ${b.code}, ${b.name}, ${b.scope}, ${b.scope === 'group' ? (group?.id ?? null) : null},
            ${b.scope === 'region' ? (b.divisionCode ?? null) : null}, ${b.scope === 'customer' ? (party?.id ?? null) : null},
            ${b.priority ?? 0}, ${b.validFrom ?? null}, ${b.validTo ?? null})
          on conflict (tenant_id, code) do update set name = excluded.name, scope = excluded.scope, group_id = excluded.group_id,
            division_code = excluded.division_code, party_id = excluded.party_id, priority = excluded.priority,
            valid_from = excluded.valid_from, valid_to = excluded.valid_to, active = true
          returning id::int`;
        const listId = Number(row?.id);
        await tx`delete from price_list_items where tenant_id = ${t} and price_list_id = ${listId}`;
        await tx`insert into price_list_items (tenant_id, price_list_id, product_id, min_qty, price_fen)
          select ${t}, ${listId}, * from unnest(${b.items.map((i) => bySku.get(i.sku) as number)}::bigint[],
            ${b.items.map((i) => i.minQty ?? 1)}::int[], ${b.items.map((i) => i.priceFen)}::bigint[])
          on conflict do nothing`;
        await appendAudit(tx, whoOf(ctx), {
          action: 'pricing.list',
          entityType: 'price_list',
          entityId: listId,
          details: { code: b.code, items: b.items.length },
        });
        return listId;
      });
      return reply.status(201).send({ id });
    },
  );

  api.get(
    '/customer-groups',
    {
      config: { access: 'pricing:read' },
      schema: {
        tags: ['orders'],
        summary: 'Customer groups with how many of their members the caller may see, and up to 50 of their codes',
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      // members narrowed to the caller's data scope: a distributor learns nothing of other customers' groups
      const rows = await sql<{ code: string; name: string; members: number; sample: string[] | null }[]>`
        select g.code, g.name,
          (select count(*)::int from customer_group_members m join parties p on p.tenant_id = m.tenant_id and p.id = m.party_id
             where m.tenant_id = g.tenant_id and m.group_id = g.id and ${partyScope(sql, ctx.actor)}) as members,
          (select array_agg(x.code) from (select p.code from customer_group_members m
             join parties p on p.tenant_id = m.tenant_id and p.id = m.party_id
             where m.tenant_id = g.tenant_id and m.group_id = g.id and ${partyScope(sql, ctx.actor)} order by p.code limit 50) x) as sample
        from customer_groups g where g.tenant_id = ${t} order by g.code`;
      return { items: rows.map((g) => ({ code: g.code, name: g.name, members: g.members, memberCodes: g.sample ?? [] })) };
    },
  );

  api.post(
    '/customer-groups',
    {
      config: { access: 'pricing:write' },
      schema: {
        tags: ['orders'],
        summary: 'Create a customer group (or add members to it)',
        body: strictObject({
          code: Type.String({ minLength: 1 }),
          name: Type.String({ minLength: 1 }),
          members: Type.Array(Type.String(), { maxItems: 100_000 }),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const t = ctx.actor.tenantId;
      const b = req.body as { code: string; name: string; members: string[] };
      const id = await sql.begin(async (tx) => {
        const [g] = await tx<{ id: number }[]>`
          insert into customer_groups (tenant_id, code, name) values (${t}, ${b.code}, ${b.name})
          on conflict (tenant_id, code) do update set name = excluded.name returning id::int`;
        const found = await tx<
          { id: number; code: string }[]
        >`select id::int, code from parties where tenant_id = ${t} and code = any(${b.members}::text[])`;
        const known = new Set(found.map((f) => f.code));
        const errors = b.members.flatMap((m, i) =>
          known.has(m) ? [] : [{ pointer: `/body/members/${i}`, code: 'order.unknown_buyer', params: { value: m } }],
        );
        if (errors.length) throw AppError.invalid(errors);
        await tx`insert into customer_group_members (tenant_id, group_id, party_id)
          select ${t}, ${Number(g?.id)}, p from unnest(${found.map((f) => f.id)}::bigint[]) p on conflict do nothing`;
        return Number(g?.id);
      });
      return reply.status(201).send({ id });
    },
  );
}
