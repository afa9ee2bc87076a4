/**
 * Fulfilment by scan: the seller ships an order by scanning pallets and cases against its lines, and the buyer
 * receives by scanning or with one click. A scan counts for everything packed inside what was scanned; it is
 * refused on the spot, code by code, for a code that is not with the seller, already on its way, packed inside
 * another container, of a product the order does not have, or beyond what the order still needs. An accepted
 * shipment is one EPCIS shipping event carrying the order as its business transaction (the trace projections move
 * the stock); the shipped value is settled from the buyer's reserved funds to the seller. A scan id makes a retry
 * return the first answer.
 *
 * Shipments and receipts go in batches: `shipBatch` ships many orders and `receiveBatch` receives many shipments,
 * each batch in one transaction with a fixed number of round trips whatever its size (the orders locked in id order,
 * one query per kind of fact for all of them, one EPCIS document of one event per order through the ledger's batch
 * capture, and every write as one set-based statement). A batch is all or nothing: one refused order refuses the
 * batch with a problem naming it (`orderId`, pointers under `/body/orders/{i}`) and nothing is written. Each order's
 * scan id keeps its idempotency: a retried batch returns the first answers (`replayed`) and writes nothing again.
 * `shipOrder` and `receiveOrder` are batches of one, with their errors pointing into the one scan's body.
 */
import type { RequestContext } from '../../context.ts';
import type { Sql, Tx } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { actorLabel, seesWholeTenant } from '../auth/index.ts';
import type { ScanEarnings } from '../incentives/channel/scan-hook.ts';
import type { EpcisEvent } from '../trace/event-facts.ts';
import { canonicalCode } from '../trace/journey.ts';
import type { WebhookEventType } from '../webhooks/index.ts';
import { ensureAccounts } from './funds.ts';
import { canonicalCodes, captureOrderEvents, isBuyerSide, type OrderRow, orderScanEvent, sellerSite } from './order-scan.ts';
import { emitOrderWebhooks } from './order-webhooks.ts';
import { type RecordedDifference, recordOver } from './receipt-differences.ts';
import { earningReceipts, payReceipts } from './receipt-earnings.ts';

export interface FulfilmentOutcome {
  orderId: number;
  status: string;
  /** units per SKU in this shipment or receipt */
  units: Record<string, number>;
  codes: number;
  /** a receipt: the codes scanned that were not shipped under the order, recorded as "over" differences */
  differences?: RecordedDifference[];
  /** a store's receipt by scan: what it earned its distributor under the channel programs (receipt-earnings.ts) */
  earnings?: ScanEarnings;
  replayed?: boolean;
}

/** One order's shipment in a batch: who scans, the order, the scan id and the codes scanned. */
export interface ShipRequest {
  ctx: RequestContext;
  orderId: number;
  scanId: string;
  codes: string[];
  /** when the scan was made, if not now (a past day played through the product: the demo's history) */
  at?: Date;
}

/** One order's receipt in a batch: no codes (or an empty list) receives everything shipped and not yet received. */
export interface ReceiveRequest {
  ctx: RequestContext;
  orderId: number;
  scanId: string;
  codes?: string[];
  /** when the scan was made, if not now (as ShipRequest's) */
  at?: Date;
}

export async function shipOrder(
  ctx: RequestContext,
  orderId: number,
  body: { scanId: string; codes: string[] },
): Promise<FulfilmentOutcome> {
  const [out] = await shipBatch(ctx.sql, ctx.actor.tenantId, [{ ctx, orderId, scanId: body.scanId, codes: body.codes }], { single: true });
  return out as FulfilmentOutcome;
}

/**
 * The buyer confirms receipt: by scanning what arrived, or with one click for everything shipped and not yet
 * received. A scanned code that was not shipped under this order is not taken into it: it is recorded as an
 * "over" difference for the seller to resolve (receipt-differences.ts).
 */
export async function receiveOrder(
  ctx: RequestContext,
  orderId: number,
  body: { scanId: string; codes?: string[] },
): Promise<FulfilmentOutcome> {
  const [out] = await receiveBatch(ctx.sql, ctx.actor.tenantId, [{ ctx, orderId, scanId: body.scanId, codes: body.codes }], {
    single: true,
  });
  return out as FulfilmentOutcome;
}

