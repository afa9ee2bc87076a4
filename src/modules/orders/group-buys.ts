/**
 * Group buys (团购): a seller offers one product at one price to its customers; the group forms when `min_buyers`
 * distinct buyers have ordered before it ends. Until then the orders that joined wait (status awaiting_group, funds
 * reserved); when it forms they are released for shipping at once; when it ends without enough buyers it fails and
 * its waiting orders are cancelled, their funds released. Joining is an order of type group_buy naming the group buy
 * (placement-batch.ts); forming happens in the same transaction as the order that completes the group.
 */
import type { RequestContext } from '../../context.ts';
import type { Sql, Tx } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { actorLabel, whoOf } from '../auth/index.ts';
import { transfer } from './funds.ts';
import { emitOrderWebhooks } from './order-webhooks.ts';
import type { GroupBuyRow } from './placement-batch.ts';
import type { ResolvedPrice } from './pricing.ts';

export function groupBuyPrice(g: GroupBuyRow): ResolvedPrice {
  return { unitPriceFen: Number(g.unit_price_fen), rule: { priceListId: g.id, code: g.code, scope: 'group_buy', priority: 0, minQty: 1 } };
}

export interface GroupBuyInput {
  code: string;
  name: string;
  sku: string;
  unitPriceFen: number;
  minBuyers: number;
  endsAt: string;
}

/** The brand's staff open group buys for distributors; a distributor opens them for its stores. */
export async function createGroupBuy(ctx: RequestContext, input: GroupBuyInput) {
  const t = ctx.actor.tenantId;
  const endsAt = new Date(input.endsAt);
  if (Number.isNaN(endsAt.getTime()) || endsAt.getTime() <= Date.now())
    throw AppError.field('/body/endsAt', 'group_buy.ends_in_past', { value: input.endsAt });
  const seller = ctx.actor.role.startsWith('distributor') ? ctx.actor.partyId : null;
  return ctx.sql.begin(async (tx) => {
    const [p] = await tx<
      { id: number }[]
    >`select id::int from products where tenant_id = ${t} and sku = ${input.sku} and status = 'active'`;
    if (!p) throw AppError.field('/body/sku', 'order.unknown_sku', { value: input.sku });
    try {
      const [g] = await tx<{ id: number }[]>`
        insert into group_buys (tenant_id, code, name, seller_party_id, product_id, unit_price_fen, min_buyers, ends_at, created_by)
        values (${t}, ${input.code}, ${input.name}, ${seller}, ${p.id}, ${input.unitPriceFen}, ${input.minBuyers}, ${endsAt}, ${actorLabel(ctx.actor)})
        returning id::int`;
      await appendAudit(tx, whoOf(ctx), {
        action: 'group_buy.create',
        entityType: 'group_buy',
        entityId: g?.id as number,
        details: { ...input },
      });
      return { id: g?.id as number, code: input.code, status: 'open' };
    } catch (e) {
      if (isUniqueViolation(e)) throw AppError.field('/body/code', 'group_buy.code_taken', { value: input.code });
      throw e;
    }
  });
}

/** Group buys the caller sells or can join, with how many buyers have joined. */
export async function listGroupBuys(ctx: RequestContext) {
  const t = ctx.actor.tenantId;
  const a = ctx.actor;
  // a store sees its distributor's group buys, a distributor the brand's and its own, brand staff every one
  const sellerFilter = a.role.startsWith('store')
    ? ctx.sql`g.seller_party_id = (select parent_id from parties where tenant_id = ${t} and id = ${a.partyId ?? -1})`
    : a.role.startsWith('distributor')
      ? ctx.sql`(g.seller_party_id is null or g.seller_party_id = ${a.partyId ?? -1})`
      : ctx.sql`true`;
  const rows = await ctx.sql<
    { code: string; name: string; sku: string; unit_price_fen: number; min_buyers: number; ends_at: Date; status: string; buyers: number }[]
  >`
    select g.code, g.name, p.sku, g.unit_price_fen::int as unit_price_fen, g.min_buyers, g.ends_at, g.status,
      (select count(distinct o.buyer_party_id)::int from orders o
        where o.tenant_id = g.tenant_id and o.group_buy_id = g.id and o.status not in ('rejected', 'cancelled')) as buyers
    from group_buys g join products p on p.tenant_id = g.tenant_id and p.id = g.product_id
    where g.tenant_id = ${t} and ${sellerFilter}
    order by g.ends_at desc limit 200`;
  return rows.map((g) => ({
    code: g.code,
    name: g.name,
    sku: g.sku,
    unitPriceFen: g.unit_price_fen,
    minBuyers: g.min_buyers,
    endsAt: g.ends_at,
    status: g.status,
    buyers: g.buyers,
  }));
}

