/**
 * Placing a batch of orders in one transaction (see placement.ts for what placing an order means). Every order of
 * the batch is judged on its own: a refused order (bad line, stale price, funds short, not the caller's party) gets
 * its own error and nothing of it is written, while the others go through. The work is set-based, so a batch of a
 * hundred orders costs the same four round trips and one commit as a batch of one:
 *   1. the buyers and their suppliers, the products and their ordering rules, the approval settings, group buys;
 *   2. earlier orders with the same idempotency keys (and whether they asked for the same: requestHash), which
 *      buyers ordered before, the buyers' funds accounts (locked, in id order so concurrent batches cannot
 *      deadlock), the prices with their rules, the sellers' stock, the new order ids, and the territories of sales
 *      reps ordering on a customer's behalf;
 *   3. every write: orders, lines, timeline, funds movements (entries summing to zero), webhook events;
 *   4. only for group-buy orders: groups that reached their number of buyers are formed.
 * Funds are checked here against the locked balances, order by order in arrival order; the CHECK constraint on
 * funds_accounts still refuses any overdraft the code might miss.
 */

import { createHash } from 'node:crypto';
import type { RequestContext } from '../../context.ts';
import type { Sql, Tx } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { queueOrderedLines } from '../analytics/index.ts';
import { actorLabel, partyScope, scopeKey, seesWholeTenant } from '../auth/index.ts';
import type { WebhookEventType } from '../webhooks/index.ts';
import { ensureAccounts } from './funds.ts';
import { formGroupBuys, groupBuyPrice } from './group-buys.ts';
import { emitOrderWebhooks } from './order-webhooks.ts';
import type { OrderLineInput, PlacedOrder, PlaceOrderInput } from './placement.ts';
import { type ResolvedPrice, resolvePriceQueries } from './pricing.ts';

export interface PlacementRequest {
  ctx: RequestContext;
  input: PlaceOrderInput;
}
export type PlacementResult = { ok: true; order: PlacedOrder } | { ok: false; error: unknown };

interface Party {
  id: number;
  kind: string;
  code: string;
}
interface BuyerRow extends Party {
  parent_id: number | null;
  parent_kind: string | null;
  parent_code: string | null;
}
interface ProductRow {
  id: number;
  sku: string;
  gtin: string;
  status: string;
  min_qty: number | null;
  multiple_of: number | null;
}
export interface GroupBuyRow {
  id: number;
  code: string;
  seller_party_id: number | null;
  product_id: number;
  unit_price_fen: string;
  min_buyers: number;
  ends_at: Date;
  status: string;
}
interface Account {
  id: number;
  balance: number;
  limit: number;
}

/** An order that passed the checks of stage 1, on its way through stage 2. */
interface Candidate {
  index: number;
  req: PlacementRequest;
  buyer: Party;
  seller: Party;
  lines: (OrderLineInput & { product: ProductRow })[];
  group: GroupBuyRow | null;
  /** requestHash of an order sent with an idempotency key (hex), else null */
  hash: string | null;
}

const unique = <T>(xs: Iterable<T>) => [...new Set(xs)];
const keyOf = (buyer: number, key: string) => `${buyer}\u0000${key}`;

/**
 * What an order asks for, as the SHA-256 (hex) of its normalised request: the buyer (as resolved, so naming one's own
 * party or leaving it out is the same), the type, the group buy, the note, and the lines (SKU, quantity, the price
 * the buyer saw) sorted by SKU. The same order sent again, with its fields or lines in another order, hashes the
 * same. The seller is not in it: it is not asked for but follows from the buyer, and a store moved to another
 * distributor between an order and its retry is still sending the same order. Stored with an order placed with an
 * idempotency key; a key used again with another hash is refused (order.key_reused).
 */
