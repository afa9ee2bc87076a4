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
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { actorLabel, seesWholeTenant } from '../auth/index.ts';
import { captureEvents, prepareEvents } from '../trace/capture.ts';
import { EPCIS_CONTEXT } from '../trace/epcis/query-document.ts';
import type { EpcisEvent } from '../trace/event-facts.ts';
import { canonicalCode } from '../trace/journey.ts';
import { emitWebhookEvent } from '../webhooks/index.ts';
import { ensureAccounts, transfer } from './funds.ts';

interface OrderRow {
  id: number;
  order_no: string;
  status: string;
  buyer_party_id: number;
  seller_party_id: number;
  seller_kind: string;
  seller_gln: string | null;
  buyer_gln: string | null;
  reserved_fen: string;
}

export interface FulfilmentOutcome {
  orderId: number;
  status: string;
  /** units per SKU in this shipment or receipt */
  units: Record<string, number>;
  codes: number;
  replayed?: boolean;
}

async function lockOrder(tx: Tx, ctx: RequestContext, orderId: number): Promise<OrderRow> {
  const [o] = await tx<OrderRow[]>`
    select o.id::int, o.order_no, o.status, o.buyer_party_id::int, o.seller_party_id::int, s.kind as seller_kind, s.gln as seller_gln,
      b.gln as buyer_gln, o.reserved_fen
    from orders o
    join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
    join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
    where o.tenant_id = ${ctx.actor.tenantId} and o.id = ${orderId}
    for update of o`;
  if (!o) throw AppError.notFound();
  return o;
}

/** The scan id's earlier answer, if this scan was recorded before. */
async function replayOf(tx: Tx, tenantId: number, scanId: string): Promise<FulfilmentOutcome | null> {
  const [r] = await tx<
    { outcome: FulfilmentOutcome }[]
  >`select outcome from order_shipments where tenant_id = ${tenantId} and scan_id = ${scanId}`;
  return r ? { ...r.outcome, replayed: true } : null;
}

function canonicalCodes(input: string[], errors: FieldError[]): string[] {
  const codes: string[] = [];
  input.forEach((raw, i) => {
    const c = canonicalCode(raw);
    if (!c) errors.push({ pointer: `/body/codes/${i}`, code: 'code.unrecognised', params: { value: raw } });
    else if (codes.includes(c)) errors.push({ pointer: `/body/codes/${i}`, code: 'code.duplicate', params: { value: raw } });
    else codes.push(c);
  });
  return codes;
}

/** Units under the scanned codes (themselves included when they are units), by the product's SKU. */
async function unitsBySku(tx: Tx, tenantId: number, codes: string[]): Promise<Map<string, { productId: number; units: number }>> {
  const rows = await tx<{ sku: string; product_id: number; n: number }[]>`
    with recursive down(epc, depth) as (
      select x, 0 from unnest(${codes}::text[]) x
      union all
      select k.child_epc, d.depth + 1 from down d
      join containment k on k.tenant_id = ${tenantId} and k.parent_epc = d.epc and k.unpacked_at is null
      where d.depth < 4
    )
    select p.sku, p.id::int as product_id, count(*)::int as n from down
    join code_state c on c.tenant_id = ${tenantId} and c.epc = down.epc and c.level = 'unit'
    join packaging_levels pl on pl.tenant_id = c.tenant_id and pl.gtin = c.gtin
    join products p on p.tenant_id = pl.tenant_id and p.id = pl.product_id
    group by 1, 2`;
  return new Map(rows.map((r) => [r.sku, { productId: r.product_id, units: r.n }]));
}

