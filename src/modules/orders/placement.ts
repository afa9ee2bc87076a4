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
import { actorLabel, partyScope, seesWholeTenant, whoOf } from '../auth/index.ts';
import { emitWebhookEvent } from '../webhooks/index.ts';
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

/** The buyer, and whom it buys from (a distributor from the brand, a store from its distributor), in one query. */
async function buyerAndSeller(tx: Tx, ctx: RequestContext, buyerCode: string | undefined): Promise<{ buyer: Party; seller: Party | null }> {
  const t = ctx.actor.tenantId;
  const own = ctx.actor.partyId;
  if (!buyerCode && !own) throw AppError.field('/body/buyer', 'order.buyer_required', { value: null });
  const [row] = await tx<(Party & { seller_id: number | null; seller_kind: string | null; seller_code: string | null })[]>`
    select b.id::int, b.kind, b.code, b.parent_id::int, s.id::int as seller_id, s.kind as seller_kind, s.code as seller_code
    from parties b
    left join lateral (
      select x.id, x.kind, x.code from parties x
      where x.tenant_id = b.tenant_id and (case when b.kind = 'store' then x.id = b.parent_id else x.kind = 'brand' end)
      order by x.id limit 1
    ) s on true
    where b.tenant_id = ${t} and ${buyerCode ? tx`b.code = ${buyerCode}` : tx`b.id = ${own as number}`}`;
  if (!row) throw AppError.field('/body/buyer', 'order.unknown_buyer', { value: buyerCode ?? null });
  // channel staff order for their own party only; brand staff may place an order on a customer's behalf
  if (!seesWholeTenant(ctx.actor) && ctx.actor.role !== 'brand_sales' && row.id !== own)
    throw AppError.forbidden('order.not_your_party', { value: row.code });
  if (row.kind !== 'distributor' && row.kind !== 'store') throw AppError.field('/body/buyer', 'order.not_a_customer', { value: row.code });
  const buyer = { id: row.id, kind: row.kind, code: row.code, parent_id: row.parent_id };
  const seller =
    row.seller_id == null ? null : { id: row.seller_id, kind: row.seller_kind as string, code: row.seller_code as string, parent_id: null };
  return { buyer, seller };
}

function existingOrder(tx: Tx, tenantId: number, buyerId: number, key: string | undefined) {
  return key
    ? tx<{ id: number; order_no: string; status: string; total_fen: string; approval_reasons: string[] }[]>`
        select id::int, order_no, status, total_fen, approval_reasons from orders
        where tenant_id = ${tenantId} and buyer_party_id = ${buyerId} and idempotency_key = ${key}`
    : Promise.resolve([]);
}

export async function placeOrder(ctx: RequestContext, input: PlaceOrderInput): Promise<PlacedOrder> {
  const attempt = () => ctx.sql.begin((tx) => placeIn(tx, ctx, input));
  // two submissions with one key at the same instant: the loser finds the winner's order
  return attempt().catch((e) => (isUniqueViolation(e) && input.idempotencyKey ? attempt() : Promise.reject(e)));
}

/**
 * Four round trips, whatever the number of lines: who buys from whom; then (pipelined) the earlier order with this
 * key, the products, the rules, the funds and the order id; then the prices and the seller's stock; then every
 * write (the reservation refuses the order when the funds do not cover it).
 */
