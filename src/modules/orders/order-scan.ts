/**
 * What every scan against an order shares (shipments, receipts, differences, returns): the order locked for the
 * scan, scanned codes in canonical form, the units under them by SKU, which side of the order the caller is on,
 * and the one EPCIS ObjectEvent that carries the order as its business transaction.
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

export interface OrderRow {
  id: number;
  order_no: string;
  status: string;
  buyer_party_id: number;
  seller_party_id: number;
  seller_kind: string;
  seller_gln: string | null;
  buyer_kind: string;
  buyer_gln: string | null;
  reserved_fen: string;
}

/** The order, locked until the scan's transaction ends (404 when the tenant has no such order). */
export async function lockOrder(tx: Tx, ctx: RequestContext, orderId: number): Promise<OrderRow> {
  const [o] = await tx<OrderRow[]>`
    select o.id::int, o.order_no, o.status, o.buyer_party_id::int, o.seller_party_id::int, s.kind as seller_kind, s.gln as seller_gln,
      b.kind as buyer_kind, b.gln as buyer_gln, o.reserved_fen
    from orders o
    join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
    join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
    where o.tenant_id = ${ctx.actor.tenantId} and o.id = ${orderId}
    for update of o`;
  if (!o) throw AppError.notFound();
  return o;
}

/** The places that act for a seller: the brand's factories, warehouses and itself; a distributor only itself. */
export function sellerSite(
  order: Pick<OrderRow, 'seller_kind' | 'seller_party_id'>,
  party: { id: number | null; kind: string | null },
): boolean {
  return order.seller_kind === 'brand' ? ['factory', 'warehouse', 'brand'].includes(party.kind ?? '') : party.id === order.seller_party_id;
}

/** The seller's people: the brand's staff and its sites for a distributor's order, the distributor for a store's. */
export async function isSellerSide(tx: Tx, ctx: RequestContext, order: OrderRow): Promise<{ yes: boolean; siteGln: string | null }> {
  const own = ctx.actor.partyId;
  const [site] = own
    ? await tx<
        { kind: string; gln: string | null }[]
      >`select kind, gln from parties where tenant_id = ${ctx.actor.tenantId} and id = ${own}`
    : [];
  const atSite = sellerSite(order, { id: own, kind: site?.kind ?? null });
  const yes = order.seller_kind === 'brand' ? seesWholeTenant(ctx.actor) || atSite : atSite;
  return { yes, siteGln: atSite ? (site?.gln ?? null) : null };
}

/** The buyer's people (and brand staff who see the whole tenant, acting for it). */
export function isBuyerSide(ctx: RequestContext, order: Pick<OrderRow, 'buyer_party_id'>): boolean {
  return seesWholeTenant(ctx.actor) || ctx.actor.partyId === order.buyer_party_id;
}

/** The scanned codes in canonical form; unreadable and repeated ones are reported at their position. */
export function canonicalCodes(input: string[], errors: FieldError[], at = '/body/codes'): string[] {
  const codes: string[] = [];
  input.forEach((raw, i) => {
    const c = canonicalCode(raw);
    if (!c) errors.push({ pointer: `${at}/${i}`, code: 'code.unrecognised', params: { value: raw } });
    else if (codes.includes(c)) errors.push({ pointer: `${at}/${i}`, code: 'code.duplicate', params: { value: raw } });
    else codes.push(c);
  });
  return codes;
}

export interface SkuUnits {
  productId: number;
  units: number;
}

/** Units under the scanned codes (themselves included when they are units), by the product's SKU. */
export async function unitsBySku(tx: Tx, tenantId: number, codes: string[]): Promise<Map<string, SkuUnits>> {
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

/** Units under each scanned code by SKU, unit GTIN and lot (for the codes of one difference, or a write-off). */
export async function unitLots(
  tx: Tx,
  tenantId: number,
  codes: string[],
): Promise<{ code: string; sku: string; productId: number; gtin: string; lot: string; n: number }[]> {
  const rows = await tx<{ code: string; sku: string; product_id: number; gtin: string; lot: string; n: number }[]>`
    with recursive down(top, epc, depth) as (
      select x, x, 0 from unnest(${codes}::text[]) x
      union all
      select d.top, k.child_epc, d.depth + 1 from down d
      join containment k on k.tenant_id = ${tenantId} and k.parent_epc = d.epc and k.unpacked_at is null
      where d.depth < 4
    )
    select down.top as code, p.sku, p.id::int as product_id, c.gtin, coalesce(c.lot, '') as lot, count(*)::int as n from down
    join code_state c on c.tenant_id = ${tenantId} and c.epc = down.epc and c.level = 'unit'
    join packaging_levels pl on pl.tenant_id = c.tenant_id and pl.gtin = c.gtin
    join products p on p.tenant_id = pl.tenant_id and p.id = pl.product_id
    group by 1, 2, 3, 4, 5`;
  return rows.map((r) => ({ code: r.code, sku: r.sku, productId: r.product_id, gtin: r.gtin.trim(), lot: r.lot, n: r.n }));
}

/** The order as an EPCIS business transaction (the seller's GLN names the numbering authority). */
export function orderTransaction(order: OrderRow, fallbackGln: string | null): { type: string; bizTransaction: string } {
  return { type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:${order.seller_gln ?? fallbackGln ?? '0000000000000'}:${order.order_no}` };
}

export interface OrderScan {
  scanId: string;
  codes: string[];
  bizStep: 'shipping' | 'receiving' | 'decommissioning';
  disposition: string;
  gln: string | null;
  /** further business transactions (a return's reference) */
  bizTransactions?: { type: string; bizTransaction: string }[];
  extra?: object;
}

/** The one ObjectEvent of a scan: the scanned codes at `gln`, carrying the order as its business transaction. */
export function orderScanEvent(order: OrderRow, scan: OrderScan, time = new Date()): EpcisEvent {
  const place = scan.gln ? { id: `https://id.gs1.org/414/${scan.gln}` } : null;
  return {
    type: 'ObjectEvent',
    eventTime: time.toISOString(),
    eventTimeZoneOffset: '+08:00',
    eventID: `urn:uuid:${scan.scanId}`,
    epcList: scan.codes,
    action: 'OBSERVE',
    bizStep: scan.bizStep,
    disposition: scan.disposition,
    ...(place ? { readPoint: place, bizLocation: place } : {}),
    bizTransactionList: [orderTransaction(order, scan.gln), ...(scan.bizTransactions ?? [])],
    ...scan.extra,
  };
}

/** Captures the scans' events in `tx` as one document (one capture job, projections applied set-based). */
export async function captureOrderEvents(tx: Tx, ctx: RequestContext, actor: string, events: EpcisEvent[]): Promise<void> {
  if (!events.length) return;
  await captureEvents(ctx.sql, ctx.actor.tenantId, actor, prepareEvents(events, EPCIS_CONTEXT), EPCIS_CONTEXT, { tx });
}

/** One ObjectEvent for the scanned codes at `gln`, carrying the order as its business transaction, captured in `tx`. */
export async function captureOrderScan(tx: Tx, ctx: RequestContext, order: OrderRow, scan: OrderScan): Promise<void> {
  await captureOrderEvents(tx, ctx, actorLabel(ctx.actor), [orderScanEvent(order, scan)]);
}

/** Runs a scan's transaction, once more if a concurrent retry of the same scan id took the key first (it then replays). */
export async function withScanRetry<T>(ctx: RequestContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  const attempt = () => ctx.sql.begin((tx) => work(tx)) as Promise<T>;
  return attempt().catch((e) => (isUniqueViolation(e) ? attempt() : Promise.reject(e)));
}
