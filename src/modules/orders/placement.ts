/**
 * Placing an order and moving it through approval and cancellation. Orders placed at the same instant are placed
 * together, one transaction per batch (placement-batch.ts, platform/coalescer.ts), each judged on its own.
 */
import type { RequestContext } from '../../context.ts';
import type { Sql, Tx } from '../../db/connection.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { FreshStatistics } from '../../db/fresh-statistics.ts';
import { AppError } from '../../http/problem.ts';
import { Coalescer } from '../../platform/coalescer.ts';
import { appendAudit } from '../audit/index.ts';
import { actorLabel, partyScope, seesWholeTenant, whoOf } from '../auth/index.ts';
import type { WebhookEventType } from '../webhooks/index.ts';
import { transfer } from './funds.ts';
import { emitOrderWebhook } from './order-webhooks.ts';
import { type PlacementRequest, type PlacementResult, placeBatch } from './placement-batch.ts';
import { releasePresaleIn } from './presale.ts';

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
  /** the group buy's code, for an order of type group_buy */
  groupBuy?: string;
  lines: OrderLineInput[];
  note?: string;
  idempotencyKey?: string;
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

const batchers = new WeakMap<Sql, Map<string, Coalescer<PlacementRequest, PlacementResult>>>();
const MAX_BATCH = Number(process.env.THROUGHLINE_ORDER_BATCH ?? 100);
/**
 * Batches of one lane run one after the other; lanes run side by side. A buyer always falls in the same lane, so
 * two batches running at once never lock the same funds account and never wait for each other.
 */
const LANES = Number(process.env.THROUGHLINE_ORDER_LANES ?? 2);

function laneOf(ctx: RequestContext, input: PlaceOrderInput): number {
  const who = input.buyer ?? `#${ctx.actor.partyId ?? ''}`;
  let h = 0;
  for (let i = 0; i < who.length; i++) h = (h * 31 + who.charCodeAt(i)) | 0;
  return Math.abs(h) % LANES;
}

/** The tables placement fills, analyzed as they grow from nothing (its own lookups of earlier orders and accounts rest on them). */
const statistics = new WeakMap<Sql, FreshStatistics>();
function statisticsOf(sql: Sql): FreshStatistics {
  let s = statistics.get(sql);
  if (!s) {
    s = new FreshStatistics(sql, ['orders', 'order_lines', 'funds_transactions', 'funds_entries']);
    statistics.set(sql, s);
  }
  return s;
}

/** The placement queue of a tenant's lane on this connection pool: orders placed at once share one transaction. */
function batcherFor(sql: Sql, tenantId: number, lane: number) {
  let queues = batchers.get(sql);
  if (!queues) {
    queues = new Map();
    batchers.set(sql, queues);
  }
  const key = `${tenantId}:${lane}`;
  let b = queues.get(key);
  if (!b) {
    b = new Coalescer<PlacementRequest, PlacementResult>(
      async (reqs) => {
        statisticsOf(sql).touch();
        try {
          return await placeBatch(sql, tenantId, reqs);
        } catch (e) {
          // a batch that failed as a whole (a key taken by another node at the same instant, a deadlock, a lost
          // connection): every order is tried again on its own, so one order's trouble is only its own
          return Promise.all(reqs.map((r) => placeAlone(sql, tenantId, r, reqs.length === 1 ? e : null)));
        }
      },
      { maxBatch: MAX_BATCH, maxInFlight: 1 },
    );
    queues.set(key, b);
  }
  return b;
}

/** How placement batched on this pool so far: batches, orders, and orders per batch. */
export function placementStats(sql: Sql) {
  let batches = 0;
  let requests = 0;
  for (const b of batchers.get(sql)?.values() ?? []) {
    batches += b.stats.batches;
    requests += b.stats.requests;
  }
  return { batches, requests, perBatch: batches ? requests / batches : 0 };
}

async function placeAlone(sql: Sql, tenantId: number, req: PlacementRequest, failure: unknown): Promise<PlacementResult> {
  // two submissions with one key at the same instant: the loser, tried again, finds the winner's order
  const retry = failure === null || (isUniqueViolation(failure) && req.input.idempotencyKey);
  if (!retry) return { ok: false, error: failure };
  try {
    return (await placeBatch(sql, tenantId, [req]))[0] as PlacementResult;
  } catch (e) {
    if (isUniqueViolation(e) && req.input.idempotencyKey && failure === null) return placeAlone(sql, tenantId, req, e);
    return { ok: false, error: e };
  }
}

/**
 * Places an order: the lines checked (product known, active and listed for the buyer, quantity a positive whole
 * number, minimum and case multiple), priced with the rule that gave each price, checked against the seller's stock,
 * the total reserved from the buyer's funds, the approval rules applied, all in one transaction shared with the
 * orders placed at the same instant (placement-batch.ts). A retry with the same idempotency key returns the first
 * order (`replayed`); the key sent again with other contents (lines, quantities, type, note: requestHash) is refused
 * with 409 order.key_reused. Nothing of a refused order is written.
 */
