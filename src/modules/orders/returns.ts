/**
 * Returns: the buyer sends goods of a delivered order back to the seller by scanning them (pallets, cases, units)
 * with a reason. A return is one EPCIS shipping event from the buyer to the seller carrying the order and the
 * return's own reference (an RMA) as business transactions; each code is refused on the spot when it was not
 * delivered to the buyer under the order, is no longer with the buyer, is already on its way back, or was declared
 * damaged (a difference credits that). The seller receives the return by scan or in one click (an EPCIS receiving
 * event), and the value of what it received goes back from its settled account to the buyer's prepaid account.
 * Scan ids make retries answer with the first outcome.
 */
import type { RequestContext } from '../../context.ts';
import type { Tx } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { actorLabel } from '../auth/index.ts';
import { canonicalCode } from '../trace/journey.ts';
import { ensureAccounts, settledForOrder, transfer } from './funds.ts';
import { returnNote } from './funds-notes.ts';
import {
  canonicalCodes,
  captureOrderScan,
  isBuyerSide,
  isSellerSide,
  lockOrder,
  type OrderRow,
  unitsBySku,
  withScanRetry,
} from './order-scan.ts';
import { emitOrderWebhook } from './order-webhooks.ts';
import { visibleTo } from './placement.ts';
import { damagedCodes, deliveredUnder } from './receipt-differences.ts';