/** Ships the orders, in one transaction (see the top of the file); the outcomes in the requests' order. */
export async function shipBatch(
  sql: Sql,
  tenantId: number,
  reqs: readonly ShipRequest[],
  opts: { single?: boolean } = {},
): Promise<FulfilmentOutcome[]> {
  return inBatch(sql, tenantId, reqs, opts, (tx, at) => shipIn(tx, tenantId, reqs, at));
}

/** Receives the orders' shipments, in one transaction (see the top of the file); the outcomes in the requests' order. */
export async function receiveBatch(
  sql: Sql,
  tenantId: number,
  reqs: readonly ReceiveRequest[],
  opts: { single?: boolean } = {},
): Promise<FulfilmentOutcome[]> {
  return inBatch(sql, tenantId, reqs, opts, (tx, at) => receiveIn(tx, tenantId, reqs, at));
}

/** Runs `f(i)` as the judgement of request i: its refusal is rethrown as the batch's, naming the order. */
type At = <T>(i: number, f: () => T) => T;

/**
 * The batch's transaction: requests checked for repeats, then the work, run once more if a concurrent retry of the
 * same scan id took the key first (it then replays).
 */
async function inBatch<R extends { ctx: RequestContext; orderId: number; scanId: string }>(
  sql: Sql,
  tenantId: number,
  reqs: readonly R[],
  opts: { single?: boolean },
  work: (tx: Tx, at: At) => Promise<FulfilmentOutcome[]>,
): Promise<FulfilmentOutcome[]> {
  if (!reqs.length) return [];
  const at: At = (i, f) => {
    try {
      return f();
    } catch (e) {
      throw opts.single ? e : namingOrder(e, i, reqs[i]?.orderId as number);
    }
  };
  const orders = new Set<number>();
  const scans = new Set<string>();
  reqs.forEach((r, i) => {
    if (r.ctx.actor.tenantId !== tenantId) throw new Error('a fulfilment batch is one tenant');
    if (orders.has(r.orderId)) throw AppError.field(`/body/orders/${i}/orderId`, 'fulfilment.order_repeated', { value: r.orderId });
    if (scans.has(r.scanId)) throw AppError.field(`/body/orders/${i}/scanId`, 'fulfilment.scan_id_repeated', { value: r.scanId });
    orders.add(r.orderId);
    scans.add(r.scanId);
  });
  const attempt = () => sql.begin((tx) => work(tx, at)) as Promise<FulfilmentOutcome[]>;
  return attempt().catch((e) => (isUniqueViolation(e) ? attempt() : Promise.reject(e)));
}

/** Order i's refusal as the batch's: its pointers under /body/orders/i, the order named in the problem. */
function namingOrder(e: unknown, i: number, orderId: number): unknown {
  if (!(e instanceof AppError)) return e;
  const at = `/body/orders/${i}`;
  const fields = e.fieldErrors.length
    ? e.fieldErrors.map((f) => ({ ...f, pointer: f.pointer.replace(/^\/body/, at), params: { ...f.params, orderId } }))
    : [{ pointer: `${at}/orderId`, code: e.code, params: { ...e.params, value: orderId, orderId } }];
  return new AppError(e.status, e.code, { ...e.params, orderId }, fields, { ...e.extra, orderId, index: i });
}

const unique = <T>(xs: Iterable<T>) => [...new Set(xs)];

function byOrder<T extends { order_id: number }>(rows: readonly T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const list = m.get(r.order_id);
    if (list) list.push(r);
    else m.set(r.order_id, [r]);
  }
  return m;
}

/** The batch's orders, locked in id order until the transaction ends (so concurrent batches cannot deadlock). */
async function lockOrders(tx: Tx, t: number, ids: number[]): Promise<Map<number, OrderRow>> {
  const rows = await tx<OrderRow[]>`
    select o.id::int, o.order_no, o.status, o.buyer_party_id::int, o.seller_party_id::int, s.kind as seller_kind, s.gln as seller_gln,
      b.kind as buyer_kind, b.gln as buyer_gln, o.reserved_fen
    from orders o
    join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
    join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
    where o.tenant_id = ${t} and o.id = any(${ids}::bigint[])
    order by o.id
    for update of o`;
  return new Map(rows.map((r) => [r.id, r]));
}

/** The scan ids' earlier answers (a scan recorded before replays its first answer). */
async function replaysOf(tx: Tx, t: number, scanIds: string[]): Promise<Map<string, FulfilmentOutcome>> {
  const rows = await tx<{ scan_id: string; outcome: FulfilmentOutcome }[]>`
    select scan_id::text, outcome from order_shipments where tenant_id = ${t} and scan_id = any(${scanIds}::uuid[])`;
  return new Map(rows.map((r) => [r.scan_id, { ...r.outcome, replayed: true }]));
}