async function placeIn(tx: Tx, ctx: RequestContext, input: PlaceOrderInput): Promise<PlacedOrder> {
  const t = ctx.actor.tenantId;
  const { buyer, seller } = await buyerAndSeller(tx, ctx, input.buyer);
  if (!seller) throw AppError.field('/body/buyer', 'order.no_supplier', { value: buyer.code });
  const skus = [...new Set(input.lines.map((l) => l.sku))];
  const [[first], products, [settings], [history], funds, [next]] = await Promise.all([
    existingOrder(tx, t, buyer.id, input.idempotencyKey),
    tx<{ id: number; sku: string; gtin: string; status: string; min_qty: number | null; multiple_of: number | null }[]>`
      select p.id::int, p.sku, p.gtin, p.status, r.min_qty, r.multiple_of from products p
      left join order_rules r on r.tenant_id = p.tenant_id and r.product_id = p.id
      where p.tenant_id = ${t} and p.sku = any(${skus}::text[])`,
    tx<{ approval_amount_fen: string; approve_first_order: boolean; approve_on_credit: boolean }[]>`
      select approval_amount_fen, approve_first_order, approve_on_credit from order_settings where tenant_id = ${t}`,
    tx<{ placed: boolean }[]>`select exists (select 1 from orders where tenant_id = ${t} and buyer_party_id = ${buyer.id}) as placed`,
    tx<{ kind: string; balance_fen: string }[]>`
      select kind, balance_fen from funds_accounts where tenant_id = ${t} and party_id = ${buyer.id} and kind in ('prepaid', 'reserved')`,
    tx<{ id: number; order_no: string }[]>`
      select nextval(pg_get_serial_sequence('orders', 'id'))::int as id,
        'SO' || to_char(now(), 'YYYYMMDD') || lpad(nextval('order_numbers')::text, 7, '0') as order_no`,
  ]);
  if (first)
    return {
      id: first.id,
      orderNo: first.order_no,
      status: first.status,
      totalFen: Number(first.total_fen),
      approvalReasons: first.approval_reasons,
      replayed: true,
    };
  const errors: FieldError[] = [];
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
  const [prices, stock] = await Promise.all([
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
  const prepaid = funds.find((f) => f.kind === 'prepaid');
  const reasons: string[] = [];
  if (total >= Number(settings?.approval_amount_fen ?? 5_000_000)) reasons.push('amount');
  if ((settings?.approve_first_order ?? true) && !history?.placed) reasons.push('first_order');
  if ((settings?.approve_on_credit ?? true) && Number(prepaid?.balance_fen ?? 0) < total) reasons.push('credit');
  const status = reasons.length ? 'pending_approval' : 'approved';
  const id = Number(next?.id);
  const orderNo = next?.order_no as string;

  // every write at once, pipelined on the transaction's connection
  await Promise.all([
    funds.length < 2 ? ensureAccounts(tx, t, [buyer.id], ['prepaid', 'reserved', 'external']) : Promise.resolve(),
    tx`
      insert into orders (tenant_id, id, order_no, buyer_party_id, seller_party_id, type, status, total_fen, reserved_fen, approval_reasons,
        idempotency_key, note, created_by)
      values (${t}, ${id}, ${orderNo}, ${buyer.id}, ${seller.id}, ${input.type ?? 'normal'}, ${status}, ${total}, ${total}, ${reasons},
        ${input.idempotencyKey ?? null}, ${input.note ?? null}, ${actorLabel(ctx.actor)})`,
  ]);
  await Promise.all([
    // the reservation refuses the whole order when the funds (prepaid plus credit) do not cover it
    total > 0
      ? transfer(tx, t, {
          kind: 'reserve',
          from: { partyId: buyer.id, kind: 'prepaid' },
          to: { partyId: buyer.id, kind: 'reserved' },
          amountFen: total,
          orderId: id,
          actor: actorLabel(ctx.actor),
        })
      : Promise.resolve(),
    tx`
      insert into order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen, amount_fen, price_rule, available_qty)
      select ${t}, ${id}, x.n, x.product, x.qty, x.price, x.amount, x.rule::jsonb, x.available
      from unnest(${priced.map((_, i) => i + 1)}::int[], ${priced.map((l) => l.product.id)}::bigint[], ${priced.map((l) => l.quantity)}::int[],
        ${priced.map((l) => l.price.unitPriceFen)}::bigint[], ${priced.map((l) => l.amountFen)}::bigint[],
        ${priced.map((l) => JSON.stringify(l.price.rule))}::text[], ${priced.map((l) => l.available)}::bigint[])
        as x(n, product, qty, price, amount, rule, available)`,
    tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${id}, 'placed', ${actorLabel(ctx.actor)}, ${tx.json({ totalFen: total, approvalReasons: reasons } as never)})`,
    emitWebhookEvent(tx, t, 'order.placed', {
      orderId: id,
      orderNo,
      status,
      buyer: buyer.code,
      seller: seller.code,
      totalFen: total,
      approvalReasons: reasons,
      lines: priced.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceFen: l.price.unitPriceFen })),
    }),
  ]);
  return { id, orderNo, status, totalFen: total, approvalReasons: reasons, replayed: false };
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
        actor: actorLabel(ctx.actor),
      });
    await tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${orderId}, ${rule.to}, ${actorLabel(ctx.actor)}, ${tx.json({ reason: reason ?? null } as never)})`;
    await emitWebhookEvent(tx, t, `order.${rule.to}` as 'order.approved' | 'order.rejected' | 'order.cancelled', {
      orderId,
      orderNo: o.order_no,
      status: rule.to,
      reason: reason ?? null,
    });
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
