/**
 * A scan from a device or the scanning page that names an order by its number (POST /api/v1/scans with `order`):
 * a ship scan ships that order and a receive scan receives its shipment, by the same rules and writes as the console's
 * shipment by scan (fulfilment.ts: the order's lines and what they still need, units inside a case refused, the order's
 * buyer as the receiver, the scan id keeping a retry to one shipment). Before, the number only labelled the ledger's
 * event, and the order stayed unshipped until someone shipped it a second time from the console.
 *
 * The answer is a scan's (trace/scans.ts ScanOutcome) with `order`; a refusal is a scan's 422 `scan.rejected`, its
 * problems at their pointers: `/body/order` when the number names no order of the tenant, or one the scanning place
 * does not sell (ship) or buy (receive); nothing is written then.
 */
import type { RequestContext } from '../../context.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { roleMay } from '../auth/index.ts';
import type { OrderScanHandler, ScanOutcome } from '../trace/scans.ts';
import { type FulfilmentOutcome, receiveBatch, shipBatch } from './fulfilment.ts';
import { type OrderRow, sellerSite } from './order-scan.ts';

type NamedOrder = Pick<OrderRow, 'id' | 'order_no' | 'seller_party_id' | 'buyer_party_id' | 'seller_kind'> & { buyer_code: string };

function refused(errors: FieldError[]): AppError {
  return new AppError(422, 'scan.rejected', { count: errors.length }, errors);
}

/** The tenant's order with this number (numbers are unique per tenant: `SO` + day + sequence). */
async function orderNumbered(ctx: RequestContext, orderNo: string): Promise<NamedOrder | undefined> {
  const [order] = await ctx.sql<NamedOrder[]>`
    select o.id::int, o.order_no, o.seller_party_id::int, o.buyer_party_id::int, s.kind as seller_kind, b.code as buyer_code
    from orders o
    join parties s on s.tenant_id = o.tenant_id and s.id = o.seller_party_id
    join parties b on b.tenant_id = o.tenant_id and b.id = o.buyer_party_id
    where o.tenant_id = ${ctx.actor.tenantId} and o.order_no = ${orderNo}`;
  return order;
}

/** Whether the actor may ship (receive) orders at all: its role, and for a device key the actions it was granted. */
function mayFulfil(ctx: RequestContext, action: 'orders:ship' | 'orders:receive'): boolean {
  const { actor } = ctx;
  return roleMay(actor.role, action) && (actor.kind !== 'api_key' || !!actor.keyActions?.includes(action));
}

/**
 * A refusal of the fulfilment as a scan's: a 400 of field problems or the order's wrong status (409) become the scan's
 * 422 `scan.rejected` (the scanning page and the offline queue show each problem at its pointer, the status at the
 * order's number); anything else goes as it is.
 */
function asScanRefusal(e: unknown, orderNo: string): unknown {
  if (!(e instanceof AppError)) return e;
  if (e.status === 400 && e.fieldErrors.length) return refused(e.fieldErrors);
  if (e.code === 'order.wrong_status') return refused([{ pointer: '/body/order', code: e.code, params: { ...e.params, value: orderNo } }]);
  return e;
}

export const scanAgainstOrder: OrderScanHandler = async (ctx, req, { place, at }) => {
  const ship = req.kind === 'ship';
  if (!mayFulfil(ctx, ship ? 'orders:ship' : 'orders:receive')) throw AppError.forbidden();
  // a scan of nothing records nothing (the console's one-click receipt of everything shipped is not a scan)
  if (!req.codes?.length) throw refused([{ pointer: '/body/codes', code: 'field.required', params: { field: 'codes' } }]);
  const order = await orderNumbered(ctx, req.order);
  if (!order) throw refused([{ pointer: '/body/order', code: 'scan.order_unknown', params: { value: req.order } }]);
  // the place that scans is the order's seller (a site of the brand for the brand's orders) or, receiving, its buyer;
  // another party's order is refused without saying whose it is
  if (ship ? !sellerSite(order, place) : place.id !== order.buyer_party_id)
    throw refused([
      { pointer: '/body/order', code: ship ? 'scan.order_not_seller' : 'scan.order_not_buyer', params: { value: req.order } },
    ]);
  // the goods go to the order's buyer: a receiver typed on the device must be that buyer
  if (ship && req.to && req.to !== order.buyer_code)
    throw refused([
      { pointer: '/body/to', code: 'scan.order_receiver', params: { value: req.to, order: req.order, buyer: order.buyer_code } },
    ]);

  const request = { ctx, orderId: order.id, scanId: req.scanId, codes: req.codes, at };
  const [out] = await (ship ? shipBatch : receiveBatch)(ctx.sql, ctx.actor.tenantId, [request], { single: true }).catch((e) =>
    Promise.reject(asScanRefusal(e, req.order)),
  );
  return scanAnswer(req, order, out as FulfilmentOutcome);
};

/** The fulfilment's outcome as a scan's answer: one event with the scanned codes (none new when replayed). */
function scanAnswer(req: { scanId: string; kind: 'ship' | 'receive' }, order: NamedOrder, out: FulfilmentOutcome): ScanOutcome {
  const over = out.differences?.reduce((n, d) => n + d.codes.length, 0) ?? 0;
  const events = out.codes ? 1 : 0;
  return {
    scanId: req.scanId,
    kind: req.kind,
    events,
    newEvents: out.replayed ? 0 : events,
    codes: out.codes,
    warnings: [],
    ...(out.replayed ? { replayed: true } : {}),
    ...(out.earnings ? { earnings: out.earnings } : {}),
    order: { id: order.id, orderNo: order.order_no, status: out.status, units: out.units, ...(over ? { over } : {}) },
  };
}