export const RETURN_REASONS = ['damaged', 'expired', 'wrong_item', 'excess', 'recall'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export interface ReturnOutcome {
  orderId: number;
  returnId: number;
  returnNo: string;
  status: 'in_transit' | 'partially_received' | 'received';
  units: Record<string, number>;
  codes: number;
  valueFen: number;
  /** a receipt of the return: what went back to the buyer's prepaid account */
  creditedFen?: number;
  replayed?: boolean;
}

const GONE = new Set(['sold', 'destroyed', 'consumed', 'decommissioned']);

/** The return's reference as an EPCIS business transaction (type rma), numbered by the buyer. */
function rmaOf(order: OrderRow, returnNo: string) {
  return { type: 'rma', bizTransaction: `urn:epcglobal:cbv:bt:${order.buyer_gln ?? order.seller_gln ?? '0000000000000'}:${returnNo}` };
}

async function sideOrNotFound(tx: Tx, ctx: RequestContext, order: OrderRow, mine: boolean): Promise<void> {
  if (mine) return;
  if (await visibleTo(tx, ctx, order)) throw AppError.forbidden('return.wrong_party');
  throw AppError.notFound();
}

/** The buyer ships goods of a delivered order back to the seller. */
export async function createReturn(
  ctx: RequestContext,
  orderId: number,
  body: { scanId: string; reason: ReturnReason; codes: string[]; note?: string },
): Promise<ReturnOutcome> {
  return withScanRetry(ctx, async (tx) => {
    const t = ctx.actor.tenantId;
    const order = await lockOrder(tx, ctx, orderId);
    const [earlier] = await tx<{ outcome: ReturnOutcome; order_id: number }[]>`
      select outcome, order_id::int from order_returns where tenant_id = ${t} and scan_id = ${body.scanId}`;
    if (earlier) {
      if (earlier.order_id !== orderId) throw AppError.field('/body/scanId', 'difference.scan_id_reused', { value: body.scanId });
      return { ...earlier.outcome, replayed: true };
    }
    await sideOrNotFound(tx, ctx, order, isBuyerSide(ctx, order));
    if (!['partially_shipped', 'shipped', 'received'].includes(order.status))
      throw new AppError(409, 'order.wrong_status', { status: order.status, decision: 'return' });

    const errors: FieldError[] = [];
    const codes = canonicalCodes(body.codes, errors);
    const [delivered, states, damaged] = await Promise.all([
      deliveredUnder(tx, t, orderId, codes),
      tx<{ epc: string; status: string; holder: number | null; parent_epc: string | null }[]>`
        select epc, status, holder_party_id::int as holder, parent_epc from code_now where tenant_id = ${t} and epc = any(${codes}::text[])`,
      damagedCodes(tx, t, orderId, codes),
    ]);
    const state = new Map(states.map((s) => [s.epc, s]));
    body.codes.forEach((raw, i) => {
      const c = canonicalCode(raw);
      if (!c || !codes.includes(c)) return;
      const s = state.get(c);
      const pointer = `/body/codes/${i}`;
      const params = { value: raw };
      if (!s) errors.push({ pointer, code: 'code.unknown', params });
      else if (!delivered.received.has(c)) errors.push({ pointer, code: 'return.code_not_delivered', params });
      else if (delivered.returned.has(c)) errors.push({ pointer, code: 'return.already_returned', params });
      else if (s.holder !== order.buyer_party_id || s.status === 'in_transit' || GONE.has(s.status))
        errors.push({ pointer, code: 'return.not_with_buyer', params });
      else if (damaged.has(c)) errors.push({ pointer, code: 'return.declared_damaged', params });
      else if (s.parent_epc) errors.push({ pointer, code: 'code.packed_in', params: { ...params, parent: s.parent_epc } });
    });
    if (errors.length) throw AppError.invalid(errors);

    // what goes back, at the order's prices; never more of a SKU than the buyer kept (received, less returns and damage)
    const units = [...(await unitsBySku(tx, t, codes)).entries()];
    if (!units.length) throw AppError.field('/body/codes', 'shipment.empty', {});
    const lines = await tx<{ sku: string; unit_price_fen: string; kept: number }[]>`
      select p.sku, l.unit_price_fen,
        l.received_qty
          - (select coalesce(sum((r.units->>p.sku)::int), 0)::int from order_returns r where r.tenant_id = l.tenant_id and r.order_id = l.order_id)
          - (select coalesce(sum(d.quantity), 0)::int from order_receipt_differences d
              where d.tenant_id = l.tenant_id and d.order_id = l.order_id and d.kind = 'damaged' and d.product_id = l.product_id) as kept
      from order_lines l join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where l.tenant_id = ${t} and l.order_id = ${orderId}`;
    const line = new Map(lines.map((l) => [l.sku, l]));
    for (const [sku, u] of units) {
      const kept = line.get(sku)?.kept ?? 0;
      if (u.units > kept)
        errors.push({ pointer: '/body/codes', code: 'return.more_than_kept', params: { value: sku, units: u.units, kept } });
    }
    if (errors.length) throw AppError.invalid(errors);
    const valueFen = units.reduce((s, [sku, u]) => s + u.units * Number(line.get(sku)?.unit_price_fen ?? 0), 0);

    const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`
      select count(*)::int as n from order_returns where tenant_id = ${t} and order_id = ${orderId}`;
    const returnNo = `${order.order_no}-R${n + 1}`;
    await captureOrderScan(tx, ctx, order, {
      scanId: body.scanId,
      codes,
      bizStep: 'shipping',
      disposition: 'in_transit',
      gln: order.buyer_gln,
      bizTransactions: [rmaOf(order, returnNo)],
      extra: order.seller_gln
        ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${order.seller_gln}` }] }
        : {},
    });
    const unitsBySkuObj = Object.fromEntries(units.map(([sku, u]) => [sku, u.units]));
    const actor = actorLabel(ctx.actor);
    const [row] = await tx<{ id: number }[]>`
      insert into order_returns (tenant_id, order_id, return_no, reason, note, status, units, value_fen, scan_id, outcome, created_by)
      values (${t}, ${orderId}, ${returnNo}, ${body.reason}, ${body.note ?? null}, 'in_transit', ${tx.json(unitsBySkuObj as never)},
        ${valueFen}, ${body.scanId}, '{}', ${actor})
      returning id::int`;
    const returnId = Number(row?.id);
    const outcome: ReturnOutcome = {
      orderId,
      returnId,
      returnNo,
      status: 'in_transit',
      units: unitsBySkuObj,
      codes: codes.length,
      valueFen,
    };
    await Promise.all([
      tx`update order_returns set outcome = ${tx.json(outcome as never)} where tenant_id = ${t} and id = ${returnId}`,
      tx`insert into order_returned_codes (tenant_id, epc, order_id, return_id)
        select ${t}, x, ${orderId}, ${returnId} from unnest(${codes}::text[]) x`,
      tx`insert into order_events (tenant_id, order_id, kind, actor, details)
        values (${t}, ${orderId}, 'return_shipped', ${actor},
          ${tx.json({ returnId, returnNo, reason: body.reason, units: unitsBySkuObj, codes: codes.length, valueFen } as never)})`,
      emitOrderWebhook(tx, t, 'order.returned', {
        orderId,
        orderNo: order.order_no,
        returnId,
        returnNo,
        reason: body.reason,
        status: 'in_transit',
        units: unitsBySkuObj,
        codes,
        valueFen,
      }),
    ]);
    return outcome;
  });
}

/** The seller receives a return: the scanned codes, or everything of it still on its way; the buyer is credited. */
export async function receiveReturn(
  ctx: RequestContext,
  orderId: number,
  returnId: number,
  body: { scanId: string; codes?: string[] },
): Promise<ReturnOutcome> {
  return withScanRetry(ctx, async (tx) => {
    const t = ctx.actor.tenantId;
    const order = await lockOrder(tx, ctx, orderId);
    const [earlier] = await tx<{ outcome: ReturnOutcome; return_id: number }[]>`
      select outcome, return_id::int from order_return_receipts where tenant_id = ${t} and scan_id = ${body.scanId}`;
    if (earlier) {
      if (earlier.return_id !== returnId) throw AppError.field('/body/scanId', 'difference.scan_id_reused', { value: body.scanId });
      return { ...earlier.outcome, replayed: true };
    }
    const seller = await isSellerSide(tx, ctx, order);
    await sideOrNotFound(tx, ctx, order, seller.yes);
    const [ret] = await tx<{ id: number; return_no: string; value_fen: string; credited_fen: string }[]>`
      select id::int, return_no, value_fen, credited_fen from order_returns
      where tenant_id = ${t} and order_id = ${orderId} and id = ${returnId} for update`;
    if (!ret) throw new AppError(404, 'order.return_not_found', { id: returnId });
    const inReturn = await tx<{ epc: string; received: boolean }[]>`
      select epc, received from order_returned_codes where tenant_id = ${t} and return_id = ${returnId}`;
    const open = new Set(inReturn.filter((c) => !c.received).map((c) => c.epc));
    const errors: FieldError[] = [];
    let codes: string[];
    if (body.codes?.length) {
      codes = canonicalCodes(body.codes, errors);
      body.codes.forEach((raw, i) => {
        const c = canonicalCode(raw);
        if (c && !open.has(c))
          errors.push({
            pointer: `/body/codes/${i}`,
            code: inReturn.some((x) => x.epc === c) ? 'return.already_received' : 'return.code_not_in_return',
            params: { value: raw },
          });
      });
    } else codes = [...open];
    if (!codes.length) errors.push({ pointer: '/body/codes', code: 'return.nothing_to_receive', params: {} });
    if (errors.length) throw AppError.invalid(errors);

    const returnNo = ret.return_no;
    await captureOrderScan(tx, ctx, order, {
      scanId: body.scanId,
      codes,
      bizStep: 'receiving',
      disposition: 'in_progress',
      gln: seller.siteGln ?? order.seller_gln,
      bizTransactions: [rmaOf(order, returnNo)],
    });
    const units = [...(await unitsBySku(tx, t, codes)).entries()];
    const prices = await tx<{ product_id: number; unit_price_fen: string }[]>`
      select product_id::int, unit_price_fen from order_lines where tenant_id = ${t} and order_id = ${orderId}`;
    const price = new Map(prices.map((p) => [p.product_id, Number(p.unit_price_fen)]));
    const value = units.reduce((s, [, u]) => s + u.units * (price.get(u.productId) ?? 0), 0);
    // what the order left with the seller bounds what goes back
    const creditedFen = Math.max(0, Math.min(value, await settledForOrder(tx, t, orderId, order.seller_party_id)));
    const actor = actorLabel(ctx.actor);
    if (creditedFen > 0) {
      await ensureAccounts(tx, t, [order.buyer_party_id], ['prepaid']);
      await transfer(tx, t, {
        kind: 'refund',
        from: { partyId: order.seller_party_id, kind: 'settled' },
        to: { partyId: order.buyer_party_id, kind: 'prepaid' },
        amountFen: creditedFen,
        orderId,
        note: returnNote(returnNo),
        actor,
      });
    }
    const status = open.size === codes.length ? 'received' : 'partially_received';
    const unitsObj = Object.fromEntries(units.map(([sku, u]) => [sku, u.units]));
    await Promise.all([
      tx`update order_returned_codes set received = true where tenant_id = ${t} and return_id = ${returnId} and epc = any(${codes}::text[])`,
      tx`update order_lines l set returned_qty = l.returned_qty + x.n
        from unnest(${units.map(([, u]) => u.productId)}::bigint[], ${units.map(([, u]) => u.units)}::int[]) as x(product, n)
        where l.tenant_id = ${t} and l.order_id = ${orderId} and l.product_id = x.product`,
      tx`update order_returns set status = ${status}, credited_fen = credited_fen + ${creditedFen},
          received_at = case when ${status} = 'received' then now() end
        where tenant_id = ${t} and id = ${returnId}`,
    ]);
    // an order whose every received unit came back is returned
    const [all] = await tx<{ back: boolean }[]>`
      select bool_and(returned_qty >= received_qty) and sum(received_qty) > 0 as back from order_lines where tenant_id = ${t} and order_id = ${orderId}`;
    const orderStatus = all?.back && order.status === 'received' ? 'returned' : order.status;
    const outcome: ReturnOutcome = {
      orderId,
      returnId,
      returnNo,
      status,
      units: unitsObj,
      codes: codes.length,
      valueFen: value,
      creditedFen,
    };
    await Promise.all([
      orderStatus !== order.status
        ? tx`update orders set status = ${orderStatus}, updated_at = now() where tenant_id = ${t} and id = ${orderId}`
        : Promise.resolve(),
      tx`insert into order_return_receipts (tenant_id, scan_id, return_id, outcome, actor)
        values (${t}, ${body.scanId}, ${returnId}, ${tx.json(outcome as never)}, ${actor})`,
      tx`insert into order_events (tenant_id, order_id, kind, actor, details)
        values (${t}, ${orderId}, 'return_received', ${actor},
          ${tx.json({ returnId, returnNo, units: unitsObj, codes: codes.length, creditedFen } as never)})`,
      emitOrderWebhook(tx, t, 'order.return_received', {
        orderId,
        orderNo: order.order_no,
        orderStatus,
        returnId,
        returnNo,
        status,
        units: unitsObj,
        creditedFen,
      }),
    ]);
    return outcome;
  });
}

export interface ReturnView {
  id: number;
  returnNo: string;
  reason: ReturnReason;
  note: string | null;
  status: string;
  units: Record<string, number>;
  valueFen: number;
  creditedFen: number;
  codes: string[];
  createdBy: string;
  createdAt: Date;
  receivedAt: Date | null;
}

/** The order's returns, oldest first. */
export async function listReturns(db: RequestContext['sql'], tenantId: number, orderId: number): Promise<ReturnView[]> {
  const rows = await db<Record<string, unknown>[]>`
    select r.id::int, r.return_no, r.reason, r.note, r.status, r.units, r.value_fen::int, r.credited_fen::int, r.created_by,
      r.created_at, r.received_at,
      array(select c.epc from order_returned_codes c where c.tenant_id = r.tenant_id and c.return_id = r.id order by c.epc) as codes
    from order_returns r where r.tenant_id = ${tenantId} and r.order_id = ${orderId} order by r.id`;
  return rows.map((r) => ({
    id: r.id as number,
    returnNo: r.return_no as string,
    reason: r.reason as ReturnReason,
    note: r.note as string | null,
    status: r.status as string,
    units: r.units as Record<string, number>,
    valueFen: r.value_fen as number,
    creditedFen: r.credited_fen as number,
    codes: r.codes as string[],
    createdBy: r.created_by as string,
    createdAt: r.created_at as Date,
    receivedAt: r.received_at as Date | null,
  }));
}
