/**
 * Resolving a receipt difference (receipt-differences.ts records them): the seller's side picks credit, reship or
 * write-off once; the goods and the money move in the same transaction, and the resolution is audited.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { actorLabel, seesWholeTenant, whoOf } from '../auth/index.ts';
import { adjustStock } from '../inventory/index.ts';
import { ensureAccounts, settledForOrder, transfer } from './funds.ts';
import { differenceNote } from './funds-notes.ts';
import { captureOrderScan, lockOrder, type OrderRow } from './order-scan.ts';
import { emitOrderWebhook } from './order-webhooks.ts';
import { visibleTo } from './placement.ts';
import { type DifferenceKind, type DifferenceView, type Lot, listDifferences, type Resolution } from './receipt-differences.ts';

const ALLOWED: Record<DifferenceKind, Resolution[]> = {
  short: ['credit', 'reship', 'write_off'],
  damaged: ['credit', 'reship', 'write_off'],
  // units nobody billed: the seller accepts them into the buyer's stock (a new order bills them, a return sends them back)
  over: ['write_off'],
};

/**
 * Who resolves an order's receipt differences: the seller's side, the stock and money being the seller's. For the
 * brand's orders its staff who see the whole brand and its sales people; for a distributor's, the distributor's own
 * users only (unlike approving, which brand staff may also do for a distributor: placement decidesOn). The order's
 * page offers the resolve buttons by it.
 */
export function resolvesDifferencesOn(actor: RequestContext['actor'], order: { seller_kind: string; seller_party_id: number }): boolean {
  if (order.seller_kind === 'brand') return seesWholeTenant(actor) || actor.role === 'brand_sales';
  return actor.partyId === order.seller_party_id;
}

/** The seller's side resolves a difference once; the same resolution again answers with the first. */
export async function resolveDifference(
  ctx: RequestContext,
  orderId: number,
  differenceId: number,
  body: { resolution: Resolution; note?: string },
): Promise<DifferenceView> {
  return ctx.sql.begin(async (tx) => {
    const t = ctx.actor.tenantId;
    const order = await lockOrder(tx, ctx, orderId);
    if (!(await visibleTo(tx, ctx, order))) throw AppError.notFound();
    if (!resolvesDifferencesOn(ctx.actor, order)) throw AppError.forbidden('difference.wrong_party');
    const [d] = await tx<
      {
        id: number;
        kind: DifferenceKind;
        product_id: number;
        sku: string;
        quantity: number;
        codes: string[];
        lots: Lot[];
        status: string;
        resolution: Resolution | null;
        unit_price_fen: string | null;
      }[]
    >`
      select d.id::int, d.kind, d.product_id::int, p.sku, d.quantity, d.codes, d.lots, d.status, d.resolution, l.unit_price_fen
      from order_receipt_differences d
      join products p on p.tenant_id = d.tenant_id and p.id = d.product_id
      left join order_lines l on l.tenant_id = d.tenant_id and l.order_id = d.order_id and l.product_id = d.product_id
      where d.tenant_id = ${t} and d.order_id = ${orderId} and d.id = ${differenceId}
      for update of d`;
    if (!d) throw new AppError(404, 'order.difference_not_found', { id: differenceId });
    if (d.status === 'resolved') {
      if (d.resolution !== body.resolution)
        throw new AppError(409, 'difference.already_resolved', { resolution: d.resolution ?? '' }, [], { resolution: d.resolution });
      const [view] = await listDifferences(tx, ctx, orderId, differenceId);
      return { ...(view as DifferenceView), replayed: true };
    }
    if (!ALLOWED[d.kind].includes(body.resolution))
      throw AppError.field('/body/resolution', 'difference.resolution_not_allowed', { value: body.resolution, kind: d.kind });

    const actor = actorLabel(ctx.actor);
    const value = d.quantity * Number(d.unit_price_fen ?? 0);
    let creditFen = 0;
    // the goods: short units are written off in transit, damaged ones off the buyer's shelf, over ones accepted
    if (d.kind === 'short') await writeOffInTransit(tx, ctx, order, d.codes);
    if (d.kind === 'damaged') await writeOffDamaged(tx, ctx, order, d, differenceId);
    if (d.kind === 'over') {
      const scanId = randomUUID();
      await captureOrderScan(tx, ctx, order, {
        scanId,
        codes: d.codes,
        bizStep: 'receiving',
        disposition: 'in_progress',
        gln: order.buyer_gln,
      });
    }
    // the money
    if (body.resolution === 'credit' || body.resolution === 'reship') {
      const left = await settledForOrder(tx, t, orderId, order.seller_party_id);
      creditFen = Math.max(0, Math.min(value, left));
      if (creditFen > 0) {
        await ensureAccounts(tx, t, [order.buyer_party_id], ['prepaid', 'reserved']);
        await transfer(tx, t, {
          kind: body.resolution === 'credit' ? 'refund' : 'unsettle',
          from: { partyId: order.seller_party_id, kind: 'settled' },
          to: { partyId: order.buyer_party_id, kind: body.resolution === 'credit' ? 'prepaid' : 'reserved' },
          amountFen: creditFen,
          orderId,
          note: differenceNote(differenceId, d.kind),
          actor,
        });
      }
    }
    let status = order.status;
    if (body.resolution === 'reship') {
      // the units are owed again: the line reopens for shipping (and receiving, for damaged units that had arrived)
      status = 'partially_shipped';
      await Promise.all([
        tx`update order_lines set shipped_qty = shipped_qty - ${d.quantity},
            received_qty = received_qty - ${d.kind === 'damaged' ? d.quantity : 0}
          where tenant_id = ${t} and order_id = ${orderId} and product_id = ${d.product_id}`,
        tx`update orders set status = ${status}, reserved_fen = reserved_fen + ${creditFen}, updated_at = now()
          where tenant_id = ${t} and id = ${orderId}`,
      ]);
    }
    const details = { differenceId, kind: d.kind, sku: d.sku, quantity: d.quantity, resolution: body.resolution, creditFen };
    await Promise.all([
      tx`update order_receipt_differences set status = 'resolved', resolution = ${body.resolution}, resolution_note = ${body.note ?? null},
          credit_fen = ${creditFen}, resolved_by = ${actor}, resolved_at = now()
        where tenant_id = ${t} and id = ${differenceId}`,
      tx`insert into order_events (tenant_id, order_id, kind, actor, details)
        values (${t}, ${orderId}, 'difference_resolved', ${actor}, ${tx.json(details as never)})`,
      emitOrderWebhook(tx, t, 'order.difference_resolved', { orderId, orderNo: order.order_no, status, ...details }),
    ]);
    await appendAudit(tx, whoOf(ctx), {
      action: 'order.difference_resolve',
      entityType: 'order_receipt_difference',
      entityId: differenceId,
      details: { orderId, orderNo: order.order_no, ...details, note: body.note ?? null },
    });
    const [view] = await listDifferences(tx, ctx, orderId, differenceId);
    return view as DifferenceView;
  });
}

