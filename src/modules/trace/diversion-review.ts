/**
 * The review of diversion (窜货) alerts: an open alert is confirmed (real diversion, to be followed up with the
 * distributor) or dismissed (a false alarm), with a note; each decision is audited. One alert at a time, or many at
 * once (a case or a pallet turns up as one alert per unit) in one transaction: all of them or none.
 * Reviewing again with the same decision changes nothing; a different decision is refused (409).
 */
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import type { Locale } from '../../http/messages.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { appendAudits } from '../audit/index.ts';
import { type Actor, whoOf } from '../auth/index.ts';
import { type AlertStatus, type AlertView, alertNamesColumns, alertNamesJoin, alertScope, alertView } from './diversion-alerts.ts';

export type ReviewDecision = Exclude<AlertStatus, 'open'>;

/** The most alerts one bulk review takes (a pallet's units, with room): each is locked and audited in one transaction. */
export const MAX_BULK_REVIEW = 2000;

interface LockedAlert {
  id: number;
  status: AlertStatus;
  reviewedByName: string | null;
  reviewedAt: Date | null;
}

/**
 * Locks the alerts the actor can see among `ids` for the decision, in id order (so two bulk reviews that overlap
 * wait for each other instead of deadlocking); of two reviewers deciding at once one wins and the other gets the
 * repeat (same decision) or the conflict (another one). Alerts outside the scope are not there, as for a reader.
 */
async function lockAlerts(tx: Sql, actor: Actor, ids: number[]): Promise<Map<number, LockedAlert>> {
  const rows = await tx<{ id: number; status: AlertStatus; reviewed_by_name: string | null; reviewed_at: Date | null }[]>`
    select a.id, a.status, a.reviewed_by_name, a.reviewed_at from diversion_alerts a
    where ${alertScope(tx, actor)} and a.id = any(${ids}::bigint[]) order by a.id for update`;
  return new Map(
    rows.map((r) => [Number(r.id), { id: Number(r.id), status: r.status, reviewedByName: r.reviewed_by_name, reviewedAt: r.reviewed_at }]),
  );
}

/** Records the decision on open alerts (already locked) and audits each, as one entry per alert. */
async function decide(tx: Sql, ctx: RequestContext, ids: number[], decision: ReviewDecision, note: string | null): Promise<void> {
  if (!ids.length) return;
  const rows = await tx<{ id: number; epc: string; distributor_id: number | null; actual_division: string | null; scan_kind: string }[]>`
    update diversion_alerts set status = ${decision}, reviewed_by = ${ctx.actor.kind === 'user' ? ctx.actor.id : null},
      reviewed_by_name = ${ctx.actor.name}, reviewed_at = now(), review_note = ${note}
    where tenant_id = ${ctx.actor.tenantId} and id = any(${ids}::bigint[]) and status = 'open'
    returning id, epc, distributor_id, actual_division, scan_kind`;
  await appendAudits(
    tx,
    whoOf(ctx),
    rows
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((row) => ({
        action: `diversion.${decision === 'confirmed' ? 'confirm' : 'dismiss'}`,
        entityType: 'diversion_alert',
        entityId: Number(row.id),
        details: {
          decision,
          note,
          code: row.epc,
          distributorId: row.distributor_id == null ? null : Number(row.distributor_id),
          actualDivision: row.actual_division ?? null,
          scanKind: row.scan_kind,
        },
      })),
  );
}

const alreadyReviewed = (a: LockedAlert, pointer: string): FieldError => ({
  pointer,
  code: 'diversion.already_reviewed',
  params: { by: a.reviewedByName ?? '—' },
});

/** Confirms or dismisses one alert the actor can see. */
export async function reviewAlert(
  ctx: RequestContext,
  id: number,
  decision: ReviewDecision,
  note: string | undefined,
): Promise<{ alert: AlertView; changed: boolean }> {
  const text = note?.trim() || null;
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const current = (await lockAlerts(tx, ctx.actor, [id])).get(id);
    if (!current) throw AppError.notFound();
    if (current.status === decision) return { alert: await loadAlert(tx, ctx.actor, id, ctx.locale), changed: false };
    if (current.status !== 'open') {
      const field = alreadyReviewed(current, '/body/decision');
      throw new AppError(409, 'diversion.already_reviewed', field.params, [field], {
        currentStatus: current.status,
        reviewedAt: current.reviewedAt,
      });
    }
    await decide(tx, ctx, [id], decision, text);
    return { alert: await loadAlert(tx, ctx.actor, id, ctx.locale), changed: true };
  });
}

export interface BulkReviewResult {
  decision: ReviewDecision;
  /** the alerts this request decided */
  reviewed: number[];
  /** the alerts that already had this decision (a repeat), left as they were */
  unchanged: number[];
}

/**
 * Confirms or dismisses many alerts with one note, all or none: an alert the actor cannot see (404) or one already
 * decided the other way (409) refuses the whole request, each named by its pointer into `ids`, and nothing changes.
 * Alerts that already have this decision are left as they were, so a repeated request decides nothing twice.
 */
export async function reviewAlerts(
  ctx: RequestContext,
  ids: number[],
  decision: ReviewDecision,
  note: string | undefined,
): Promise<BulkReviewResult> {
  const text = note?.trim() || null;
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const locked = await lockAlerts(tx, ctx.actor, ids);
    const missing = ids.flatMap((id, i) =>
      locked.has(id) ? [] : [{ pointer: `/body/ids/${i}`, code: 'diversion.alert_not_found', params: { id } }],
    );
    if (missing.length) throw new AppError(404, 'diversion.alerts_not_found', { count: missing.length }, missing);
    const conflicts = ids.flatMap((id, i) => {
      const a = locked.get(id) as LockedAlert;
      return a.status !== 'open' && a.status !== decision ? [alreadyReviewed(a, `/body/ids/${i}`)] : [];
    });
    if (conflicts.length) {
      throw new AppError(409, 'diversion.some_already_reviewed', { count: conflicts.length }, conflicts);
    }
    const open = ids.filter((id) => locked.get(id)?.status === 'open');
    await decide(tx, ctx, open, decision, text);
    return { decision, reviewed: open, unchanged: ids.filter((id) => locked.get(id)?.status === decision) };
  });
}

async function loadAlert(sql: Sql, actor: Actor, id: number, locale: Locale): Promise<AlertView> {
  const [a] = await sql<Record<string, unknown>[]>`
    select a.*, ${alertNamesColumns(sql)} from diversion_alerts a ${alertNamesJoin(sql)}
    where a.tenant_id = ${actor.tenantId} and a.id = ${id}`;
  if (!a) throw AppError.notFound();
  return alertView(a, locale);
}
