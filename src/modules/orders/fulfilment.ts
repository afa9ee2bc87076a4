/**
 * Fulfilment by scan: the seller ships an order by scanning pallets and cases against its lines, and the buyer
 * receives by scanning or with one click. A scan counts for everything packed inside what was scanned; it is
 * refused on the spot, code by code, for a code that is not with the seller, already on its way, packed inside
 * another container, of a product the order does not have, or beyond what the order still needs. An accepted
 * shipment is one EPCIS shipping event carrying the order as its business transaction (the trace projections move
 * the stock); the shipped value is settled from the buyer's reserved funds to the seller. A scan id makes a retry
 * return the first answer.
 */
import type { RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { actorLabel } from '../auth/index.ts';
import { canonicalCode } from '../trace/journey.ts';
import { ensureAccounts, transfer } from './funds.ts';
import {
  canonicalCodes,
  captureOrderScan,
  isBuyerSide,
  isSellerSide,
  lockOrder,
  sellerSite,
  unitsBySku,
  withScanRetry,
} from './order-scan.ts';
import { emitOrderWebhook } from './order-webhooks.ts';
import { type RecordedDifference, recordOver } from './receipt-differences.ts';

export interface FulfilmentOutcome {
  orderId: number;
  status: string;
  /** units per SKU in this shipment or receipt */
  units: Record<string, number>;
  codes: number;
  /** a receipt: the codes scanned that were not shipped under the order, recorded as "over" differences */
  differences?: RecordedDifference[];
  replayed?: boolean;
}

/** The scan id's earlier answer, if this scan was recorded before. */
async function replayOf(tx: Tx, tenantId: number, scanId: string): Promise<FulfilmentOutcome | null> {
  const [r] = await tx<
    { outcome: FulfilmentOutcome }[]
  >`select outcome from order_shipments where tenant_id = ${tenantId} and scan_id = ${scanId}`;
  return r ? { ...r.outcome, replayed: true } : null;
}

export async function shipOrder(
  ctx: RequestContext,
  orderId: number,
  body: { scanId: string; codes: string[] },
): Promise<FulfilmentOutcome> {
  return withScanRetry(ctx, (tx) => shipIn(tx, ctx, orderId, body));
}

async function shipIn(tx: Tx, ctx: RequestContext, orderId: number, body: { scanId: string; codes: string[] }): Promise<FulfilmentOutcome> {
  const t = ctx.actor.tenantId;
  const order = await lockOrder(tx, ctx, orderId);
  const replay = await replayOf(tx, t, body.scanId);
  if (replay) return replay;
  // the seller's people ship: the brand's staff and its sites for a distributor's order, the distributor for a store's
  if (!(await isSellerSide(tx, ctx, order)).yes) throw AppError.notFound();
  if (order.status !== 'approved' && order.status !== 'partially_shipped')
    throw new AppError(409, 'order.wrong_status', { status: order.status, decision: 'ship' });

  const errors: FieldError[] = [];
  const codes = canonicalCodes(body.codes, errors);
  const states = await tx<
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
    where n.tenant_id = ${t} and n.epc = any(${codes}::text[])`;
  const byEpc = new Map(states.map((s) => [s.epc, s]));
  const places = new Set<string>();
  body.codes.forEach((raw, i) => {
    const epc = canonicalCode(raw);
    if (!epc) return;
    const s = byEpc.get(epc);
    const pointer = `/body/codes/${i}`;
    if (!s) errors.push({ pointer, code: 'code.unknown', params: { value: raw } });
    else if (s.status === 'in_transit') errors.push({ pointer, code: 'code.in_transit', params: { value: raw } });
    else if (['sold', 'destroyed', 'consumed', 'decommissioned'].includes(s.status))
      errors.push({ pointer, code: 'code.gone', params: { value: raw, status: s.status } });
    else if (s.parent_epc) errors.push({ pointer, code: 'code.packed_in', params: { value: raw, parent: s.parent_epc } });
    else if (!sellerSite(order, { id: s.holder, kind: s.holder_kind }))
      errors.push({ pointer, code: 'shipment.not_with_seller', params: { value: raw } });
    else if (s.holder_gln) places.add(s.holder_gln);
  });
  if (errors.length) throw AppError.invalid(errors);
  if (places.size > 1) throw AppError.field('/body/codes', 'shipment.mixed_places', { places: [...places] });

  // what the scan holds against what the order still needs
  const [units, lines] = await Promise.all([
    unitsBySku(tx, t, codes),
    tx<{ sku: string; product_id: number; quantity: number; shipped_qty: number; unit_price_fen: string }[]>`
      select p.sku, l.product_id::int, l.quantity, l.shipped_qty, l.unit_price_fen from order_lines l
      join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where l.tenant_id = ${t} and l.order_id = ${orderId}`,
  ]);
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

  const place = [...places][0] ?? null;
  await captureOrderScan(tx, ctx, order, {
    scanId: body.scanId,
    codes,
    bizStep: 'shipping',
    disposition: 'in_transit',
    gln: place,
    extra: order.buyer_gln ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${order.buyer_gln}` }] } : {},
  });
  const shipped = [...units.entries()];
  const value = shipped.reduce((s, [sku, u]) => s + u.units * Number(lineBySku.get(sku)?.unit_price_fen ?? 0), 0);
  const done = lines.every((l) => l.shipped_qty + (units.get(l.sku)?.units ?? 0) >= l.quantity);
  const status = done ? 'shipped' : 'partially_shipped';
  const outcome: FulfilmentOutcome = {
    orderId,
    status,
    units: Object.fromEntries(shipped.map(([sku, u]) => [sku, u.units])),
    codes: codes.length,
  };
  await ensureAccounts(tx, t, [order.seller_party_id], ['settled']);
  const settle = Math.min(value, Number(order.reserved_fen));
  const [shipment] = await tx<{ id: number }[]>`
    insert into order_shipments (tenant_id, order_id, kind, scan_id, units, outcome, actor)
    values (${t}, ${orderId}, 'shipment', ${body.scanId}, ${tx.json(outcome.units as never)}, ${tx.json(outcome as never)}, ${actorLabel(ctx.actor)})
    returning id::int`;
  await Promise.all([
    tx`update order_lines l set shipped_qty = l.shipped_qty + x.n
      from unnest(${shipped.map(([, u]) => u.productId)}::bigint[], ${shipped.map(([, u]) => u.units)}::int[]) as x(product, n)
      where l.tenant_id = ${t} and l.order_id = ${orderId} and l.product_id = x.product`,
    tx`update orders set status = ${status}, reserved_fen = reserved_fen - ${settle}, updated_at = now() where tenant_id = ${t} and id = ${orderId}`,
    tx`insert into order_shipped_codes (tenant_id, epc, order_id, shipment_id)
      select ${t}, x, ${orderId}, ${Number(shipment?.id)} from unnest(${codes}::text[]) x`,
    tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${orderId}, ${status}, ${actorLabel(ctx.actor)}, ${tx.json({ units: outcome.units, codes: codes.length, valueFen: value } as never)})`,
    emitOrderWebhook(tx, t, status === 'shipped' ? 'order.shipped' : 'order.partially_shipped', {
      orderId,
      orderNo: order.order_no,
      status,
      units: outcome.units,
      codes,
    }),
    // the shipped value leaves the buyer's reservation for the seller
    settle > 0
      ? transfer(tx, t, {
          kind: 'settle',
          from: { partyId: order.buyer_party_id, kind: 'reserved' },
          to: { partyId: order.seller_party_id, kind: 'settled' },
          amountFen: settle,
          orderId,
          actor: actorLabel(ctx.actor),
        })
      : Promise.resolve(),
  ]);
  return outcome;
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
  return withScanRetry(ctx, async (tx) => {
    const t = ctx.actor.tenantId;
    const order = await lockOrder(tx, ctx, orderId);
    const replay = await replayOf(tx, t, body.scanId);
    if (replay) return replay;
    if (!isBuyerSide(ctx, order)) throw AppError.notFound();
    const errors: FieldError[] = [];
    const pending = await tx<{ epc: string; received: boolean; short: boolean }[]>`
      select epc, received, short from order_shipped_codes where tenant_id = ${t} and order_id = ${orderId}`;
    const byEpc = new Map(pending.map((p) => [p.epc, p]));
    const open = new Set(pending.filter((p) => !p.received && !p.short).map((p) => p.epc));
    let codes: string[];
    const over: { code: string; index: number }[] = [];
    if (body.codes?.length) {
      const scanned = canonicalCodes(body.codes, errors);
      codes = scanned.filter((c) => open.has(c));
      body.codes.forEach((raw, i) => {
        const c = canonicalCode(raw);
        const p = c ? byEpc.get(c) : undefined;
        if (!c || open.has(c)) return;
        if (p?.received) errors.push({ pointer: `/body/codes/${i}`, code: 'receipt.already_received', params: { value: raw } });
        else if (p?.short) errors.push({ pointer: `/body/codes/${i}`, code: 'receipt.declared_short', params: { value: raw } });
        else if (!over.some((o) => o.code === c)) over.push({ code: c, index: i });
      });
    } else codes = [...open];
    if (!codes.length && !over.length && !errors.length)
      errors.push({ pointer: '/body/codes', code: 'receipt.nothing_to_receive', params: {} });
    if (errors.length) throw AppError.invalid(errors);
    // what was not shipped under this order is recorded, not received (refused on the spot if it is no code of the brand)
    const differences = over.length ? await recordOver(tx, ctx, order, over, body.scanId) : [];
    if (codes.length)
      await captureOrderScan(tx, ctx, order, {
        scanId: body.scanId,
        codes,
        bizStep: 'receiving',
        disposition: 'in_progress',
        gln: order.buyer_gln,
      });
    const units = codes.length ? await unitsBySku(tx, t, codes) : new Map();
    const received = [...units.entries()];
    const allIn = open.size === codes.length && order.status === 'shipped';
    const status = allIn ? 'received' : order.status;
    const outcome: FulfilmentOutcome = {
      orderId,
      status,
      units: Object.fromEntries(received.map(([sku, u]) => [sku, u.units])),
      codes: codes.length,
      ...(differences.length ? { differences } : {}),
    };
    await tx`insert into order_shipments (tenant_id, order_id, kind, scan_id, units, outcome, actor)
      values (${t}, ${orderId}, 'receipt', ${body.scanId}, ${tx.json(outcome.units as never)}, ${tx.json(outcome as never)}, ${actorLabel(ctx.actor)})`;
    if (!codes.length) return outcome;
    await Promise.all([
      tx`update order_shipped_codes set received = true where tenant_id = ${t} and order_id = ${orderId} and epc = any(${codes}::text[])`,
      tx`update order_lines l set received_qty = l.received_qty + x.n
        from unnest(${received.map(([, u]) => u.productId)}::bigint[], ${received.map(([, u]) => u.units)}::int[]) as x(product, n)
        where l.tenant_id = ${t} and l.order_id = ${orderId} and l.product_id = x.product`,
      tx`update orders set status = ${status}, updated_at = now() where tenant_id = ${t} and id = ${orderId}`,
      tx`insert into order_events (tenant_id, order_id, kind, actor, details)
        values (${t}, ${orderId}, 'received', ${actorLabel(ctx.actor)}, ${tx.json({ units: outcome.units, codes: codes.length } as never)})`,
      emitOrderWebhook(tx, t, 'order.received', { orderId, orderNo: order.order_no, status, units: outcome.units, complete: allIn }),
    ]);
    return outcome;
  });
}