/**
 * Forms the open group buys among `ids` that have enough distinct buyers (orders not rejected or cancelled), and
 * releases their waiting orders for shipping. The caller holds the group buys' row locks. Returns the formed ids.
 */
export async function formGroupBuys(tx: Tx, t: number, ids: number[], actor: string): Promise<number[]> {
  const formed = await tx<{ id: number; code: string }[]>`
    update group_buys g set status = 'formed', decided_at = now()
    where g.tenant_id = ${t} and g.id = any(${ids}::bigint[]) and g.status = 'open'
      and (select count(distinct o.buyer_party_id) from orders o
           where o.tenant_id = g.tenant_id and o.group_buy_id = g.id and o.status not in ('rejected', 'cancelled')) >= g.min_buyers
    returning g.id::int, g.code`;
  if (!formed.length) return [];
  const released = await tx<{ id: number; order_no: string; group_code: string }[]>`
    update orders o set status = 'approved', updated_at = now()
    from group_buys g
    where o.tenant_id = ${t} and o.group_buy_id = any(${formed.map((g) => g.id)}::bigint[]) and o.status = 'awaiting_group'
      and g.tenant_id = o.tenant_id and g.id = o.group_buy_id
    returning o.id::int, o.order_no, g.code as group_code`;
  await orderEvents(tx, t, released, 'group_formed', actor, 'order.group_formed');
  return formed.map((g) => g.id);
}

/**
 * Group buys past their end without enough buyers fail: their orders still waiting (for the group or for approval)
 * are cancelled and their reserved funds released. Returns the number of group buys that failed.
 */
export async function failExpiredGroupBuys(sql: Sql, t: number): Promise<number> {
  return sql.begin(async (tx) => {
    const failed = await tx<{ id: number }[]>`
      update group_buys set status = 'failed', decided_at = now()
      where tenant_id = ${t} and status = 'open' and ends_at <= now()
      returning id::int`;
    if (!failed.length) return 0;
    // the reserved amounts before the update clears them (the row locks keep them true)
    const cancelled = await tx<{ id: number; order_no: string; buyer: number; reserved: string; group_code: string }[]>`
      select o.id::int, o.order_no, o.buyer_party_id::int as buyer, o.reserved_fen as reserved, g.code as group_code
      from orders o join group_buys g on g.tenant_id = o.tenant_id and g.id = o.group_buy_id
      where o.tenant_id = ${t} and o.group_buy_id = any(${failed.map((f) => f.id)}::bigint[]) and o.status in ('awaiting_group', 'pending_approval')
      order by o.id for update of o`;
    await tx`update orders set status = 'cancelled', reserved_fen = 0, updated_at = now()
      where tenant_id = ${t} and id = any(${cancelled.map((o) => o.id)}::bigint[])`;
    for (const o of cancelled)
      if (Number(o.reserved) > 0)
        await transfer(tx, t, {
          kind: 'release',
          from: { partyId: o.buyer, kind: 'reserved' },
          to: { partyId: o.buyer, kind: 'prepaid' },
          amountFen: Number(o.reserved),
          orderId: o.id,
          actor: 'system:group-buy',
        });
    await orderEvents(tx, t, cancelled, 'cancelled', 'system:group-buy', 'order.cancelled', 'group_buy_failed');
    return failed.length;
  });
}

async function orderEvents(
  tx: Tx,
  t: number,
  orders: { id: number; order_no: string; group_code: string }[],
  kind: string,
  actor: string,
  webhook: 'order.group_formed' | 'order.cancelled',
  reason?: string,
) {
  if (!orders.length) return;
  const status = kind === 'cancelled' ? 'cancelled' : 'approved';
  await Promise.all([
    tx`
      insert into order_events (tenant_id, order_id, kind, actor, details)
      select ${t}, x.o, ${kind}, ${actor}, jsonb_build_object('groupBuy', x.g, 'reason', ${reason ?? null}::text)
      from unnest(${orders.map((o) => o.id)}::bigint[], ${orders.map((o) => o.group_code)}::text[]) as x(o, g)`,
    emitOrderWebhooks(
      tx,
      t,
      orders.map((o) => ({
        type: webhook,
        payload: { orderId: o.id, orderNo: o.order_no, status, groupBuy: o.group_code, reason: reason ?? null },
      })),
    ),
  ]);
}