/** One ObjectEvent for the scanned codes at `gln`, carrying the order as its business transaction, captured in `tx`. */
async function captureOrderScan(
  tx: Tx,
  ctx: RequestContext,
  order: OrderRow,
  scan: { scanId: string; codes: string[]; bizStep: 'shipping' | 'receiving'; disposition: string; gln: string | null; extra?: object },
) {
  const place = scan.gln ? { id: `https://id.gs1.org/414/${scan.gln}` } : null;
  const event: EpcisEvent = {
    type: 'ObjectEvent',
    eventTime: new Date().toISOString(),
    eventTimeZoneOffset: '+08:00',
    eventID: `urn:uuid:${scan.scanId}`,
    epcList: scan.codes,
    action: 'OBSERVE',
    bizStep: scan.bizStep,
    disposition: scan.disposition,
    ...(place ? { readPoint: place, bizLocation: place } : {}),
    bizTransactionList: [
      { type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:${order.seller_gln ?? scan.gln ?? '0000000000000'}:${order.order_no}` },
    ],
    ...scan.extra,
  };
  await captureEvents(ctx.sql, ctx.actor.tenantId, actorLabel(ctx.actor), prepareEvents([event], EPCIS_CONTEXT), EPCIS_CONTEXT, { tx });
}

export async function shipOrder(
  ctx: RequestContext,
  orderId: number,
  body: { scanId: string; codes: string[] },
): Promise<FulfilmentOutcome> {
  const attempt = () => ctx.sql.begin((tx) => shipIn(tx, ctx, orderId, body));
  return attempt().catch((e) => (isUniqueViolation(e) ? attempt() : Promise.reject(e)));
}

async function shipIn(tx: Tx, ctx: RequestContext, orderId: number, body: { scanId: string; codes: string[] }): Promise<FulfilmentOutcome> {
  const t = ctx.actor.tenantId;
  const order = await lockOrder(tx, ctx, orderId);
  const replay = await replayOf(tx, t, body.scanId);
  if (replay) return replay;
  // the seller's people ship: the brand's staff and its sites for a distributor's order, the distributor for a store's
  const own = ctx.actor.partyId;
  const [site] = own ? await tx<{ kind: string }[]>`select kind from parties where tenant_id = ${t} and id = ${own}` : [];
  const sellerSide =
    order.seller_kind === 'brand'
      ? seesWholeTenant(ctx.actor) || ['factory', 'warehouse', 'brand'].includes(site?.kind ?? '')
      : own === order.seller_party_id;
  if (!sellerSide) throw AppError.notFound();
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
    else if (
      order.seller_kind === 'brand' ? !['factory', 'warehouse', 'brand'].includes(s.holder_kind ?? '') : s.holder !== order.seller_party_id
    )
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
    emitWebhookEvent(tx, t, status === 'shipped' ? 'order.shipped' : 'order.partially_shipped', {
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

/** The buyer confirms receipt: by scanning what arrived, or with one click for everything shipped and not yet received. */
export async function receiveOrder(
  ctx: RequestContext,
  orderId: number,
  body: { scanId: string; codes?: string[] },
): Promise<FulfilmentOutcome> {
  const attempt = () =>
    ctx.sql.begin(async (tx) => {
      const t = ctx.actor.tenantId;
      const order = await lockOrder(tx, ctx, orderId);
      const replay = await replayOf(tx, t, body.scanId);
      if (replay) return replay;
      if (!seesWholeTenant(ctx.actor) && ctx.actor.partyId !== order.buyer_party_id) throw AppError.notFound();
      const errors: FieldError[] = [];
      const pending = await tx<{ epc: string; order_id: number; received: boolean }[]>`
        select epc, order_id::int, received from order_shipped_codes where tenant_id = ${t} and order_id = ${orderId}`;
      const open = new Set(pending.filter((p) => !p.received).map((p) => p.epc));
      let codes: string[];
      if (body.codes?.length) {
        codes = canonicalCodes(body.codes, errors);
        body.codes.forEach((raw, i) => {
          const c = canonicalCode(raw);
          if (c && !open.has(c))
            errors.push({
              pointer: `/body/codes/${i}`,
              code: pending.some((p) => p.epc === c) ? 'receipt.already_received' : 'receipt.not_on_order',
              params: { value: raw },
            });
        });
      } else codes = [...open];
      if (!codes.length) errors.push({ pointer: '/body/codes', code: 'receipt.nothing_to_receive', params: {} });
      if (errors.length) throw AppError.invalid(errors);
      await captureOrderScan(tx, ctx, order, {
        scanId: body.scanId,
        codes,
        bizStep: 'receiving',
        disposition: 'in_progress',
        gln: order.buyer_gln,
      });
      const units = await unitsBySku(tx, t, codes);
      const received = [...units.entries()];
      const allIn = open.size === codes.length && order.status === 'shipped';
      const status = allIn ? 'received' : order.status;
      const outcome: FulfilmentOutcome = {
        orderId,
        status,
        units: Object.fromEntries(received.map(([sku, u]) => [sku, u.units])),
        codes: codes.length,
      };
      await Promise.all([
        tx`insert into order_shipments (tenant_id, order_id, kind, scan_id, units, outcome, actor)
          values (${t}, ${orderId}, 'receipt', ${body.scanId}, ${tx.json(outcome.units as never)}, ${tx.json(outcome as never)}, ${actorLabel(ctx.actor)})`,
        tx`update order_shipped_codes set received = true where tenant_id = ${t} and order_id = ${orderId} and epc = any(${codes}::text[])`,
        tx`update order_lines l set received_qty = l.received_qty + x.n
          from unnest(${received.map(([, u]) => u.productId)}::bigint[], ${received.map(([, u]) => u.units)}::int[]) as x(product, n)
          where l.tenant_id = ${t} and l.order_id = ${orderId} and l.product_id = x.product`,
        tx`update orders set status = ${status}, updated_at = now() where tenant_id = ${t} and id = ${orderId}`,
        tx`insert into order_events (tenant_id, order_id, kind, actor, details)
          values (${t}, ${orderId}, 'received', ${actorLabel(ctx.actor)}, ${tx.json({ units: outcome.units, codes: codes.length } as never)})`,
        emitWebhookEvent(tx, t, 'order.received', { orderId, orderNo: order.order_no, status, units: outcome.units, complete: allIn }),
      ]);
      return outcome;
    });
  return attempt().catch((e) => (isUniqueViolation(e) ? attempt() : Promise.reject(e)));
}
