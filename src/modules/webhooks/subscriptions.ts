/** Webhook subscriptions of a tenant: brand admins create, change, pause, delete them and rotate their secrets. */
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { isWebhookEventType, WILDCARD } from './events.ts';
import { sealSecret } from './secret-box.ts';
import { newWebhookSecret } from './signature.ts';
import type { TargetGuard } from './targets.ts';

/** A tenant keeps at most this many subscriptions (each event fans out to all of them in the emitting transaction). */
export const MAX_SUBSCRIPTIONS = 50;

export interface SubscriptionInput {
  url: string;
  events: string[];
  description?: string | null;
  active?: boolean;
}

export interface SubscriptionView {
  id: number;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function subscriptionView(r: Record<string, unknown>): SubscriptionView {
  const expires = r.previous_secret_expires_at as Date | null;
  return {
    id: Number(r.id),
    url: r.url as string,
    events: r.event_types as string[],
    description: (r.description as string | null) ?? null,
    active: r.active as boolean,
    previousSecretExpiresAt: expires && expires.getTime() > Date.now() ? expires : null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

/** The field errors of a subscription's URL and event types (every one of them, not the first). */
function check(guard: TargetGuard, input: Partial<SubscriptionInput>): FieldError[] {
  const errors: FieldError[] = [];
  if (input.url !== undefined) errors.push(...guard.checkUrl(input.url, '/body/url'));
  if (input.events !== undefined) {
    input.events.forEach((e, i) => {
      if (e !== WILDCARD && !isWebhookEventType(e))
        errors.push({ pointer: `/body/events/${i}`, code: 'webhooks.event_type_unknown', params: { value: e } });
    });
  }
  return errors;
}

/** `*` alone stands for every type; listed with others it still means all, so keep just it. */
function normalEvents(events: string[]): string[] {
  return events.includes(WILDCARD) ? [WILDCARD] : [...new Set(events)].sort();
}

export async function listSubscriptions(ctx: RequestContext): Promise<SubscriptionView[]> {
  const rows = await ctx.sql<Record<string, unknown>[]>`
    select * from webhook_subscriptions where tenant_id = ${ctx.actor.tenantId} order by id`;
  return rows.map(subscriptionView);
}

export async function getSubscription(ctx: RequestContext, id: number): Promise<SubscriptionView> {
  const [row] = await ctx.sql<Record<string, unknown>[]>`
    select * from webhook_subscriptions where tenant_id = ${ctx.actor.tenantId} and id = ${id}`;
  if (!row) throw AppError.notFound();
  return subscriptionView(row);
}

/** Creates a subscription with a new secret, returned here and never again. */
export async function createSubscription(
  ctx: RequestContext,
  guard: TargetGuard,
  masterKey: Buffer,
  input: SubscriptionInput,
): Promise<SubscriptionView & { secret: string }> {
  const errors = check(guard, input);
  if (errors.length) throw AppError.invalid(errors);
  const secret = newWebhookSecret();
  const tenantId = ctx.actor.tenantId;
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    // the count under a tenant-wide advisory lock, so two creations at once cannot pass the limit together
    await tx`select pg_advisory_xact_lock(7316009, ${tenantId})`;
    const [count] = await tx<{ n: number }[]>`select count(*)::int as n from webhook_subscriptions where tenant_id = ${tenantId}`;
    if ((count?.n ?? 0) >= MAX_SUBSCRIPTIONS) throw new AppError(409, 'webhooks.too_many', { max: MAX_SUBSCRIPTIONS });
    const [row] = await tx<Record<string, unknown>[]>`
      insert into webhook_subscriptions (tenant_id, url, event_types, description, active, secret_sealed)
      values (${tenantId}, ${input.url}, ${normalEvents(input.events)}, ${input.description?.trim() || null},
        ${input.active ?? true}, ${sealSecret(masterKey, tenantId, secret)})
      returning *`;
    if (!row) throw new Error('insert returned nothing');
    const view = subscriptionView(row);
    await appendAudit(tx, whoOf(ctx), {
      action: 'webhook.create',
      entityType: 'webhook_subscription',
      entityId: view.id,
      details: { url: view.url, events: view.events, active: view.active },
    });
    return { ...view, secret };
  });
}

export async function updateSubscription(
  ctx: RequestContext,
  guard: TargetGuard,
  id: number,
  input: Partial<SubscriptionInput>,
): Promise<SubscriptionView> {
  const errors = check(guard, input);
  if (errors.length) throw AppError.invalid(errors);
  const tenantId = ctx.actor.tenantId;
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const [before] = await tx<Record<string, unknown>[]>`
      select * from webhook_subscriptions where tenant_id = ${tenantId} and id = ${id} for update`;
    if (!before) throw AppError.notFound();
    const [row] = await tx<Record<string, unknown>[]>`
      update webhook_subscriptions set
        url = ${input.url ?? (before.url as string)},
        event_types = ${input.events ? normalEvents(input.events) : (before.event_types as string[])},
        description = ${input.description === undefined ? (before.description as string | null) : input.description?.trim() || null},
        active = ${input.active ?? (before.active as boolean)},
        updated_at = now()
      where tenant_id = ${tenantId} and id = ${id} returning *`;
    if (!row) throw AppError.notFound();
    const a = subscriptionView(before);
    const b = subscriptionView(row);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ['url', 'events', 'description', 'active'] as const) {
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) changes[k] = { from: a[k], to: b[k] };
    }
    if (Object.keys(changes).length) {
      await appendAudit(tx, whoOf(ctx), {
        action: 'webhook.update',
        entityType: 'webhook_subscription',
        entityId: id,
        details: { changes },
      });
    }
    return b;
  });
}