/** Units of one SKU and lot under a scanned code; `recalled` when their lot is under an active recall. */
interface UnitsUnder {
  sku: string;
  productId: number;
  n: number;
  lot: string | null;
  recalled: boolean;
}

/**
 * Units under each scanned code (itself included when it is a unit) by SKU and lot, with whether the lot is recalled:
 * one containment walk for the batch.
 */
async function unitsByCode(tx: Tx, t: number, codes: string[]): Promise<Map<string, UnitsUnder[]>> {
  if (!codes.length) return new Map();
  // every step an index probe per code (`offset 0` keeps the planner from turning them into joins over the whole
  // containment and code tables, which it otherwise does for a batch's thousands of codes: seconds instead of ms)
  const rows = await tx<{ top: string; sku: string; product_id: number; n: number; lot: string | null; recalled: boolean }[]>`
    with recursive down(top, epc, depth) as (
      select x, x, 0 from unnest(${codes}::text[]) x
      union all
      select d.top, k.child_epc, d.depth + 1 from down d
      cross join lateral (
        select child_epc from containment k where k.tenant_id = ${t} and k.parent_epc = d.epc and k.unpacked_at is null offset 0) k
      where d.depth < 4
    ), units as (
      select down.top, c.gtin, c.lot, count(*)::int as n from down
      cross join lateral (
        select c.gtin, c.lot from code_state c where c.tenant_id = ${t} and c.epc = down.epc and c.level = 'unit' offset 0) c
      group by 1, 2, 3
    )
    select u.top, p.sku, p.id::int as product_id, u.n, u.lot,
      exists (select 1 from recalls r where r.tenant_id = ${t} and r.gtin = u.gtin and r.lot = u.lot and r.active) as recalled
    from units u
    join packaging_levels pl on pl.tenant_id = ${t} and pl.gtin = u.gtin
    join products p on p.tenant_id = pl.tenant_id and p.id = pl.product_id`;
  const out = new Map<string, UnitsUnder[]>();
  for (const r of rows) {
    const list = out.get(r.top) ?? [];
    list.push({ sku: r.sku, productId: r.product_id, n: r.n, lot: r.lot, recalled: r.recalled });
    out.set(r.top, list);
  }
  return out;
}

/** The units of one scan by SKU, in the order the SKUs were first met. */
function sumUnits(codes: string[], byCode: Map<string, UnitsUnder[]>) {
  const units = new Map<string, { productId: number; units: number }>();
  for (const c of codes)
    for (const u of byCode.get(c) ?? []) {
      const s = units.get(u.sku) ?? { productId: u.productId, units: 0 };
      s.units += u.n;
      units.set(u.sku, s);
    }
  return units;
}

/** The label the batch's capture job is recorded under: its one actor, or how many acted in it. */
function captureActor(labels: string[]): string {
  const distinct = unique(labels);
  return distinct.length === 1 ? (distinct[0] as string) : `fulfilment batch (${labels.length} scans by ${distinct.length} actors)`;
}

interface StagedShipment {
  req: ShipRequest;
  order: OrderRow;
  codes: string[];
  place: string | null;
  units: [string, { productId: number; units: number }][];
  value: number;
  settle: number;
  outcome: FulfilmentOutcome;
}

