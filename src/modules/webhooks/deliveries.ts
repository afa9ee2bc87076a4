/** The delivery log: what was sent to whom, every attempt's outcome, and replays. */
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { WEBHOOK_CHANNEL } from './events.ts';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export function deliveryView(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    eventId: r.event_id as string,
    eventType: r.event_type as string,
    subscriptionId: Number(r.subscription_id),
    url: r.url as string,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.status === 'pending' ? (r.next_attempt_at as Date) : null,
    lastAttemptAt: (r.last_attempt_at as Date | null) ?? null,
    lastStatusCode: r.last_status_code == null ? null : Number(r.last_status_code),
    lastError: (r.last_error as string | null) ?? null,
    replayOf: r.replay_of == null ? null : Number(r.replay_of),
    createdAt: r.created_at as Date,
    completedAt: (r.completed_at as Date | null) ?? null,
  };
}
export type DeliveryView = ReturnType<typeof deliveryView>;

export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  subscriptionId?: number;
  eventId?: string;
  page: number;
  pageSize: number;
}

export async function listDeliveries(ctx: RequestContext, f: DeliveryFilter): Promise<{ items: DeliveryView[]; total: number }> {
  const sql = ctx.sql;
  const where = sql`d.tenant_id = ${ctx.actor.tenantId}
    ${f.status ? sql`and d.status = ${f.status}` : sql``}
    ${f.eventType ? sql`and d.event_type = ${f.eventType}` : sql``}
    ${f.subscriptionId ? sql`and d.subscription_id = ${f.subscriptionId}` : sql``}
    ${f.eventId ? sql`and d.event_id = ${f.eventId}` : sql``}`;
  const [rows, [count]] = await Promise.all([
    sql<Record<string, unknown>[]>`
      select d.*, s.url from webhook_deliveries d
      join webhook_subscriptions s on s.tenant_id = d.tenant_id and s.id = d.subscription_id
      where ${where} order by d.created_at desc, d.id desc limit ${f.pageSize} offset ${(f.page - 1) * f.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries d where ${where}`,
  ]);
  return { items: rows.map(deliveryView), total: count?.n ?? 0 };
}

/** A delivery with the body it sends and every attempt, oldest first. */
export async function getDelivery(ctx: RequestContext, id: number) {
  const tenantId = ctx.actor.tenantId;
  const [row] = await ctx.sql<Record<string, unknown>[]>`
    select d.*, s.url, e.body from webhook_deliveries d
    join webhook_subscriptions s on s.tenant_id = d.tenant_id and s.id = d.subscription_id
    join webhook_events e on e.tenant_id = d.tenant_id and e.id = d.event_id
    where d.tenant_id = ${tenantId} and d.id = ${id}`;
  if (!row) throw AppError.notFound();
  const attempts = await ctx.sql<Record<string, unknown>[]>`
    select * from webhook_attempts where tenant_id = ${tenantId} and delivery_id = ${id} order by attempt`;
  return {
    ...deliveryView(row),
    body: JSON.parse(row.body as string) as unknown,
    log: attempts.map((a) => ({
      attempt: Number(a.attempt),
      startedAt: a.started_at as Date,
      durationMs: Number(a.duration_ms),
      statusCode: a.status_code == null ? null : Number(a.status_code),
      error: (a.error as string | null) ?? null,
      responseExcerpt: (a.response_excerpt as string | null) ?? null,
      nextAttemptAt: (a.next_attempt_at as Date | null) ?? null,
    })),
  };
}

/**
 * Sends a finished delivery again: a new delivery of the same event (same id, same body) to the same
 * subscription, due now, with its own attempts and retries. Receivers dedupe on the event id.
 */
export async function replayDelivery(ctx: RequestContext, id: number): Promise<DeliveryView> {
  const tenantId = ctx.actor.tenantId;
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const [orig] = await tx<Record<string, unknown>[]>`
      select d.*, s.active from webhook_deliveries d
      join webhook_subscriptions s on s.tenant_id = d.tenant_id and s.id = d.subscription_id
      where d.tenant_id = ${tenantId} and d.id = ${id} for update of d`;
    if (!orig) throw AppError.notFound();
    if (orig.status === 'pending') throw new AppError(409, 'webhooks.delivery_pending');
    if (!orig.active) throw new AppError(409, 'webhooks.subscription_inactive');
    const [row] = await tx<Record<string, unknown>[]>`
      insert into webhook_deliveries (tenant_id, event_id, subscription_id, event_type, next_attempt_at, replay_of)
      values (${tenantId}, ${orig.event_id as string}, ${orig.subscription_id as number}, ${orig.event_type as string}, now(), ${id})
      returning *, (select url from webhook_subscriptions where tenant_id = ${tenantId} and id = ${orig.subscription_id as number}) as url`;
    if (!row) throw new Error('insert returned nothing');
    await tx`select pg_notify(${WEBHOOK_CHANNEL}, '')`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'webhook.replay',
      entityType: 'webhook_delivery',
      entityId: Number(row.id),
      details: { replayOf: id, eventId: orig.event_id, eventType: orig.event_type, subscriptionId: Number(orig.subscription_id) },
    });
    return deliveryView(row);
  });
}