/** Short units never arrived: their codes still in transit are decommissioned (lost), moving the buyer's in-transit to destroyed. */
async function writeOffInTransit(tx: Tx, ctx: RequestContext, order: OrderRow, codes: string[]): Promise<void> {
  const still = await tx<{ epc: string }[]>`
    select epc from code_now where tenant_id = ${ctx.actor.tenantId} and epc = any(${codes}::text[]) and status = 'in_transit'`;
  if (!still.length) return;
  await captureOrderScan(tx, ctx, order, {
    scanId: randomUUID(),
    codes: still.map((s) => s.epc),
    bizStep: 'decommissioning',
    disposition: 'unknown',
    gln: null,
  });
}

/** Damaged units leave the buyer's on-hand stock by adjustments of reason 'damaged', lot by lot. */
async function writeOffDamaged(
  tx: Tx,
  ctx: RequestContext,
  order: OrderRow,
  d: { product_id: number; sku: string; quantity: number; lots: Lot[] },
  differenceId: number,
): Promise<void> {
  const t = ctx.actor.tenantId;
  let lots = d.lots;
  if (!lots.length) {
    // a quantity without codes: from the buyer's lots of the product, in lot order
    const rows = await tx<{ gtin: string; lot: string; on_hand: number }[]>`
      select s.gtin, s.lot, s.on_hand::int from stock s
      join packaging_levels pl on pl.tenant_id = s.tenant_id and pl.gtin = s.gtin and pl.level = 'unit'
      where s.tenant_id = ${t} and s.holder_party_id = ${order.buyer_party_id} and pl.product_id = ${d.product_id} and s.on_hand > 0
      order by s.lot, s.gtin`;
    let left = d.quantity;
    lots = [];
    for (const r of rows) {
      if (left <= 0) break;
      const n = Math.min(left, r.on_hand);
      lots.push({ gtin: r.gtin.trim(), lot: r.lot, n });
      left -= n;
    }
    if (left > 0) throw new AppError(409, 'difference.stock_gone', { sku: d.sku, quantity: d.quantity, onHand: d.quantity - left });
  }
  const [buyer] = await tx<{ code: string }[]>`select code from parties where tenant_id = ${t} and id = ${order.buyer_party_id}`;
  for (const l of lots) {
    const done = await adjustStock(tx, t, {
      holder: { id: order.buyer_party_id, code: buyer?.code ?? '' },
      gtin: l.gtin,
      sku: d.sku,
      lot: l.lot,
      delta: -l.n,
      reason: 'damaged',
      note: `order ${order.order_no} difference ${differenceId}`,
      actor: actorLabel(ctx.actor),
    });
    if ('wouldGoNegative' in done) throw new AppError(409, 'difference.stock_gone', { sku: d.sku, quantity: l.n, onHand: done.onHand });
  }
}