export function requestHash(buyerId: number, input: PlaceOrderInput): string {
  const lines = input.lines
    .map((l) => [l.sku, l.quantity, l.expectedUnitPriceFen ?? null] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const normalised = [1, buyerId, input.type ?? 'normal', input.groupBuy ?? null, input.note ?? null, lines];
  return createHash('sha256').update(JSON.stringify(normalised)).digest('hex');
}

/** An idempotency key used before (or earlier in the batch) for an order that asked for something else. */
function keyReused(order: { id: number; orderNo: string }): AppError {
  return new AppError(409, 'order.key_reused', { orderId: order.id, orderNo: order.orderNo });
}

export async function placeBatch(sql: Sql, tenantId: number, reqs: readonly PlacementRequest[]): Promise<PlacementResult[]> {
  return sql.begin((tx) => placeIn(tx, tenantId, reqs));
}

async function placeIn(tx: Tx, t: number, reqs: readonly PlacementRequest[]): Promise<PlacementResult[]> {
  const results: PlacementResult[] = new Array(reqs.length);
  const fail = (i: number, error: unknown) => {
    results[i] = { ok: false, error };
  };

  // --- 1. who buys from whom, what they order, under which rules
  const codes = unique(reqs.flatMap((r) => (r.input.buyer ? [r.input.buyer] : [])));
  const ownIds = unique(reqs.flatMap((r) => (!r.input.buyer && r.ctx.actor.partyId ? [r.ctx.actor.partyId] : [])));
  const skus = unique(reqs.flatMap((r) => r.input.lines.map((l) => l.sku)));
  const groupCodes = unique(reqs.flatMap((r) => (r.input.type === 'group_buy' && r.input.groupBuy ? [r.input.groupBuy] : [])));
  const [buyerRows, products, [settings], [brand], groups] = await Promise.all([
    tx<BuyerRow[]>`
      select b.id::int, b.kind, b.code, p.id::int as parent_id, p.kind as parent_kind, p.code as parent_code
      from parties b left join parties p on p.tenant_id = b.tenant_id and p.id = b.parent_id
      where b.tenant_id = ${t} and (b.code = any(${codes}::text[]) or b.id = any(${ownIds}::bigint[]))`,
    tx<ProductRow[]>`
      select p.id::int, p.sku, p.gtin, p.status, r.min_qty, r.multiple_of from products p
      left join order_rules r on r.tenant_id = p.tenant_id and r.product_id = p.id
      where p.tenant_id = ${t} and p.sku = any(${skus}::text[])`,
    tx<{ approval_amount_fen: string; approve_first_order: boolean; approve_on_credit: boolean }[]>`
      select approval_amount_fen, approve_first_order, approve_on_credit from order_settings where tenant_id = ${t}`,
    tx<Party[]>`select id::int, kind, code from parties where tenant_id = ${t} and kind = 'brand' order by id limit 1`,
    groupCodes.length
      ? tx<GroupBuyRow[]>`
          select id::int, code, seller_party_id::int, product_id::int, unit_price_fen, min_buyers, ends_at, status
          from group_buys where tenant_id = ${t} and code = any(${groupCodes}::text[]) order by id for update`
      : Promise.resolve([] as GroupBuyRow[]),
  ]);
  const byCode = new Map(buyerRows.map((b) => [b.code, b]));
  const byId = new Map(buyerRows.map((b) => [b.id, b]));
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const groupByCode = new Map(groups.map((g) => [g.code, g]));

  const candidates: Candidate[] = [];
  reqs.forEach((req, index) => {
    try {
      candidates.push(judgeRequest(req, index, { byCode, byId, bySku, groupByCode, brand: brand ?? null }));
    } catch (e) {
      fail(index, e);
    }
  });
  if (!candidates.length) return results;

  // --- 2. what the database knows about these buyers, prices and stock
  const buyerIds = unique(candidates.map((c) => c.buyer.id));
  const keyed = candidates.filter((c) => c.req.input.idempotencyKey);
  const priceLines = candidates.flatMap((c) =>
    c.group
      ? []
      : c.lines.map((l) => ({
          buyerPartyId: c.buyer.id,
          sellerPartyId: c.seller.kind === 'brand' ? null : c.seller.id,
          productId: l.product.id,
          quantity: l.quantity,
        })),
  );
  const brandGtins = unique(candidates.flatMap((c) => (c.seller.kind === 'brand' ? c.lines.map((l) => l.product.gtin) : [])));
  const distributorSellers = unique(candidates.flatMap((c) => (c.seller.kind === 'brand' ? [] : [c.seller.id])));
  const distributorGtins = unique(candidates.flatMap((c) => (c.seller.kind === 'brand' ? [] : c.lines.map((l) => l.product.gtin))));
  // sales reps ordering on a customer's behalf: only for customers in their territories (one query per territory set)
  const reps = new Map<string, { ctx: RequestContext; buyers: number[] }>();
  for (const c of candidates) {
    const a = c.req.ctx.actor;
    if (a.role !== 'brand_sales') continue;
    const k = scopeKey(a);
    const group = reps.get(k) ?? { ctx: c.req.ctx, buyers: [] };
    group.buyers.push(c.buyer.id);
    reps.set(k, group);
  }
  const [existing, history, accountRows, prices, brandStock, distributorStock, ids, ...territories] = await Promise.all([
    // compared with what the earlier order asked for in the same statement; an order from before migration 0037 has
    // no hash, and a reuse of its key is taken as a retry, as it was then
    keyed.length
      ? tx<
          {
            i: number;
            id: number;
            order_no: string;
            status: string;
            total_fen: string;
            approval_reasons: string[];
            other_contents: boolean;
          }[]
        >`
          select x.i, o.id::int, o.order_no, o.status, o.total_fen, o.approval_reasons,
            coalesce(o.request_hash <> decode(x.hash, 'hex'), false) as other_contents
          from unnest(${keyed.map((c) => c.index)}::int[], ${keyed.map((c) => c.buyer.id)}::bigint[],
            ${keyed.map((c) => c.req.input.idempotencyKey as string)}::text[], ${keyed.map((c) => c.hash as string)}::text[]) as x(i, buyer, key, hash)
          cross join lateral (
            select id, order_no, status, total_fen, approval_reasons, request_hash from orders
            where tenant_id = ${t} and buyer_party_id = x.buyer and idempotency_key = x.key limit 1) o`
      : Promise.resolve([]),
    tx<{ buyer: number }[]>`
      select b::int as buyer from unnest(${buyerIds}::bigint[]) b
      cross join lateral (select 1 from orders o where o.tenant_id = ${t} and o.buyer_party_id = b limit 1) placed`,
    lockAccounts(tx, t, buyerIds),
    resolvePriceQueries(tx, t, priceLines),
    brandGtins.length
      ? tx<{ gtin: string; on_hand: string }[]>`
          select g.gtin, sum(s.on_hand) as on_hand
          from parties h cross join unnest(${brandGtins}::text[]) as g(gtin)
          join stock s on s.tenant_id = h.tenant_id and s.holder_party_id = h.id and s.gtin = g.gtin
          where h.tenant_id = ${t} and h.kind in ('factory', 'warehouse', 'brand')
          group by g.gtin`
      : Promise.resolve([]),
    distributorSellers.length
      ? tx<{ holder: number; gtin: string; on_hand: string }[]>`
          select s.holder_party_id::int as holder, s.gtin, sum(s.on_hand) as on_hand from stock s
          where s.tenant_id = ${t} and s.holder_party_id = any(${distributorSellers}::bigint[]) and s.gtin = any(${distributorGtins}::text[])
          group by 1, 2`
      : Promise.resolve([]),
    tx<{ id: number; order_no: string; funds_tx: number }[]>`
      select nextval(pg_get_serial_sequence('orders', 'id'))::int as id,
        'SO' || to_char(business_now(), 'YYYYMMDD') || lpad(nextval('order_numbers')::text, 7, '0') as order_no,
        nextval(pg_get_serial_sequence('funds_transactions', 'id'))::int as funds_tx
      from generate_series(1, ${candidates.length})`,
    ...[...reps.values()].map(
      (g) =>
        tx<
          { id: number }[]
        >`select p.id::int from parties p where ${partyScope(g.ctx.sql, g.ctx.actor)} and p.id = any(${g.buyers}::bigint[])`,
    ),
  ]);

  // buyers without accounts yet get them now (rare: their first order), locked like the others
  let accounts = accountsByParty(accountRows);
  const missing = buyerIds.filter((b) => !accounts.get(b)?.prepaid || !accounts.get(b)?.reserved);
  if (missing.length) {
    await ensureAccounts(tx, t, missing, ['prepaid', 'reserved', 'external']);
    accounts = accountsByParty([...accountRows, ...(await lockAccounts(tx, t, missing))]);
  }

  const earlier = new Map(existing.map((e) => [e.i, e]));
  const allowedByRep = new Map([...reps.keys()].map((k, i) => [k, new Set((territories[i] ?? []).map((r) => r.id))]));
  const ordered = new Set(history.map((h) => h.buyer));
  const onHand = new Map<string, number>();
  for (const s of brandStock) onHand.set(`brand:${s.gtin}`, Number(s.on_hand));
  for (const s of distributorStock) onHand.set(`${s.holder}:${s.gtin}`, Number(s.on_hand));
  const approvalAmount = Number(settings?.approval_amount_fen ?? 5_000_000);

  // --- the verdict on each order, in arrival order (funds are taken as the orders come)
  const placed: StagedOrder[] = [];
  const firstOfKey = new Map<string, StagedOrder>();
  const replays: { index: number; of: number }[] = [];
  let priceAt = 0;
  candidates.forEach((c, n) => {
    const linePrices = c.group ? null : prices.slice(priceAt, priceAt + c.lines.length);
    if (!c.group) priceAt += c.lines.length;
    const key = c.req.input.idempotencyKey;
    if (key) {
      const before = earlier.get(c.index);
      // the key was used for an order with other contents: refused, nothing written (a retry must ask for the same)
      if (before?.other_contents) {
        fail(c.index, keyReused({ id: before.id, orderNo: before.order_no }));
        return;
      }
      if (before) {
        results[c.index] = {
          ok: true,
          order: {
            id: before.id,
            orderNo: before.order_no,
            status: before.status,
            totalFen: Number(before.total_fen),
            approvalReasons: before.approval_reasons,
            replayed: true,
          },
        };
        return;
      }
      // the same key twice in one batch: the second is a retry of the first
      const first = firstOfKey.get(keyOf(c.buyer.id, key));
      if (first !== undefined) {
        if (first.candidate.hash !== c.hash) {
          fail(c.index, keyReused(first));
          return;
        }
        replays.push({ index: c.index, of: first.candidate.index });
        return;
      }
    }
    try {
      const actor = c.req.ctx.actor;
      if (actor.role === 'brand_sales' && !allowedByRep.get(scopeKey(actor))?.has(c.buyer.id))
        throw AppError.forbidden('order.outside_territory', { value: c.buyer.code });
      const id = ids[n] as { id: number; order_no: string; funds_tx: number };
      const staged = priceOrder(c, linePrices, onHand, { id: id.id, orderNo: id.order_no, fundsTx: id.funds_tx });
      const acct = accounts.get(c.buyer.id) as { prepaid: Account; reserved: Account };
      const reasons: string[] = [];
      if (staged.totalFen >= approvalAmount) reasons.push('amount');
      if ((settings?.approve_first_order ?? true) && !ordered.has(c.buyer.id)) reasons.push('first_order');
      if ((settings?.approve_on_credit ?? true) && acct.prepaid.balance < staged.totalFen) reasons.push('credit');
      // the reservation: refused when prepaid plus credit do not cover the order
      if (staged.totalFen > 0) {
        const available = acct.prepaid.balance + acct.prepaid.limit;
        if (staged.totalFen > available) throw new AppError(409, 'funds.insufficient', { needed: staged.totalFen, available });
        acct.prepaid.balance -= staged.totalFen;
        acct.reserved.balance += staged.totalFen;
        staged.funds = { from: acct.prepaid.id, to: acct.reserved.id };
      }
      staged.approvalReasons = reasons;
      staged.status = reasons.length ? 'pending_approval' : readyStatus(c.req.input.type ?? 'normal', staged, c.group);
      ordered.add(c.buyer.id);
      if (key) firstOfKey.set(keyOf(c.buyer.id, key), staged);
      placed.push(staged);
    } catch (e) {
      fail(c.index, e);
    }
  });

  // the accounts made above for buyers none of whose orders went through are taken back: a refused order writes nothing
  const unused = missing.filter((b) => !placed.some((o) => o.candidate.buyer.id === b));
  if (unused.length)
    await tx`delete from funds_accounts where tenant_id = ${t} and party_id = any(${unused}::bigint[])
      and not (id = any(${accountRows.map((a) => a.id)}::bigint[]))`;

  // --- 3. every write at once, pipelined on the transaction's connection (statements run in this order)
  if (placed.length) {
    await writeOrders(tx, t, placed);
    // --- 4. group buys that now have enough buyers are formed, and their waiting orders released
    const touched = unique(placed.flatMap((o) => (o.candidate.group?.status === 'open' ? [o.candidate.group.id] : [])));
    if (touched.length) {
      const formed = new Set(await formGroupBuys(tx, t, touched, 'system:group-buy'));
      for (const o of placed) if (o.status === 'awaiting_group' && formed.has(o.candidate.group?.id ?? -1)) o.status = 'approved';
    }
  }
  for (const o of placed)
    results[o.candidate.index] = {
      ok: true,
      order: { id: o.id, orderNo: o.orderNo, status: o.status, totalFen: o.totalFen, approvalReasons: o.approvalReasons, replayed: false },
    };
  for (const r of replays) {
    const first = results[r.of];
    results[r.index] = first?.ok ? { ok: true, order: { ...first.order, replayed: true } } : (first as PlacementResult);
  }
  return results;
}

/** The checks that need only the rows of stage 1; throws the request's error. */
function judgeRequest(
  req: PlacementRequest,
  index: number,
  known: {
    byCode: Map<string, BuyerRow>;
    byId: Map<number, BuyerRow>;
    bySku: Map<string, ProductRow>;
    groupByCode: Map<string, GroupBuyRow>;
    brand: Party | null;
  },
): Candidate {
  const { ctx, input } = req;
  const own = ctx.actor.partyId;
  if (!input.buyer && !own) throw AppError.field('/body/buyer', 'order.buyer_required', { value: null });
  const row = input.buyer ? known.byCode.get(input.buyer) : known.byId.get(own as number);
  if (!row) throw AppError.field('/body/buyer', 'order.unknown_buyer', { value: input.buyer ?? null });
  // channel staff order for their own party only; brand staff may place an order on a customer's behalf
  if (!seesWholeTenant(ctx.actor) && ctx.actor.role !== 'brand_sales' && row.id !== own)
    throw AppError.forbidden('order.not_your_party', { value: row.code });
  if (row.kind !== 'distributor' && row.kind !== 'store') throw AppError.field('/body/buyer', 'order.not_a_customer', { value: row.code });
  // a store buys from its distributor, a distributor from the brand
  const seller =
    row.kind === 'store'
      ? row.parent_id == null
        ? null
        : { id: row.parent_id, kind: row.parent_kind as string, code: row.parent_code as string }
      : known.brand;
  if (!seller) throw AppError.field('/body/buyer', 'order.no_supplier', { value: row.code });

  const errors: FieldError[] = [];
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    const p = known.bySku.get(l.sku);
    if (p?.status !== 'active') errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.unknown_sku', params: { value: l.sku } });
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

  let group: GroupBuyRow | null = null;
  if (input.type === 'group_buy') {
    group = input.groupBuy ? (known.groupByCode.get(input.groupBuy) ?? null) : null;
    if (!input.groupBuy) errors.push({ pointer: '/body/groupBuy', code: 'order.group_buy_required', params: { value: null } });
    else if (!group) errors.push({ pointer: '/body/groupBuy', code: 'group_buy.unknown', params: { value: input.groupBuy } });
    else if (group.status === 'failed' || group.ends_at.getTime() <= Date.now())
      errors.push({ pointer: '/body/groupBuy', code: 'group_buy.closed', params: { value: group.code } });
    else if ((group.seller_party_id ?? known.brand?.id) !== seller.id)
      errors.push({ pointer: '/body/groupBuy', code: 'group_buy.other_seller', params: { value: group.code } });
    else
      input.lines.forEach((l, i) => {
        const p = known.bySku.get(l.sku);
        if (p && p.id !== group?.product_id)
          errors.push({ pointer: `/body/lines/${i}/sku`, code: 'group_buy.other_product', params: { value: l.sku } });
      });
  } else if (input.groupBuy)
    errors.push({ pointer: '/body/groupBuy', code: 'order.group_buy_needs_type', params: { value: input.groupBuy } });
  if (errors.length) throw AppError.invalid(errors);

  const lines = input.lines.map((l) => ({ ...l, product: known.bySku.get(l.sku) as ProductRow }));
  const hash = input.idempotencyKey ? requestHash(row.id, input) : null;
  return { index, req, buyer: { id: row.id, kind: row.kind, code: row.code }, seller, lines, group, hash };
}

interface StagedOrder {
  candidate: Candidate;
  id: number;
  orderNo: string;
  fundsTx: number;
  totalFen: number;
  lines: {
    productId: number;
    sku: string;
    gtin: string;
    quantity: number;
    price: ResolvedPrice;
    amountFen: number;
    available: number;
  }[];
  funds: { from: number; to: number } | null;
  approvalReasons: string[];
  status: string;
}

/** Prices the lines (a price list's rule, or the group buy's price); throws the order's line errors. */
function priceOrder(
  c: Candidate,
  prices: (ResolvedPrice | null)[] | null,
  onHand: Map<string, number>,
  ids: { id: number; orderNo: string; fundsTx: number },
): StagedOrder {
  const errors: FieldError[] = [];
  const lines = c.lines.map((l, i) => {
    const price = c.group ? groupBuyPrice(c.group) : (prices?.[i] ?? null);
    if (!price) errors.push({ pointer: `/body/lines/${i}/sku`, code: 'order.sku_not_listed', params: { value: l.sku } });
    else if (l.expectedUnitPriceFen !== undefined && l.expectedUnitPriceFen !== price.unitPriceFen)
      errors.push({
        pointer: `/body/lines/${i}/expectedUnitPriceFen`,
        code: 'order.price_changed',
        params: { value: l.expectedUnitPriceFen, current: price.unitPriceFen },
      });
    const stockKey = c.seller.kind === 'brand' ? `brand:${l.product.gtin}` : `${c.seller.id}:${l.product.gtin}`;
    return {
      productId: l.product.id,
      sku: l.sku,
      gtin: l.product.gtin,
      quantity: l.quantity,
      price: price as ResolvedPrice,
      amountFen: (price?.unitPriceFen ?? 0) * l.quantity,
      available: onHand.get(stockKey) ?? 0,
    };
  });
  if (errors.length) throw AppError.invalid(errors);
  return {
    candidate: c,
    ...ids,
    totalFen: lines.reduce((s, l) => s + l.amountFen, 0),
    lines,
    funds: null,
    approvalReasons: [],
    status: 'pending_approval',
  };
}

/** Where an order that needs no approval starts: presale orders wait for stock, group-buy orders for their group. */
export function readyStatus(
  type: string,
  order: { lines: { quantity: number; available: number }[] },
  group: { status: string } | null,
): string {
  if (type === 'presale') return order.lines.every((l) => l.available >= l.quantity) ? 'approved' : 'awaiting_stock';
  if (type === 'group_buy') return group?.status === 'formed' ? 'approved' : 'awaiting_group';
  return 'approved';
}

function lockAccounts(tx: Tx, t: number, partyIds: number[]) {
  return tx<{ id: number; party_id: number; kind: string; balance_fen: string; credit_limit_fen: string }[]>`
    select id::int, party_id::int, kind, balance_fen, credit_limit_fen from funds_accounts
    where tenant_id = ${t} and party_id = any(${partyIds}::bigint[]) and kind in ('prepaid', 'reserved')
    order by id for update`;
}

function accountsByParty(rows: { id: number; party_id: number; kind: string; balance_fen: string; credit_limit_fen: string }[]) {
  const m = new Map<number, { prepaid?: Account; reserved?: Account }>();
  for (const r of rows) {
    const a = m.get(r.party_id) ?? {};
    a[r.kind as 'prepaid' | 'reserved'] = { id: r.id, balance: Number(r.balance_fen), limit: Number(r.credit_limit_fen) };
    m.set(r.party_id, a);
  }
  return m;
}

async function writeOrders(tx: Tx, t: number, placed: StagedOrder[]): Promise<void> {
  const lines = placed.flatMap((o) => o.lines.map((l, i) => ({ order: o.id, n: i + 1, ...l })));
  const reserving = placed.filter((o) => o.funds);
  const deltas = new Map<number, number>();
  for (const o of reserving) {
    const f = o.funds as { from: number; to: number };
    deltas.set(f.from, (deltas.get(f.from) ?? 0) - o.totalFen);
    deltas.set(f.to, (deltas.get(f.to) ?? 0) + o.totalFen);
  }
  const events: { type: WebhookEventType; payload: Record<string, unknown> }[] = placed.map((o) => ({
    type: 'order.placed',
    payload: {
      orderId: o.id,
      orderNo: o.orderNo,
      type: o.candidate.req.input.type ?? 'normal',
      status: o.status,
      buyer: o.candidate.buyer.code,
      seller: o.candidate.seller.code,
      totalFen: o.totalFen,
      approvalReasons: o.approvalReasons,
      lines: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceFen: l.price.unitPriceFen })),
    },
  }));
  await Promise.all([
    tx`
      insert into orders (tenant_id, id, order_no, buyer_party_id, seller_party_id, type, status, total_fen, reserved_fen, approval_reasons,
        idempotency_key, request_hash, note, created_by, group_buy_id)
      select ${t}, x.id, x.no, x.buyer, x.seller, x.type, x.status, x.total, x.total, string_to_array(x.reasons, ','), x.key,
        decode(x.hash, 'hex'), x.note, x.actor, x.grp
      from unnest(${placed.map((o) => o.id)}::bigint[], ${placed.map((o) => o.orderNo)}::text[], ${placed.map((o) => o.candidate.buyer.id)}::bigint[],
        ${placed.map((o) => o.candidate.seller.id)}::bigint[], ${placed.map((o) => o.candidate.req.input.type ?? 'normal')}::text[],
        ${placed.map((o) => o.status)}::text[], ${placed.map((o) => o.totalFen)}::bigint[], ${placed.map((o) => o.approvalReasons.join(','))}::text[],
        ${placed.map((o) => o.candidate.req.input.idempotencyKey ?? null)}::text[], ${placed.map((o) => o.candidate.hash)}::text[],
        ${placed.map((o) => o.candidate.req.input.note ?? null)}::text[],
        ${placed.map((o) => actorLabel(o.candidate.req.ctx.actor))}::text[], ${placed.map((o) => o.candidate.group?.id ?? null)}::bigint[])
        as x(id, no, buyer, seller, type, status, total, reasons, key, hash, note, actor, grp)`,
    tx`
      insert into order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen, amount_fen, price_rule, available_qty)
      select ${t}, x.o, x.n, x.product, x.qty, x.price, x.amount, x.rule::jsonb, x.available
      from unnest(${lines.map((l) => l.order)}::bigint[], ${lines.map((l) => l.n)}::int[], ${lines.map((l) => l.productId)}::bigint[],
        ${lines.map((l) => l.quantity)}::int[], ${lines.map((l) => l.price.unitPriceFen)}::bigint[], ${lines.map((l) => l.amountFen)}::bigint[],
        ${lines.map((l) => JSON.stringify(l.price.rule))}::text[], ${lines.map((l) => l.available)}::bigint[])
        as x(o, n, product, qty, price, amount, rule, available)`,
    tx`
      insert into order_events (tenant_id, order_id, kind, actor, details)
      select ${t}, x.o, 'placed', x.actor, x.details::jsonb
      from unnest(${placed.map((o) => o.id)}::bigint[], ${placed.map((o) => actorLabel(o.candidate.req.ctx.actor))}::text[],
        ${placed.map((o) => JSON.stringify({ totalFen: o.totalFen, approvalReasons: o.approvalReasons, status: o.status }))}::text[]) as x(o, actor, details)`,
    ...(reserving.length
      ? [
          // by primary key (an index probe per account, whatever the statistics say about the table)
          tx`
            update funds_accounts set updated_at = now(),
              balance_fen = balance_fen + (${[...deltas.values()]}::bigint[])[array_position(${[...deltas.keys()]}::bigint[], id)]
            where tenant_id = ${t} and id = any(${[...deltas.keys()]}::bigint[])`,
          tx`
            insert into funds_transactions (tenant_id, id, kind, order_id, actor)
            select ${t}, x.id, 'reserve', x.o, x.actor
            from unnest(${reserving.map((o) => o.fundsTx)}::bigint[], ${reserving.map((o) => o.id)}::bigint[],
              ${reserving.map((o) => actorLabel(o.candidate.req.ctx.actor))}::text[]) as x(id, o, actor)`,
          tx`
            insert into funds_entries (tenant_id, transaction_id, account_id, amount_fen)
            select ${t}, x.tx, x.account, x.amount
            from unnest(${reserving.flatMap((o) => [o.fundsTx, o.fundsTx])}::bigint[],
              ${reserving.flatMap((o) => [o.funds?.from as number, o.funds?.to as number])}::bigint[],
              ${reserving.flatMap((o) => [-o.totalFen, o.totalFen])}::bigint[]) as x(tx, account, amount)`,
        ]
      : []),
    emitOrderWebhooks(tx, t, events),
    // the ordered units and value of the analytics facts (analytics/changes.ts: no trigger, migration 0038)
    queueOrderedLines(
      tx,
      t,
      placed.flatMap((o) =>
        o.lines.map((l) => ({
          buyerPartyId: o.candidate.buyer.id,
          sellerPartyId: o.candidate.seller.id,
          gtin: l.gtin,
          units: l.quantity,
          fen: l.amountFen,
        })),
      ),
    ),
  ]);
}
