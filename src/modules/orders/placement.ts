/**
 * Placing an order and moving it through approval and cancellation. Placement is one transaction: the lines are
 * checked (product known and listed for the buyer, quantity a positive whole number, minimum and case multiple),
 * priced with the rule that gave each price, checked against the seller's stock, the total reserved from the
 * buyer's funds, and the approval rules applied. A retried placement with the same idempotency key returns the
 * first order. Nothing of a refused order is written.
 */
import type { RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { partyScope, seesWholeTenant, whoOf } from '../auth/index.ts';
import { ensureAccounts, transfer } from './funds.ts';
import { resolvePrices } from './pricing.ts';

export interface OrderLineInput {
  sku: string;
  quantity: number;
  /** the unit price the buyer saw; a different current price refuses the line (order.price_changed) */
  expectedUnitPriceFen?: number;
}

export interface PlaceOrderInput {
  /** the buying party's code; staff of a distributor or store order for their own party */
  buyer?: string;
  type?: 'normal' | 'presale' | 'group_buy';
  lines: OrderLineInput[];
  note?: string;
  idempotencyKey?: string;
}

interface Party {
  id: number;
  kind: string;
  code: string;
  parent_id: number | null;
}

export interface PlacedOrder {
  id: number;
  orderNo: string;
  status: string;
  totalFen: number;
  approvalReasons: string[];
  /** true when the idempotency key found an order placed before */
  replayed: boolean;
}

const actorName = (ctx: RequestContext) => `${ctx.actor.kind}:${ctx.actor.id}`;

/** The buyer, and whom it buys from: a distributor from the brand, a store from its distributor. */
async function buyerAndSeller(tx: Tx, ctx: RequestContext, buyerCode: string | undefined): Promise<{ buyer: Party; seller: Party }> {
  const t = ctx.actor.tenantId;
  const own = ctx.actor.partyId;
  const [buyer] = buyerCode
    ? await tx<Party[]>`select id::int, kind, code, parent_id::int from parties where tenant_id = ${t} and code = ${buyerCode}`
    : own
      ? await tx<Party[]>`select id::int, kind, code, parent_id::int from parties where tenant_id = ${t} and id = ${own}`
      : [];
  if (!buyer) throw AppError.field('/body/buyer', buyerCode ? 'order.unknown_buyer' : 'order.buyer_required', { value: buyerCode ?? null });
  // channel staff order for their own party only; brand staff may place an order on a customer's behalf
  if (!seesWholeTenant(ctx.actor) && ctx.actor.role !== 'brand_sales' && buyer.id !== own)
    throw AppError.forbidden('order.not_your_party', { value: buyer.code });
  if (buyer.kind !== 'distributor' && buyer.kind !== 'store')
    throw AppError.field('/body/buyer', 'order.not_a_customer', { value: buyer.code });
  const [seller] =
    buyer.kind === 'store' && buyer.parent_id
      ? await tx<Party[]>`select id::int, kind, code, parent_id::int from parties where tenant_id = ${t} and id = ${buyer.parent_id}`
      : await tx<
          Party[]
        >`select id::int, kind, code, parent_id::int from parties where tenant_id = ${t} and kind = 'brand' order by id limit 1`;
  if (!seller) throw AppError.field('/body/buyer', 'order.no_supplier', { value: buyer.code });
  return { buyer, seller };
}

async function existingOrder(tx: Tx, tenantId: number, buyerId: number, key: string): Promise<PlacedOrder | null> {
  const [o] = await tx<{ id: number; order_no: string; status: string; total_fen: string; approval_reasons: string[] }[]>`
    select id::int, order_no, status, total_fen, approval_reasons from orders
    where tenant_id = ${tenantId} and buyer_party_id = ${buyerId} and idempotency_key = ${key}`;
  return o
    ? {
        id: o.id,
        orderNo: o.order_no,
        status: o.status,
        totalFen: Number(o.total_fen),
        approvalReasons: o.approval_reasons,
        replayed: true,
      }
    : null;
}

export async function placeOrder(ctx: RequestContext, input: PlaceOrderInput): Promise<PlacedOrder> {
  const attempt = () => ctx.sql.begin((tx) => placeIn(tx, ctx, input));
  // two submissions with one key at the same instant: the loser finds the winner's order
  return attempt().catch((e) => (isUniqueViolation(e) && input.idempotencyKey ? attempt() : Promise.reject(e)));
}

async function placeIn(tx: Tx, ctx: RequestContext, input: PlaceOrderInput): Promise<PlacedOrder> {
  const t = ctx.actor.tenantId;
  const { buyer, seller } = await buyerAndSeller(tx, ctx, input.buyer);
  if (input.idempotencyKey) {
    const first = await existingOrder(tx, t, buyer.id, input.idempotencyKey);
    if (first) return first;
  }
  const errors: FieldError[] = [];
  const skus = [...new Set(input.lines.map((l) => l.sku))];
  const products = await tx<
    { id: number; sku: string; gtin: string; status: string; min_qty: number | null; multiple_of: number | null }[]
  >`
    select p.id::int, p.sku, p.gtin, p.status, r.min_qty, r.multiple_of from products p
    left join order_rules r on r.tenant_id = p.tenant_id and r.product_id = p.id
    where p.tenant_id = ${t} and p.sku = any(${skus}::text[])`;
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    const p = bySku.get(l.sku);
    if (!p || p.status !== 'active') errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.unknown_sku', params: { value: l.sku } });
    else if (seen.has(l.sku)) errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.duplicate_line', params: { value: l.sku } });
    seen.add(l.sku);
    if (!Number.isInteger(l.quantity) || l.quantity <= 0)
      errors.push({ pointer: `/body/lines/${i}/quantity`, code: 'order.bad_quantity', params: { value: l.quantity } });
    else if (p?.min_qty && l.quantity < p.min_qty)
      errors.push({ pointer: `/body/lines/${i}/quantity`, code: 'order.below_minimum', params: { value: l.quantity, min: p.min_qty } });
    else if (p?.multiple_of && l.quantity % p.multiple_of !== 0)
      errors.push({
        pointer: `/body/lines/${i}/quantity`,
        code: 'order.not_case_multiple',
        params: { value: l.quantity, multiple: p.multiple_of },
      });
  });
  if (errors.length) throw AppError.invalid(errors);

  const lines = input.lines.map((l) => ({ ...l, product: bySku.get(l.sku) as NonNullable<ReturnType<typeof bySku.get>> }));
  const [prices, stock, [history]] = await Promise.all([
    resolvePrices(
      tx,
      t,
      buyer.id,
      seller.kind === 'brand' ? null : seller.id,
      lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
    ),
    // what the seller has on hand: the brand's factories and warehouses, or the distributor itself
    tx<{ gtin: string; on_hand: string }[]>`
      select s.gtin, sum(s.on_hand) as on_hand from stock s join parties h on h.tenant_id = s.tenant_id and h.id = s.holder_party_id
      where s.tenant_id = ${t} and s.gtin = any(${lines.map((l) => l.product.gtin)}::text[])
        and ${seller.kind === 'brand' ? tx`h.kind in ('factory', 'warehouse', 'brand')` : tx`h.id = ${seller.id}`}
      group by s.gtin`,
    tx<{ placed: number }[]>`select count(*)::int as placed from orders where tenant_id = ${t} and buyer_party_id = ${buyer.id}`,
  ]);
  prices.forEach((p, i) => {
    const l = input.lines[i] as OrderLineInput;
    if (!p) errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.sku_not_listed', params: { value: l.sku } });
    else if (l.expectedUnitPriceFen !== undefined && l.expectedUnitPriceFen !== p.unitPriceFen)
      errors.push({
        pointer: `/body/lines/${i}/expectedUnitPriceFen`,
        code: 'order.price_changed',
        params: { value: l.expectedUnitPriceFen, current: p.unitPriceFen },
      });
  });
  if (errors.length) throw AppError.invalid(errors);
  const onHand = new Map(stock.map((s) => [s.gtin, Number(s.on_hand)]));
  const priced = lines.map((l, i) => {
    const p = prices[i] as NonNullable<(typeof prices)[number]>;
    return { ...l, price: p, amountFen: p.unitPriceFen * l.quantity, available: onHand.get(l.product.gtin) ?? 0 };
  });
  const total = priced.reduce((s, l) => s + l.amountFen, 0);

  // approval rules: big orders, a buyer's first order, an order on credit
  const [settings] = await tx<{ approval_amount_fen: string; approve_first_order: boolean; approve_on_credit: boolean }[]>`
    select approval_amount_fen, approve_first_order, approve_on_credit from order_settings where tenant_id = ${t}`;
  await ensureAccounts(tx, t, [buyer.id], ['prepaid', 'reserved', 'external']);
  const [prepaid] = await tx<{ balance_fen: string }[]>`
    select balance_fen from funds_accounts where tenant_id = ${t} and party_id = ${buyer.id} and kind = 'prepaid'`;
  const reasons: string[] = [];
  if (total >= Number(settings?.approval_amount_fen ?? 5_000_000)) reasons.push('amount');
  if ((settings?.approve_first_order ?? true) && history?.placed === 0) reasons.push('first_order');
  if ((settings?.approve_on_credit ?? true) && Number(prepaid?.balance_fen ?? 0) < total) reasons.push('credit');

  const [order] = await tx<{ id: number; order_no: string }[]>`
    insert into orders (tenant_id, order_no, buyer_party_id, seller_party_id, type, status, total_fen, reserved_fen, approval_reasons,
      idempotency_key, note, created_by)
    values (${t}, 'SO' || to_char(now(), 'YYYYMMDD') || lpad(nextval('order_numbers')::text, 7, '0'), ${buyer.id}, ${seller.id},
      ${input.type ?? 'normal'}, ${reasons.length ? 'pending_approval' : 'approved'}, ${total}, ${total}, ${reasons},
      ${input.idempotencyKey ?? null}, ${input.note ?? null}, ${actorName(ctx)})
    returning id::int, order_no`;
  const id = Number(order?.id);
  // the reservation refuses the whole order when the funds (prepaid plus credit) do not cover it
  if (total > 0)
    await transfer(tx, t, {
      kind: 'reserve',
      from: { partyId: buyer.id, kind: 'prepaid' },
      to: { partyId: buyer.id, kind: 'reserved' },
      amountFen: total,
      orderId: id,
      actor: actorName(ctx),
    });
  await Promise.all([
    tx`
      insert into order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen, amount_fen, price_rule, available_qty)
      select ${t}, ${id}, x.n, x.product, x.qty, x.price, x.amount, x.rule::jsonb, x.available
      from unnest(${priced.map((_, i) => i + 1)}::int[], ${priced.map((l) => l.product.id)}::bigint[], ${priced.map((l) => l.quantity)}::int[],
        ${priced.map((l) => l.price.unitPriceFen)}::bigint[], ${priced.map((l) => l.amountFen)}::bigint[],
        ${priced.map((l) => JSON.stringify(l.price.rule))}::text[], ${priced.map((l) => l.available)}::bigint[])
        as x(n, product, qty, price, amount, rule, available)`,
    tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${id}, 'placed', ${actorName(ctx)}, ${tx.json({ totalFen: total, approvalReasons: reasons } as never)})`,
  ]);
  return {
    id,
    orderNo: order?.order_no as string,
    status: reasons.length ? 'pending_approval' : 'approved',
    totalFen: total,
    approvalReasons: reasons,
    replayed: false,
  };
}

type Decision = 'approve' | 'reject' | 'cancel';
const TRANSITIONS: Record<Decision, { from: string[]; to: string; releases: boolean }> = {
  approve: { from: ['pending_approval'], to: 'approved', releases: false },
  reject: { from: ['pending_approval'], to: 'rejected', releases: true },
  cancel: { from: ['pending_approval', 'approved'], to: 'cancelled', releases: true },
};

/** Approves, rejects or cancels an order (audited); rejecting or cancelling releases its reserved funds. */
export async function decideOrder(ctx: RequestContext, orderId: number, decision: Decision, reason?: string) {
  const t = ctx.actor.tenantId;
  return ctx.sql.begin(async (tx) => {
    const [o] = await tx<
      { id: number; status: string; buyer_party_id: number; seller_party_id: number; reserved_fen: string; order_no: string }[]
    >`
      select id::int, status, buyer_party_id::int, seller_party_id::int, reserved_fen, order_no from orders
      where tenant_id = ${t} and id = ${orderId} for update`;
    if (!o || !(await visibleTo(tx, ctx, o))) throw AppError.notFound();
    const rule = TRANSITIONS[decision];
    // approval is the seller's (the brand for distributors, the distributor for its stores); cancelling is also the buyer's
    const own = ctx.actor.partyId;
    const sellerSide = seesWholeTenant(ctx.actor) || ctx.actor.role === 'brand_sales' || own === o.seller_party_id;
    if (!sellerSide && !(decision === 'cancel' && own === o.buyer_party_id)) throw AppError.forbidden('order.not_yours_to_decide');
    if (!rule.from.includes(o.status))
      throw new AppError(409, 'order.wrong_status', { status: o.status, decision }, [
        { pointer: '/params/id', code: 'order.wrong_status', params: { status: o.status, decision } },
      ]);
    await tx`update orders set status = ${rule.to}, reserved_fen = ${rule.releases ? 0 : Number(o.reserved_fen)}, updated_at = now()
      where tenant_id = ${t} and id = ${orderId}`;
    if (rule.releases && Number(o.reserved_fen) > 0)
      await transfer(tx, t, {
        kind: 'release',
        from: { partyId: o.buyer_party_id, kind: 'reserved' },
        to: { partyId: o.buyer_party_id, kind: 'prepaid' },
        amountFen: Number(o.reserved_fen),
        orderId,
        actor: actorName(ctx),
      });
    await tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${orderId}, ${rule.to}, ${actorName(ctx)}, ${tx.json({ reason: reason ?? null } as never)})`;
    await appendAudit(tx, whoOf(ctx), {
      action: `order.${decision}`,
      entityType: 'order',
      entityId: orderId,
      details: { orderNo: o.order_no, reason: reason ?? null },
    });
    return { id: orderId, status: rule.to };
  });
}

/** Brand staff who see the whole tenant see every order; others the orders whose buyer or seller is in their scope. */
export async function visibleTo(
  tx: Tx | RequestContext['sql'],
  ctx: RequestContext,
  o: { buyer_party_id: number; seller_party_id: number },
) {
  if (seesWholeTenant(ctx.actor)) return true;
  const [r] = await tx<{ n: number }[]>`
    select count(*)::int as n from parties p where ${partyScope(ctx.sql, ctx.actor)} and p.id in (${o.buyer_party_id}, ${o.seller_party_id})`;
  return (r?.n ?? 0) > 0;
}