/** Deletes a subscription with its deliveries and their log (pending ones are never sent). */
export async function deleteSubscription(ctx: RequestContext, id: number): Promise<void> {
  const tenantId = ctx.actor.tenantId;
  await ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const [row] = await tx<{ url: string; deliveries: number }[]>`
      delete from webhook_subscriptions s where tenant_id = ${tenantId} and id = ${id}
      returning url, (select count(*)::int from webhook_deliveries d where d.tenant_id = s.tenant_id and d.subscription_id = s.id) as deliveries`;
    if (!row) throw AppError.notFound();
    await appendAudit(tx, whoOf(ctx), {
      action: 'webhook.delete',
      entityType: 'webhook_subscription',
      entityId: id,
      details: { url: row.url, deliveriesDeleted: row.deliveries },
    });
  });
}

/**
 * A new secret for the subscription, returned once. The old one keeps signing (a second v1 in the header) for
 * `graceSeconds`, so a receiver can deploy the new secret without refusing events meanwhile; 0 drops it at once.
 */
export async function rotateSecret(
  ctx: RequestContext,
  masterKey: Buffer,
  id: number,
  graceSeconds: number,
): Promise<{ id: number; secret: string; previousSecretExpiresAt: Date | null }> {
  const tenantId = ctx.actor.tenantId;
  const secret = newWebhookSecret();
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const [row] = await tx<{ expires: Date | null }[]>`
      update webhook_subscriptions set
        previous_secret_sealed = case when ${graceSeconds} > 0 then secret_sealed end,
        previous_secret_expires_at = case when ${graceSeconds} > 0 then now() + ${graceSeconds} * interval '1 second' end,
        secret_sealed = ${sealSecret(masterKey, tenantId, secret)},
        updated_at = now()
      where tenant_id = ${tenantId} and id = ${id} returning previous_secret_expires_at as expires`;
    if (!row) throw AppError.notFound();
    await appendAudit(tx, whoOf(ctx), {
      action: 'webhook.rotate_secret',
      entityType: 'webhook_subscription',
      entityId: id,
      details: { previousSecretExpiresAt: row.expires },
    });
    return { id, secret, previousSecretExpiresAt: row.expires };
  });
}
