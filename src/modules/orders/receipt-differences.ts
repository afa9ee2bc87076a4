/**
 * Receipt differences: what the receiver found different from what was shipped, recorded per order and product
 * and resolved once by the seller's side.
 *
 * - short: shipped codes that never arrived, declared by code or by closing the receipt (every shipped code not
 *   received). Until resolved they stay in transit towards the buyer; resolving writes them off (an EPCIS
 *   decommissioning event: the buyer's in-transit count moves to destroyed).
 * - over: codes scanned on receipt that were not shipped under the order (receipts record them, fulfilment.ts).
 *   They are not received into the order; a write-off accepts them into the buyer's stock (a receiving event), at
 *   no charge.
 * - damaged: received codes, or a quantity of a SKU, that arrived broken (with a note and a photo reference).
 *   Resolving writes the units off the buyer's on-hand stock with adjustments of reason 'damaged'.
 *
 * Resolutions (difference-resolution.ts): credit (the value goes back from the seller's settled account to the buyer's prepaid account),
 * reship (the units are owed again: the lines reopen and the value returns to the order's reservation, to settle
 * again when the units ship) or write_off (accepted, no money). The same resolution sent again answers with the
 * first; another one is refused. Every resolution is audited.
 */
import type { RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { actorLabel } from '../auth/index.ts';
import { canonicalCode } from '../trace/journey.ts';
import { canonicalCodes, isBuyerSide, lockOrder, type OrderRow, unitLots, withScanRetry } from './order-scan.ts';
import { emitOrderWebhook } from './order-webhooks.ts';
import { visibleTo } from './placement.ts';

export type DifferenceKind = 'short' | 'over' | 'damaged';
export type Resolution = 'credit' | 'reship' | 'write_off';

export interface RecordedDifference {
  id: number;
  kind: DifferenceKind;
  sku: string;
  quantity: number;
  codes: string[];
}

export interface Lot {
  gtin: string;
  lot: string;
  n: number;
}

interface Group {
  productId: number;
  sku: string;
  quantity: number;
  codes: string[];
  lots: Lot[];
}

/** The units under the codes, one group per product (a mixed pallet's code is in the group of each of its products). */
async function groupsOf(tx: Tx, tenantId: number, codes: string[]): Promise<Group[]> {
  const rows = await unitLots(tx, tenantId, codes);
  const byProduct = new Map<number, Group>();
  for (const r of rows) {
    const g = byProduct.get(r.productId) ?? { productId: r.productId, sku: r.sku, quantity: 0, codes: [], lots: [] };
    g.quantity += r.n;
    if (!g.codes.includes(r.code)) g.codes.push(r.code);
    const lot = g.lots.find((l) => l.gtin === r.gtin && l.lot === r.lot);
    if (lot) lot.n += r.n;
    else g.lots.push({ gtin: r.gtin, lot: r.lot, n: r.n });
    byProduct.set(r.productId, g);
  }
  return [...byProduct.values()];
}

/** Writes the differences, puts them on the order's timeline and tells integrators, in the caller's transaction. */
async function insertDifferences(
  tx: Tx,
  ctx: RequestContext,
  order: OrderRow,
  kind: DifferenceKind,
  groups: Group[],
  scan: { scanId: string; note?: string | null; photoRef?: string | null },
): Promise<RecordedDifference[]> {
  if (!groups.length) return [];
  const t = ctx.actor.tenantId;
  const actor = actorLabel(ctx.actor);
  const rows = await tx<{ id: number; product_id: number }[]>`
    insert into order_receipt_differences (tenant_id, order_id, kind, product_id, quantity, codes, lots, note, photo_ref, scan_id, declared_by)
    select ${t}, ${order.id}, ${kind}, x.product, x.quantity, array(select jsonb_array_elements_text(x.codes)), x.lots,
      ${scan.note ?? null}, ${scan.photoRef ?? null}, ${scan.scanId}, ${actor}
    from jsonb_to_recordset(${tx.json(groups.map((g) => ({ product: g.productId, quantity: g.quantity, codes: g.codes, lots: g.lots })) as never)})
      as x(product bigint, quantity int, codes jsonb, lots jsonb)
    returning id::int, product_id::int`;
  const recorded = groups.map((g) => ({
    id: Number(rows.find((r) => r.product_id === g.productId)?.id),
    kind,
    sku: g.sku,
    quantity: g.quantity,
    codes: g.codes,
  }));
  await Promise.all([
    tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${order.id}, 'difference_recorded', ${actor},
        ${tx.json({ kind, differences: recorded.map((d) => ({ id: d.id, sku: d.sku, quantity: d.quantity })) } as never)})`,
    ...recorded.map((d) =>
      emitOrderWebhook(tx, t, 'order.receipt_difference', {
        orderId: order.id,
        orderNo: order.order_no,
        differenceId: d.id,
        kind,
        sku: d.sku,
        quantity: d.quantity,
        codes: d.codes,
        note: scan.note ?? null,
        photoRef: scan.photoRef ?? null,
      }),
    ),
  ]);
  return recorded;
}

/**
 * Codes scanned on a receipt that were not shipped under the order: recorded as "over", by product. A code the
 * brand never issued is refused (code.unknown), as is one already recorded over on this order.
 */
export async function recordOver(
  tx: Tx,
  ctx: RequestContext,
  order: OrderRow,
  over: { code: string; index: number }[],
  scanId: string,
): Promise<RecordedDifference[]> {
  const t = ctx.actor.tenantId;
  const codes = over.map((o) => o.code);
  const [known, recorded, inside] = await Promise.all([
    tx<{ epc: string }[]>`select epc from code_state where tenant_id = ${t} and epc = any(${codes}::text[])`,
    tx<{ code: string }[]>`
      select distinct c as code from order_receipt_differences d, unnest(d.codes) c
      where d.tenant_id = ${t} and d.order_id = ${order.id} and d.kind = 'over' and d.codes && ${codes}::text[]`,
    // a case of a shipped pallet is no extra: the receipt takes what was shipped, the pallet
    tx<{ epc: string; parent: string }[]>`
      with recursive up(epc, anc, depth) as (
        select x, x, 0 from unnest(${codes}::text[]) x
        union all
        select up.epc, k.parent_epc, up.depth + 1 from up
        join containment k on k.tenant_id = ${t} and k.child_epc = up.anc and k.unpacked_at is null
        where up.depth < 4
      )
      select distinct on (up.epc) up.epc, s.epc as parent from up
      join order_shipped_codes s on s.tenant_id = ${t} and s.order_id = ${order.id} and s.epc = up.anc
      where up.depth > 0 order by up.epc, up.depth`,
  ]);
  const insideOf = new Map(inside.map((i) => [i.epc, i.parent]));
  const isKnown = new Set(known.map((k) => k.epc));
  const already = new Set(recorded.map((r) => r.code));
  const errors: FieldError[] = [];
  for (const o of over) {
    const pointer = `/body/codes/${o.index}`;
    if (!isKnown.has(o.code)) errors.push({ pointer, code: 'code.unknown', params: { value: o.code } });
    else if (insideOf.has(o.code))
      errors.push({ pointer, code: 'receipt.inside_shipped', params: { value: o.code, parent: insideOf.get(o.code) } });
    else if (already.has(o.code)) errors.push({ pointer, code: 'difference.already_declared', params: { value: o.code } });
  }
  if (errors.length) throw AppError.invalid(errors);
  const groups = await groupsOf(tx, t, codes);
  const empty = over.filter((o) => !groups.some((g) => g.codes.includes(o.code)));
  if (empty.length)
    throw AppError.invalid(
      empty.map((o) => ({ pointer: `/body/codes/${o.index}`, code: 'difference.no_units', params: { value: o.code } })),
    );
  return insertDifferences(tx, ctx, order, 'over', groups, { scanId });
}

interface ScanReplay {
  orderId: number;
  status: string;
  differences: RecordedDifference[];
  replayed?: boolean;
}

async function scanReplay(tx: Tx, tenantId: number, scanId: string, orderId: number): Promise<ScanReplay | null> {
  const [r] = await tx<{ outcome: ScanReplay; order_id: number }[]>`
    select outcome, order_id::int from order_difference_scans where tenant_id = ${tenantId} and scan_id = ${scanId}`;
  if (!r) return null;
  if (r.order_id !== orderId) throw AppError.field('/body/scanId', 'difference.scan_id_reused', { value: scanId });
  return { ...r.outcome, replayed: true };
}

async function buyerOnly(tx: Tx, ctx: RequestContext, order: OrderRow): Promise<void> {
  if (isBuyerSide(ctx, order)) return;
  if (await visibleTo(tx, ctx, order)) throw AppError.forbidden('difference.wrong_party');
  throw AppError.notFound();
}

/**
 * The buyer closes the receipt: every shipped code it has not received (nor declared short) is short. An order
 * that had shipped everything is then received.
 */
export async function closeReceipt(ctx: RequestContext, orderId: number, body: { scanId: string; note?: string }): Promise<ScanReplay> {
  return withScanRetry(ctx, async (tx) => {
    const t = ctx.actor.tenantId;
    const order = await lockOrder(tx, ctx, orderId);
    const replay = await scanReplay(tx, t, body.scanId, orderId);
    if (replay) return replay;
    await buyerOnly(tx, ctx, order);
    if (!['partially_shipped', 'shipped', 'received'].includes(order.status))
      throw new AppError(409, 'order.wrong_status', { status: order.status, decision: 'close_receipt' });
    const open = await tx<{ epc: string }[]>`
      select epc from order_shipped_codes where tenant_id = ${t} and order_id = ${orderId} and not received and not short`;
    const codes = open.map((o) => o.epc);
    const differences = codes.length
      ? await insertDifferences(tx, ctx, order, 'short', await groupsOf(tx, t, codes), { scanId: body.scanId, note: body.note })
      : [];
    const status = order.status === 'shipped' ? 'received' : order.status;
    const outcome: ScanReplay = { orderId, status, differences };
    await Promise.all([
      codes.length
        ? tx`update order_shipped_codes set short = true where tenant_id = ${t} and order_id = ${orderId} and epc = any(${codes}::text[])`
        : Promise.resolve(),
      tx`update orders set status = ${status}, updated_at = now() where tenant_id = ${t} and id = ${orderId}`,
      tx`insert into order_events (tenant_id, order_id, kind, actor, details)
        values (${t}, ${orderId}, 'receipt_closed', ${actorLabel(ctx.actor)}, ${tx.json({ shortCodes: codes.length } as never)})`,
      tx`insert into order_difference_scans (tenant_id, scan_id, order_id, outcome, actor)
        values (${t}, ${body.scanId}, ${orderId}, ${tx.json(outcome as never)}, ${actorLabel(ctx.actor)})`,
      status === 'received' && order.status !== 'received'
        ? emitOrderWebhook(tx, t, 'order.received', { orderId, orderNo: order.order_no, status, units: {}, complete: true })
        : Promise.resolve(),
    ]);
    return outcome;
  });
}

export interface DeclareBody {
  scanId: string;
  kind: 'short' | 'damaged';
  codes?: string[];
  sku?: string;
  quantity?: number;
  note?: string;
  photoRef?: string;
}

/**
 * The buyer declares a difference: shipped codes that did not arrive (short), or received codes or a quantity of
 * a SKU that arrived damaged.
 */
export async function declareDifference(ctx: RequestContext, orderId: number, body: DeclareBody): Promise<ScanReplay> {
  return withScanRetry(ctx, async (tx) => {
    const t = ctx.actor.tenantId;
    const order = await lockOrder(tx, ctx, orderId);
    const replay = await scanReplay(tx, t, body.scanId, orderId);
    if (replay) return replay;
    await buyerOnly(tx, ctx, order);
    const byCodes = !!body.codes?.length;
    const byQuantity = body.sku !== undefined || body.quantity !== undefined;
    if (byCodes === byQuantity || (body.kind === 'short' && !byCodes))
      throw AppError.field('/body/codes', body.kind === 'short' ? 'difference.codes_required' : 'difference.codes_or_quantity', {});
    const errors: FieldError[] = [];
    let groups: Group[];
    let shortCodes: string[] = [];
    if (byCodes) {
      const input = body.codes as string[];
      const codes = canonicalCodes(input, errors);
      const bad = body.kind === 'short' ? await notOpen(tx, t, orderId, codes) : await notDamageable(tx, t, order, codes);
      input.forEach((raw, i) => {
        const c = canonicalCode(raw);
        const why = c ? bad.get(c) : undefined;
        if (why) errors.push({ pointer: `/body/codes/${i}`, code: why, params: { value: raw } });
      });
      if (errors.length) throw AppError.invalid(errors);
      groups = await groupsOf(tx, t, codes);
      if (!groups.length) throw AppError.field('/body/codes', 'difference.no_units', {});
      if (body.kind === 'short') shortCodes = codes;
    } else {
      const quantity = body.quantity;
      if (!body.sku) throw AppError.field('/body/sku', 'difference.codes_or_quantity', {});
      if (quantity === undefined || !Number.isSafeInteger(quantity) || quantity <= 0)
        throw AppError.field('/body/quantity', 'order.bad_quantity', { value: quantity ?? null });
      const [line] = await tx<{ product_id: number; received_qty: number; returned: number; damaged: number }[]>`
        select l.product_id::int, l.received_qty,
          (select coalesce(sum((r.units->>${body.sku})::int), 0)::int from order_returns r
            where r.tenant_id = l.tenant_id and r.order_id = l.order_id) as returned,
          (select coalesce(sum(d.quantity), 0)::int from order_receipt_differences d
            where d.tenant_id = l.tenant_id and d.order_id = l.order_id and d.kind = 'damaged' and d.product_id = l.product_id) as damaged
        from order_lines l join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
        where l.tenant_id = ${t} and l.order_id = ${orderId} and p.sku = ${body.sku}`;
      if (!line) throw AppError.field('/body/sku', 'difference.sku_not_on_order', { value: body.sku });
      const kept = line.received_qty - line.returned - line.damaged;
      if (quantity > kept) throw AppError.field('/body/quantity', 'difference.more_than_received', { value: quantity, kept });
      groups = [{ productId: line.product_id, sku: body.sku, quantity, codes: [], lots: [] }];
    }
    const differences = await insertDifferences(tx, ctx, order, body.kind, groups, {
      scanId: body.scanId,
      note: body.note,
      photoRef: body.photoRef,
    });
    const outcome: ScanReplay = { orderId, status: order.status, differences };
    await Promise.all([
      shortCodes.length
        ? tx`update order_shipped_codes set short = true where tenant_id = ${t} and order_id = ${orderId} and epc = any(${shortCodes}::text[])`
        : Promise.resolve(),
      tx`insert into order_difference_scans (tenant_id, scan_id, order_id, outcome, actor)
        values (${t}, ${body.scanId}, ${orderId}, ${tx.json(outcome as never)}, ${actorLabel(ctx.actor)})`,
    ]);
    return outcome;
  });
}

/** Of the codes, those that are not shipped-and-still-expected under the order, with the reason. */
async function notOpen(tx: Tx, tenantId: number, orderId: number, codes: string[]): Promise<Map<string, string>> {
  const rows = await tx<{ epc: string; received: boolean; short: boolean }[]>`
    select epc, received, short from order_shipped_codes where tenant_id = ${tenantId} and order_id = ${orderId} and epc = any(${codes}::text[])`;
  const by = new Map(rows.map((r) => [r.epc, r]));
  const out = new Map<string, string>();
  for (const c of codes) {
    const r = by.get(c);
    if (!r) out.set(c, 'receipt.not_on_order');
    else if (r.received) out.set(c, 'receipt.already_received');
    else if (r.short) out.set(c, 'difference.already_declared');
  }
  return out;
}

/**
 * Of the codes, those the buyer cannot declare damaged, with the reason: not received under this order (itself or a
 * container it came in), no longer with the buyer, returned, or already declared damaged.
 */
export async function notDamageable(tx: Tx, tenantId: number, order: OrderRow, codes: string[]): Promise<Map<string, string>> {
  const [delivered, states, declared] = await Promise.all([
    deliveredUnder(tx, tenantId, order.id, codes),
    tx<{ epc: string; status: string; holder: number | null }[]>`
      select epc, status, holder_party_id::int as holder from code_now where tenant_id = ${tenantId} and epc = any(${codes}::text[])`,
    damagedCodes(tx, tenantId, order.id, codes),
  ]);
  const state = new Map(states.map((s) => [s.epc, s]));
  const out = new Map<string, string>();
  for (const c of codes) {
    const s = state.get(c);
    if (!s) out.set(c, 'code.unknown');
    else if (!delivered.received.has(c)) out.set(c, 'return.code_not_delivered');
    else if (delivered.returned.has(c)) out.set(c, 'return.already_returned');
    else if (s.holder !== order.buyer_party_id || s.status === 'in_transit' || GONE.has(s.status)) out.set(c, 'return.not_with_buyer');
    else if (declared.has(c)) out.set(c, 'difference.already_declared');
  }
  return out;
}

const GONE = new Set(['sold', 'destroyed', 'consumed', 'decommissioned']);

/** The codes (of those given) that sit in a damaged difference of the order, themselves or a container around them. */
export async function damagedCodes(tx: Tx, tenantId: number, orderId: number, codes: string[]): Promise<Set<string>> {
  const rows = await tx<{ epc: string }[]>`
    with recursive up(epc, anc, depth) as (
      select x, x, 0 from unnest(${codes}::text[]) x
      union all
      select up.epc, k.parent_epc, up.depth + 1 from up
      join containment k on k.tenant_id = ${tenantId} and k.child_epc = up.anc
      where up.depth < 4
    )
    select distinct up.epc from up join order_receipt_differences d
      on d.tenant_id = ${tenantId} and d.order_id = ${orderId} and d.kind = 'damaged' and up.anc = any(d.codes)`;
  return new Set(rows.map((r) => r.epc));
}

/**
 * Which of the codes came to the buyer under the order (received: the code itself, or a container it was packed in
 * when it shipped), and which of those already went back (the code or such a container in a return of the order).
 */
export async function deliveredUnder(
  tx: Tx,
  tenantId: number,
  orderId: number,
  codes: string[],
): Promise<{ received: Set<string>; returned: Set<string> }> {
  const rows = await tx<{ epc: string; received: boolean; returned: boolean }[]>`
    with recursive up(epc, anc, depth) as (
      select x, x, 0 from unnest(${codes}::text[]) x
      union all
      select up.epc, k.parent_epc, up.depth + 1 from up
      join containment k on k.tenant_id = ${tenantId} and k.child_epc = up.anc
      where up.depth < 4
    )
    select up.epc,
      bool_or(s.received) as received,
      bool_or(r.epc is not null) as returned
    from up
    left join order_shipped_codes s on s.tenant_id = ${tenantId} and s.order_id = ${orderId} and s.epc = up.anc
    left join order_returned_codes r on r.tenant_id = ${tenantId} and r.order_id = ${orderId} and r.epc = up.anc
    group by up.epc`;
  return {
    received: new Set(rows.filter((r) => r.received).map((r) => r.epc)),
    returned: new Set(rows.filter((r) => r.returned).map((r) => r.epc)),
  };
}

export interface DifferenceView {
  id: number;
  kind: DifferenceKind;
  sku: string;
  name: string;
  quantity: number;
  valueFen: number;
  codes: string[];
  note: string | null;
  photoRef: string | null;
  status: 'open' | 'resolved';
  resolution: Resolution | null;
  resolutionNote: string | null;
  creditFen: number;
  declaredBy: string;
  declaredAt: Date;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  replayed?: boolean;
}

/** The order's differences, oldest first (one of them with `id`). */
export async function listDifferences(db: Tx | RequestContext['sql'], ctx: RequestContext, orderId: number, id?: number) {
  const rows = await db<Record<string, unknown>[]>`
    select d.id::int, d.kind, p.sku, p.name_zh, p.name_en, d.quantity, d.codes, d.note, d.photo_ref, d.status, d.resolution,
      d.resolution_note, d.credit_fen::int, d.declared_by, d.declared_at, d.resolved_by, d.resolved_at,
      (d.quantity * coalesce(l.unit_price_fen, 0))::int as value_fen
    from order_receipt_differences d
    join products p on p.tenant_id = d.tenant_id and p.id = d.product_id
    left join order_lines l on l.tenant_id = d.tenant_id and l.order_id = d.order_id and l.product_id = d.product_id
    where d.tenant_id = ${ctx.actor.tenantId} and d.order_id = ${orderId} ${id === undefined ? db`` : db`and d.id = ${id}`}
    order by d.id`;
  return rows.map(
    (r): DifferenceView => ({
      id: r.id as number,
      kind: r.kind as DifferenceKind,
      sku: r.sku as string,
      name: (ctx.locale === 'en' ? r.name_en : r.name_zh) as string,
      quantity: r.quantity as number,
      valueFen: r.value_fen as number,
      codes: r.codes as string[],
      note: r.note as string | null,
      photoRef: r.photo_ref as string | null,
      status: r.status as 'open' | 'resolved',
      resolution: r.resolution as Resolution | null,
      resolutionNote: r.resolution_note as string | null,
      creditFen: r.credit_fen as number,
      declaredBy: r.declared_by as string,
      declaredAt: r.declared_at as Date,
      resolvedBy: r.resolved_by as string | null,
      resolvedAt: r.resolved_at as Date | null,
    }),
  );
}
