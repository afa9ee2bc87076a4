/**
 * The transactional outbox of webhook events. A module reporting a change calls `emitWebhookEvent` with the
 * transaction that makes the change: the event and one delivery per matching active subscription are written
 * by the same statement, so they commit with the change or not at all, and the worker is woken (NOTIFY is
 * delivered at commit, and only when some subscription wants the event).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../context.ts';

/** Every event type a subscription may ask for (`*`: all of them). Add new types here. */
export const WEBHOOK_EVENT_TYPES = [
  'order.placed',
  'order.approved',
  'order.rejected',
  'order.cancelled',
  'order.partially_shipped',
  'order.shipped',
  'order.received',
  'order.completed',
  'order.returned',
  'order.stock_arrived',
  'order.group_formed',
  'order.backorder_closed',
  'order.return_received',
  'order.receipt_difference',
  'order.difference_resolved',
  'stock.below_safety',
  'stock.recovered',
  'webhook.ping',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WILDCARD = '*';

/** The channel the worker listens on. */
export const WEBHOOK_CHANNEL = 'tl_webhooks';

export function isWebhookEventType(s: string): s is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(s);
}

/** What a receiver gets as the JSON body (the same bytes on every attempt and every replay). */
export interface WebhookEventBody<T = Record<string, unknown>> {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: T;
}

/**
 * Records an event for the tenant's subscribers inside the caller's transaction `tx`. `payload` becomes the
 * body's `data` (JSON: plain values; dates as ISO strings). Returns the event's id and how many deliveries
 * were queued (0 when no active subscription wants the type: then nothing is stored). Call it after the change
 * is written, in the same transaction.
 */
export async function emitWebhookEvent(
  tx: Db,
  tenantId: number,
  type: WebhookEventType,
  payload: Record<string, unknown>,
): Promise<{ eventId: string; deliveries: number }> {
  if (!isWebhookEventType(type)) throw new Error(`unknown webhook event type ${type}`);
  const id = randomUUID();
  const body: WebhookEventBody = { id, type, createdAt: new Date().toISOString(), data: payload };
  // nothing is stored when no active subscription wants the type: order placement pays one index probe for it
  const [row] = await tx<{ deliveries: number }[]>`
    with s as (
      select id from webhook_subscriptions
      where tenant_id = ${tenantId} and active and (${type} = any(event_types) or ${WILDCARD} = any(event_types))
    ), e as (
      insert into webhook_events (tenant_id, id, type, body)
      select ${tenantId}, ${id}, ${type}, ${JSON.stringify(body)} where exists (select 1 from s)
      returning tenant_id, id
    ), d as (
      insert into webhook_deliveries (tenant_id, event_id, subscription_id, event_type, next_attempt_at)
      select e.tenant_id, e.id, s.id, ${type}, now() from e cross join s
      returning 1
    ), n as (
      select count(*)::int as deliveries from d
    )
    select deliveries, case when deliveries > 0 then pg_notify(${WEBHOOK_CHANNEL}, '') end as woke from n`;
  return { eventId: id, deliveries: row?.deliveries ?? 0 };
}

/**
 * Records many events at once (one statement, whatever their number), as `emitWebhookEvent` does for one: used by
 * work done in batches, such as order placement. Returns how many deliveries were queued in all.
 */
export async function emitWebhookEvents(
  tx: Db,
  tenantId: number,
  events: readonly { type: WebhookEventType; payload: Record<string, unknown> }[],
): Promise<number> {
  if (!events.length) return 0;
  for (const e of events) if (!isWebhookEventType(e.type)) throw new Error(`unknown webhook event type ${e.type}`);
  const createdAt = new Date().toISOString();
  const ids = events.map(() => randomUUID());
  const bodies = events.map((e, i) =>
    JSON.stringify({ id: ids[i] as string, type: e.type, createdAt, data: e.payload } satisfies WebhookEventBody),
  );
  const [row] = await tx<{ deliveries: number }[]>`
    with x as (
      select * from unnest(${ids}::uuid[], ${events.map((e) => e.type)}::text[], ${bodies}::text[]) as x(id, type, body)
    ), s as (
      select x.id as event_id, x.type, w.id as subscription_id from x
      join webhook_subscriptions w on w.tenant_id = ${tenantId} and w.active and (x.type = any(w.event_types) or ${WILDCARD} = any(w.event_types))
    ), e as (
      insert into webhook_events (tenant_id, id, type, body)
      select ${tenantId}, x.id, x.type, x.body from x where exists (select 1 from s where s.event_id = x.id)
      returning id
    ), d as (
      insert into webhook_deliveries (tenant_id, event_id, subscription_id, event_type, next_attempt_at)
      select ${tenantId}, s.event_id, s.subscription_id, s.type, now() from s
      where exists (select 1 from e where e.id = s.event_id)
      returning 1
    ), n as (
      select count(*)::int as deliveries from d
    )
    select deliveries, case when deliveries > 0 then pg_notify(${WEBHOOK_CHANNEL}, '') end as woke from n`;
  return row?.deliveries ?? 0;
}