async function shipIn(tx: Tx, t: number, reqs: readonly ShipRequest[], at: At): Promise<FulfilmentOutcome[]> {
  // --- 1. the orders (locked), earlier answers, the scanning parties, the codes, their units, the order lines
  const actorParties = unique(reqs.flatMap((r) => (r.ctx.actor.partyId ? [r.ctx.actor.partyId] : [])));
  const canonical = reqs.map((r) => unique(r.codes.map((c) => canonicalCode(c)).filter((c): c is string => !!c)));
  const allCodes = unique(canonical.flat());
  const [orders, replays, sites, states, byCode, lineRows] = await Promise.all([
    lockOrders(
      tx,
      t,
      reqs.map((r) => r.orderId),
    ),
    replaysOf(
      tx,
      t,
      reqs.map((r) => r.scanId),
    ),
    tx<{ id: number; kind: string; gln: string | null }[]>`
      select id::int, kind, gln from parties where tenant_id = ${t} and id = any(${actorParties}::bigint[])`,
    tx<
      {
        epc: string;
        status: string;
        holder: number | null;
        holder_kind: string | null;
        holder_gln: string | null;
        parent_epc: string | null;
      }[]
    >`
      select n.epc, n.status, n.holder_party_id::int as holder, h.kind as holder_kind, h.gln as holder_gln, n.parent_epc
      from code_now n left join parties h on h.tenant_id = n.tenant_id and h.id = n.holder_party_id
      where n.tenant_id = ${t} and n.epc = any(${allCodes}::text[])`,
    unitsByCode(tx, t, allCodes),
    tx<{ order_id: number; sku: string; product_id: number; quantity: number; shipped_qty: number; unit_price_fen: string }[]>`
      select l.order_id::int, p.sku, l.product_id::int, l.quantity, l.shipped_qty, l.unit_price_fen from order_lines l
      join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where l.tenant_id = ${t} and l.order_id = any(${reqs.map((r) => r.orderId)}::bigint[])
      order by l.order_id, l.line_no`,
  ]);
  const siteOf = new Map(sites.map((s) => [s.id, s]));
  const stateOf = new Map(states.map((s) => [s.epc, s]));
  const linesOf = byOrder(lineRows);

  // --- the verdict on each order, in the batch's order (the first refused one refuses the batch)
  const results: FulfilmentOutcome[] = new Array(reqs.length);
  const staged: StagedShipment[] = [];
  const shippedIn = new Map<string, number>(); // code -> index of the order of this batch that ships it
  for (const [i, req] of reqs.entries())
    at(i, () => {
      const order = orders.get(req.orderId);
      if (!order) throw AppError.notFound();
      const replay = replays.get(req.scanId);
      if (replay) {
        results[i] = replay;
        return;
      }
      // the seller's people ship: the brand's staff and its sites for a distributor's order, the distributor for a store's
      const own = req.ctx.actor.partyId;
      const atSite = sellerSite(order, { id: own, kind: own ? (siteOf.get(own)?.kind ?? null) : null });
      if (!(order.seller_kind === 'brand' ? seesWholeTenant(req.ctx.actor) || atSite : atSite)) throw AppError.notFound();
      if (order.status !== 'approved' && order.status !== 'partially_shipped')
        throw new AppError(409, 'order.wrong_status', { status: order.status, decision: 'ship' });

      const errors: FieldError[] = [];
      const codes = canonicalCodes(req.codes, errors);
      const places = new Set<string>();
      req.codes.forEach((raw, j) => {
        const epc = canonicalCode(raw);
        if (!epc) return;
        const s = stateOf.get(epc);
        const pointer = `/body/codes/${j}`;
        if (!s) errors.push({ pointer, code: 'code.unknown', params: { value: raw } });
        else if (s.status === 'in_transit') errors.push({ pointer, code: 'code.in_transit', params: { value: raw } });
        else if (['sold', 'destroyed', 'consumed', 'decommissioned'].includes(s.status))
          errors.push({ pointer, code: 'code.gone', params: { value: raw, status: s.status } });
        else if (s.parent_epc) errors.push({ pointer, code: 'code.packed_in', params: { value: raw, parent: s.parent_epc } });
        else if (!sellerSite(order, { id: s.holder, kind: s.holder_kind }))
          errors.push({ pointer, code: 'shipment.not_with_seller', params: { value: raw } });
        else if (shippedIn.has(epc)) errors.push({ pointer, code: 'code.duplicate', params: { value: raw } });
        else if (s.holder_gln) places.add(s.holder_gln);
      });
      if (errors.length) throw AppError.invalid(errors);
      // a recalled lot goes back through the channel (a plain scan moves it, with a warning), never out on a sale
      req.codes.forEach((raw, j) => {
        const recalled = byCode.get(canonicalCode(raw) ?? '')?.find((u) => u.recalled);
        if (recalled) errors.push({ pointer: `/body/codes/${j}`, code: 'shipment.recalled', params: { value: raw, lot: recalled.lot } });
      });
      if (errors.length) throw AppError.invalid(errors);
      if (places.size > 1) throw AppError.field('/body/codes', 'shipment.mixed_places', { places: [...places] });

      // what the scan holds against what the order still needs
      const units = sumUnits(codes, byCode);
      const lines = linesOf.get(order.id) ?? [];
      const lineBySku = new Map(lines.map((l) => [l.sku, l]));
      for (const [sku, u] of units) {
        const line = lineBySku.get(sku);
        if (!line) errors.push({ pointer: '/body/codes', code: 'shipment.wrong_sku', params: { value: sku, units: u.units } });
        else if (line.shipped_qty + u.units > line.quantity)
          errors.push({
            pointer: '/body/codes',
            code: 'shipment.over',
            params: { value: sku, units: u.units, remaining: line.quantity - line.shipped_qty },
          });
      }
      if (!units.size) errors.push({ pointer: '/body/codes', code: 'shipment.empty', params: {} });
      if (errors.length) throw AppError.invalid(errors);

      for (const c of codes) shippedIn.set(c, i);
      const shipped = [...units.entries()];
      const value = shipped.reduce((s, [sku, u]) => s + u.units * Number(lineBySku.get(sku)?.unit_price_fen ?? 0), 0);
      const done = lines.every((l) => l.shipped_qty + (units.get(l.sku)?.units ?? 0) >= l.quantity);
      const status = done ? 'shipped' : 'partially_shipped';
      const outcome: FulfilmentOutcome = {
        orderId: order.id,
        status,
        units: Object.fromEntries(shipped.map(([sku, u]) => [sku, u.units])),
        codes: codes.length,
      };
      const settle = Math.min(value, Number(order.reserved_fen));
      staged.push({ req, order, codes, place: [...places][0] ?? null, units: shipped, value, settle, outcome });
      results[i] = outcome;
    });
  if (!staged.length) return results;

  // --- 2. the shipping events (one document), the sellers' accounts, ids for the shipments and funds movements
  const now = new Date();
  const events: EpcisEvent[] = staged.map((s) =>
    orderScanEvent(
      s.order,
      {
        scanId: s.req.scanId,
        codes: s.codes,
        bizStep: 'shipping',
        disposition: 'in_transit',
        gln: s.place,
        extra: s.order.buyer_gln
          ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${s.order.buyer_gln}` }] }
          : {},
      },
      s.req.at ?? now,
    ),
  );
  const first = staged[0] as StagedShipment;
  await captureOrderEvents(tx, first.req.ctx, captureActor(staged.map((s) => actorLabel(s.req.ctx.actor))), events);
  const settling = staged.flatMap((s, n) => (s.settle > 0 ? [{ ...s, n }] : []));
  await ensureAccounts(tx, t, unique(staged.map((s) => s.order.seller_party_id)), ['settled']);
  const [ids, accounts] = await Promise.all([
    tx<{ shipment: number; funds_tx: number }[]>`
      select nextval(pg_get_serial_sequence('order_shipments', 'id'))::int as shipment,
        nextval(pg_get_serial_sequence('funds_transactions', 'id'))::int as funds_tx
      from generate_series(1, ${staged.length})`,
    lockSettleAccounts(tx, t, settling),
  ]);
  const moves = settling.map((s) => ({
    fundsTx: ids[s.n]?.funds_tx as number,
    orderId: s.order.id,
    amount: s.settle,
    from: accounts.debit(s.order.buyer_party_id, 'reserved', s.settle, s.order.id),
    to: accounts.credit(s.order.seller_party_id, 'settled', s.settle),
    actor: actorLabel(s.req.ctx.actor),
  }));

  // --- 3. every write, one statement each, pipelined on the transaction's connection
  const lines = staged.flatMap((s) => s.units.map(([, u]) => ({ order: s.order.id, product: u.productId, n: u.units })));
  const shippedCodes = staged.flatMap((s, n) => s.codes.map((c) => ({ epc: c, order: s.order.id, shipment: ids[n]?.shipment as number })));
  await Promise.all([
    tx`insert into order_shipments (tenant_id, id, order_id, kind, scan_id, units, outcome, actor)
      select ${t}, x.id, x.o, 'shipment', x.scan, x.units::jsonb, x.outcome::jsonb, x.actor
      from unnest(${staged.map((_, n) => ids[n]?.shipment as number)}::bigint[], ${staged.map((s) => s.order.id)}::bigint[],
        ${staged.map((s) => s.req.scanId)}::uuid[], ${staged.map((s) => JSON.stringify(s.outcome.units))}::text[],
        ${staged.map((s) => JSON.stringify(s.outcome))}::text[], ${staged.map((s) => actorLabel(s.req.ctx.actor))}::text[])
        as x(id, o, scan, units, outcome, actor)`,
    tx`update order_lines l set shipped_qty = l.shipped_qty + x.n
      from unnest(${lines.map((l) => l.order)}::bigint[], ${lines.map((l) => l.product)}::bigint[], ${lines.map((l) => l.n)}::int[]) as x(o, product, n)
      where l.tenant_id = ${t} and l.order_id = x.o and l.product_id = x.product`,
    tx`update orders o set status = x.status, reserved_fen = o.reserved_fen - x.settle, updated_at = now()
      from unnest(${staged.map((s) => s.order.id)}::bigint[], ${staged.map((s) => s.outcome.status)}::text[], ${staged.map((s) => s.settle)}::bigint[])
        as x(id, status, settle)
      where o.tenant_id = ${t} and o.id = x.id`,
    tx`insert into order_shipped_codes (tenant_id, epc, order_id, shipment_id)
      select ${t}, x.epc, x.o, x.shipment
      from unnest(${shippedCodes.map((c) => c.epc)}::text[], ${shippedCodes.map((c) => c.order)}::bigint[], ${shippedCodes.map((c) => c.shipment)}::bigint[])
        as x(epc, o, shipment)`,
    tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      select ${t}, x.o, x.kind, x.actor, x.details::jsonb
      from unnest(${staged.map((s) => s.order.id)}::bigint[], ${staged.map((s) => s.outcome.status)}::text[],
        ${staged.map((s) => actorLabel(s.req.ctx.actor))}::text[],
        ${staged.map((s) => JSON.stringify({ units: s.outcome.units, codes: s.codes.length, valueFen: s.value }))}::text[]) as x(o, kind, actor, details)`,
    emitOrderWebhooks(
      tx,
      t,
      staged.map((s) => ({
        type: (s.outcome.status === 'shipped' ? 'order.shipped' : 'order.partially_shipped') as WebhookEventType,
        payload: { orderId: s.order.id, orderNo: s.order.order_no, status: s.outcome.status, units: s.outcome.units, codes: s.codes },
      })),
    ),
    // the shipped value leaves the buyer's reservation for the seller
    ...(moves.length ? settleStatements(tx, t, moves, accounts.deltas()) : []),
  ]);
  return results;
}

interface SettleMove {
  fundsTx: number;
  orderId: number;
  amount: number;
  from: number;
  to: number;
  actor: string;
}

/**
 * The accounts the batch's settlements move, locked in id order (the order `transfer` and placement lock in): the
 * debits checked against the locked balances, settlement by settlement, as `transfer`'s conditional debit does.
 */
async function lockSettleAccounts(tx: Tx, t: number, settling: StagedShipment[]) {
  const parties = settling.flatMap((s) => [s.order.buyer_party_id, s.order.seller_party_id]);
  const kinds = settling.flatMap(() => ['reserved', 'settled']);
  const rows = parties.length
    ? await tx<{ id: number; party_id: number; kind: string; balance_fen: string; credit_limit_fen: string }[]>`
        select a.id::int, a.party_id::int, a.kind, a.balance_fen, a.credit_limit_fen from funds_accounts a
        where a.tenant_id = ${t} and (a.party_id, a.kind) in (select * from unnest(${parties}::bigint[], ${kinds}::text[]))
        order by a.id for update`
    : [];
  const byKey = new Map(
    rows.map((r) => [`${r.party_id}:${r.kind}`, { id: r.id, balance: Number(r.balance_fen), limit: Number(r.credit_limit_fen) }]),
  );
  const delta = new Map<number, number>();
  const account = (party: number, kind: string) => {
    const a = byKey.get(`${party}:${kind}`);
    if (!a) throw new Error(`no ${kind} account for party ${party}`);
    return a;
  };
  return {
    debit(party: number, kind: string, amount: number, orderId: number): number {
      const a = account(party, kind);
      if (a.balance - amount < -a.limit)
        throw new AppError(409, 'funds.insufficient', { needed: amount, available: a.balance + a.limit, orderId });
      a.balance -= amount;
      delta.set(a.id, (delta.get(a.id) ?? 0) - amount);
      return a.id;
    },
    credit(party: number, kind: string, amount: number): number {
      const a = account(party, kind);
      a.balance += amount;
      delta.set(a.id, (delta.get(a.id) ?? 0) + amount);
      return a.id;
    },
    deltas: () => delta,
  };
}

/** The settlements as three statements: the balances by their deltas, the ledger transactions, their entries. */
function settleStatements(tx: Tx, t: number, moves: SettleMove[], deltas: Map<number, number>) {
  return [
    tx`update funds_accounts set updated_at = now(),
        balance_fen = balance_fen + (${[...deltas.values()]}::bigint[])[array_position(${[...deltas.keys()]}::bigint[], id)]
      where tenant_id = ${t} and id = any(${[...deltas.keys()]}::bigint[])`,
    tx`insert into funds_transactions (tenant_id, id, kind, order_id, actor)
      select ${t}, x.id, 'settle', x.o, x.actor
      from unnest(${moves.map((m) => m.fundsTx)}::bigint[], ${moves.map((m) => m.orderId)}::bigint[], ${moves.map((m) => m.actor)}::text[]) as x(id, o, actor)`,
    tx`insert into funds_entries (tenant_id, transaction_id, account_id, amount_fen)
      select ${t}, x.tx, x.account, x.amount
      from unnest(${moves.flatMap((m) => [m.fundsTx, m.fundsTx])}::bigint[], ${moves.flatMap((m) => [m.from, m.to])}::bigint[],
        ${moves.flatMap((m) => [-m.amount, m.amount])}::bigint[]) as x(tx, account, amount)`,
  ];
}

interface StagedReceipt {
  index: number;
  req: ReceiveRequest;
  order: OrderRow;
  codes: string[];
  over: { code: string; index: number }[];
  allIn: boolean;
}

async function receiveIn(tx: Tx, t: number, reqs: readonly ReceiveRequest[], at: At): Promise<FulfilmentOutcome[]> {
  // --- 1. the orders (locked), earlier answers, what was shipped under them
  const [orders, replays, pendingRows] = await Promise.all([
    lockOrders(
      tx,
      t,
      reqs.map((r) => r.orderId),
    ),
    replaysOf(
      tx,
      t,
      reqs.map((r) => r.scanId),
    ),
    tx<{ order_id: number; epc: string; received: boolean; short: boolean }[]>`
      select order_id::int, epc, received, short from order_shipped_codes
      where tenant_id = ${t} and order_id = any(${reqs.map((r) => r.orderId)}::bigint[])`,
  ]);
  const pendingOf = byOrder(pendingRows);

  const results: FulfilmentOutcome[] = new Array(reqs.length);
  const staged: StagedReceipt[] = [];
  for (const [i, req] of reqs.entries())
    at(i, () => {
      const order = orders.get(req.orderId);
      if (!order) throw AppError.notFound();
      const replay = replays.get(req.scanId);
      if (replay) {
        results[i] = replay;
        return;
      }
      if (!isBuyerSide(req.ctx, order)) throw AppError.notFound();
      const errors: FieldError[] = [];
      const pending = pendingOf.get(order.id) ?? [];
      const byEpc = new Map(pending.map((p) => [p.epc, p]));
      const open = new Set(pending.filter((p) => !p.received && !p.short).map((p) => p.epc));
      let codes: string[];
      const over: { code: string; index: number }[] = [];
      if (req.codes?.length) {
        const scanned = canonicalCodes(req.codes, errors);
        codes = scanned.filter((c) => open.has(c));
        req.codes.forEach((raw, j) => {
          const c = canonicalCode(raw);
          const p = c ? byEpc.get(c) : undefined;
          if (!c || open.has(c)) return;
          if (p?.received) errors.push({ pointer: `/body/codes/${j}`, code: 'receipt.already_received', params: { value: raw } });
          else if (p?.short) errors.push({ pointer: `/body/codes/${j}`, code: 'receipt.declared_short', params: { value: raw } });
          else if (!over.some((o) => o.code === c)) over.push({ code: c, index: j });
        });
      } else codes = [...open];
      if (!codes.length && !over.length && !errors.length)
        errors.push({ pointer: '/body/codes', code: 'receipt.nothing_to_receive', params: {} });
      if (errors.length) throw AppError.invalid(errors);
      staged.push({ index: i, req, order, codes, over, allIn: open.size === codes.length && order.status === 'shipped' });
    });
  if (!staged.length) return results;

  // --- 2. what was not shipped under an order is recorded, not received (refused on the spot if it is no code of the
  // brand); the units of what was; the receiving events (one document)
  const differences = new Map<StagedReceipt, RecordedDifference[]>();
  for (const s of staged) {
    if (!s.over.length) continue;
    const i = s.index;
    try {
      differences.set(s, await recordOver(tx, s.req.ctx, s.order, s.over, s.req.scanId));
    } catch (e) {
      at(i, () => {
        throw e;
      });
    }
  }
  const receiving = staged.filter((s) => s.codes.length);
  const earning = await earningReceipts(tx, t, receiving);
  const byCode = await unitsByCode(
    tx,
    t,
    receiving.flatMap((s) => s.codes),
  );
  // the capture runs alone on the connection (a large document goes in as a COPY, which nothing may interleave with)
  if (receiving.length)
    await captureOrderEvents(
      tx,
      (receiving[0] as StagedReceipt).req.ctx,
      captureActor(receiving.map((s) => actorLabel(s.req.ctx.actor))),
      receiving.map((s) =>
        orderScanEvent(
          s.order,
          { scanId: s.req.scanId, codes: s.codes, bizStep: 'receiving', disposition: 'in_progress', gln: s.order.buyer_gln },
          s.req.at ?? new Date(),
        ),
      ),
    );
  const earned = await payReceipts(tx, t, earning);
  const outcomes = staged.map((s) => {
    const units = [...sumUnits(s.codes, byCode).entries()];
    const diffs = differences.get(s) ?? [];
    const earnings = earned.get(s.req.scanId);
    const outcome: FulfilmentOutcome = {
      orderId: s.order.id,
      status: s.allIn ? 'received' : s.order.status,
      units: Object.fromEntries(units.map(([sku, u]) => [sku, u.units])),
      codes: s.codes.length,
      ...(diffs.length ? { differences: diffs } : {}),
      ...(earnings ? { earnings } : {}),
    };
    results[s.index] = outcome;
    return { s, units, outcome };
  });

  // --- 3. every write, one statement each, pipelined on the transaction's connection
  const taken = outcomes.filter((o) => o.s.codes.length);
  const codes = taken.flatMap((o) => o.s.codes.map((c) => ({ epc: c, order: o.s.order.id })));
  const lines = taken.flatMap((o) => o.units.map(([, u]) => ({ order: o.s.order.id, product: u.productId, n: u.units })));
  await Promise.all([
    tx`insert into order_shipments (tenant_id, order_id, kind, scan_id, units, outcome, actor)
      select ${t}, x.o, 'receipt', x.scan, x.units::jsonb, x.outcome::jsonb, x.actor
      from unnest(${outcomes.map((o) => o.s.order.id)}::bigint[], ${outcomes.map((o) => o.s.req.scanId)}::uuid[],
        ${outcomes.map((o) => JSON.stringify(o.outcome.units))}::text[], ${outcomes.map((o) => JSON.stringify(o.outcome))}::text[],
        ${outcomes.map((o) => actorLabel(o.s.req.ctx.actor))}::text[]) as x(o, scan, units, outcome, actor)`,
    ...(taken.length
      ? [
          tx`update order_shipped_codes s set received = true
            from unnest(${codes.map((c) => c.order)}::bigint[], ${codes.map((c) => c.epc)}::text[]) as x(o, epc)
            where s.tenant_id = ${t} and s.order_id = x.o and s.epc = x.epc`,
          tx`update order_lines l set received_qty = l.received_qty + x.n
            from unnest(${lines.map((l) => l.order)}::bigint[], ${lines.map((l) => l.product)}::bigint[], ${lines.map((l) => l.n)}::int[]) as x(o, product, n)
            where l.tenant_id = ${t} and l.order_id = x.o and l.product_id = x.product`,
          tx`update orders o set status = x.status, updated_at = now()
            from unnest(${taken.map((o) => o.s.order.id)}::bigint[], ${taken.map((o) => o.outcome.status)}::text[]) as x(id, status)
            where o.tenant_id = ${t} and o.id = x.id`,
          tx`insert into order_events (tenant_id, order_id, kind, actor, details)
            select ${t}, x.o, 'received', x.actor, x.details::jsonb
            from unnest(${taken.map((o) => o.s.order.id)}::bigint[], ${taken.map((o) => actorLabel(o.s.req.ctx.actor))}::text[],
              ${taken.map((o) => JSON.stringify({ units: o.outcome.units, codes: o.s.codes.length }))}::text[]) as x(o, actor, details)`,
          emitOrderWebhooks(
            tx,
            t,
            taken.map((o) => ({
              type: 'order.received' as WebhookEventType,
              payload: {
                orderId: o.s.order.id,
                orderNo: o.s.order.order_no,
                status: o.outcome.status,
                units: o.outcome.units,
                complete: o.s.allIn,
              },
            })),
          ),
        ]
      : []),
  ]);
  return results;
}