export async function placeOrder(ctx: RequestContext, input: PlaceOrderInput): Promise<PlacedOrder> {
  const r = await batcherFor(ctx.sql, ctx.actor.tenantId, laneOf(ctx, input)).submit({ ctx, input });
  if (!r.ok) throw r.error;
  return r.order;
}

type Decision = 'approve' | 'reject' | 'cancel' | 'close_backorder';
const TRANSITIONS: Record<Decision, { from: string[]; to: string; releases: boolean }> = {
  // an approved presale or group-buy order may still wait (for stock, for its group): see readyStatus
  approve: { from: ['pending_approval'], to: 'approved', releases: false },
  reject: { from: ['pending_approval'], to: 'rejected', releases: true },
  cancel: { from: ['pending_approval', 'approved', 'awaiting_stock', 'awaiting_group'], to: 'cancelled', releases: true },
  // a partly shipped order whose rest will not come: the back order is closed and its funds released
  close_backorder: { from: ['partially_shipped'], to: 'shipped', releases: true },
};
const WEBHOOK_OF: Record<Decision, WebhookEventType> = {
  approve: 'order.approved',
  reject: 'order.rejected',
  cancel: 'order.cancelled',
  close_backorder: 'order.backorder_closed',
};

/**
 * Whether the actor decides on the order as its seller (approves, rejects, closes its back order): the brand's staff who
 * see the whole brand and its sales people, or the selling party's own users. The order's page shows the buttons by it.
 */
export function decidesOn(actor: RequestContext['actor'], o: { seller_party_id: number }): boolean {
  return seesWholeTenant(actor) || actor.role === 'brand_sales' || actor.partyId === o.seller_party_id;
}

/**
 * Approves, rejects or cancels an order, or closes its back order (audited); rejecting, cancelling and closing a
 * back order release the funds still reserved for it.
 */
export async function decideOrder(ctx: RequestContext, orderId: number, decision: Decision, reason?: string) {
  const t = ctx.actor.tenantId;
  return ctx.sql.begin(async (tx) => {
    const [o] = await tx<
      {
        id: number;
        status: string;
        type: string;
        buyer_party_id: number;
        seller_party_id: number;
        reserved_fen: string;
        order_no: string;
        group_status: string | null;
      }[]
    >`
      select o.id::int, o.status, o.type, o.buyer_party_id::int, o.seller_party_id::int, o.reserved_fen, o.order_no, g.status as group_status
      from orders o left join group_buys g on g.tenant_id = o.tenant_id and g.id = o.group_buy_id
      where o.tenant_id = ${t} and o.id = ${orderId} for update of o`;
    if (!o || !(await visibleTo(tx, ctx, o))) throw AppError.notFound();
    const rule = TRANSITIONS[decision];
    // approval is the seller's (the brand for distributors, the distributor for its stores); cancelling is also the buyer's
    if (!decidesOn(ctx.actor, o) && !(decision === 'cancel' && ctx.actor.partyId === o.buyer_party_id))
      throw AppError.forbidden('order.not_yours_to_decide');
    if (!rule.from.includes(o.status))
      throw new AppError(409, 'order.wrong_status', { status: o.status, decision }, [
        { pointer: '/params/id', code: 'order.wrong_status', params: { status: o.status, decision } },
      ]);
    // an approved presale order waits for stock (released below if the stock is there), a group-buy order for its group
    const to =
      decision === 'approve' && o.type === 'presale'
        ? 'awaiting_stock'
        : decision === 'approve' && o.type === 'group_buy' && o.group_status !== 'formed'
          ? 'awaiting_group'
          : rule.to;
    const release = rule.releases ? Number(o.reserved_fen) : 0;
    await tx`update orders set status = ${to}, reserved_fen = reserved_fen - ${release}, updated_at = now()
      where tenant_id = ${t} and id = ${orderId}`;
    if (release > 0)
      await transfer(tx, t, {
        kind: 'release',
        from: { partyId: o.buyer_party_id, kind: 'reserved' },
        to: { partyId: o.buyer_party_id, kind: 'prepaid' },
        amountFen: release,
        orderId,
        actor: actorLabel(ctx.actor),
      });
    await tx`insert into order_events (tenant_id, order_id, kind, actor, details)
      values (${t}, ${orderId}, ${decision === 'close_backorder' ? 'backorder_closed' : rule.to}, ${actorLabel(ctx.actor)},
        ${tx.json({ reason: reason ?? null, releasedFen: release } as never)})`;
    await emitOrderWebhook(tx, t, WEBHOOK_OF[decision], {
      orderId,
      orderNo: o.order_no,
      status: to,
      reason: reason ?? null,
      releasedFen: release,
    });
    await appendAudit(tx, whoOf(ctx), {
      action: `order.${decision}`,
      entityType: 'order',
      entityId: orderId,
      details: { orderNo: o.order_no, reason: reason ?? null },
    });
    const released = to === 'awaiting_stock' ? await releasePresaleIn(tx, t) : [];
    return { id: orderId, status: released.includes(orderId) ? 'approved' : to };
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
