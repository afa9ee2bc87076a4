/**
 * Diversion (窜货) alerts as sales ops see them, and their review: an open alert is confirmed (real diversion, to be
 * followed up with the distributor) or dismissed (a false alarm), with a note; the decision is audited.
 * Reviewing again with the same decision changes nothing; a different decision is refused (409).
 */
import type { Fragment } from 'postgres';
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import type { Locale } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { type Actor, partyScope, seesWholeTenant, whoOf } from '../auth/index.ts';
import { regionName } from '../parties/index.ts';

export type AlertStatus = 'open' | 'confirmed' | 'dismissed';
export type ReviewDecision = Exclude<AlertStatus, 'open'>;

/** The alerts an actor may see, on the alias `a`: those of the distributors in the actor's data scope. */
export function alertScope(sql: Sql, actor: Actor): Fragment {
  return seesWholeTenant(actor)
    ? sql`a.tenant_id = ${actor.tenantId}`
    : sql`a.tenant_id = ${actor.tenantId} and exists (select 1 from parties p where ${partyScope(sql, actor)} and p.id = a.distributor_id)`;
}

/** An alert row (with its distributor's code and name) as the API returns it, the divisions named in the reader's language. */
export function alertView(a: Record<string, unknown>, locale: Locale = 'zh-CN') {
  return {
    id: Number(a.id),
    code: a.epc as string,
    gtin: a.gtin as string | null,
    lot: a.lot as string | null,
    distributor: { id: Number(a.distributor_id), code: a.distributor_code as string, name: a.distributor_name as string },
    expected: (a.expected_divisions as string[]).map((d) => ({ code: d, name: regionName(d, locale) })),
    actual: a.actual_division ? { code: a.actual_division as string, name: regionName(a.actual_division as string, locale) } : null,
    scanKind: a.scan_kind as string,
    evidence: a.evidence,
    status: a.status as AlertStatus,
    createdAt: a.created_at as Date,
    review: a.reviewed_at
      ? {
          by: { id: a.reviewed_by == null ? null : Number(a.reviewed_by), name: a.reviewed_by_name as string | null },
          at: a.reviewed_at as Date,
          note: (a.review_note as string | null) ?? null,
        }
      : null,
  };
}
export type AlertView = ReturnType<typeof alertView>;

/**
 * Confirms or dismisses an alert the actor can see. The row is locked for the decision, so of two reviewers
 * deciding at once one wins and the other gets the repeat (same decision) or the conflict (another one).
 */
export async function reviewAlert(
  ctx: RequestContext,
  id: number,
  decision: ReviewDecision,
  note: string | undefined,
): Promise<{ alert: AlertView; changed: boolean }> {
  const text = note?.trim() || null;
  return ctx.sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const [current] = await tx<Record<string, unknown>[]>`
      select a.id, a.status, a.reviewed_by_name, a.reviewed_at from diversion_alerts a
      where ${alertScope(tx, ctx.actor)} and a.id = ${id} for update`;
    if (!current) throw AppError.notFound();
    if (current.status === decision) return { alert: await loadAlert(tx, ctx.actor, id, ctx.locale), changed: false };
    if (current.status !== 'open') {
      const by = (current.reviewed_by_name as string | null) ?? '—';
      throw new AppError(
        409,
        'diversion.already_reviewed',
        { by },
        [{ pointer: '/body/decision', code: 'diversion.already_reviewed', params: { by } }],
        { currentStatus: current.status, reviewedAt: current.reviewed_at },
      );
    }
    const [row] = await tx<Record<string, unknown>[]>`
      update diversion_alerts set status = ${decision}, reviewed_by = ${ctx.actor.kind === 'user' ? ctx.actor.id : null},
        reviewed_by_name = ${ctx.actor.name}, reviewed_at = now(), review_note = ${text}
      where tenant_id = ${ctx.actor.tenantId} and id = ${id}
      returning epc, distributor_id, actual_division, scan_kind`;
    await appendAudit(tx, whoOf(ctx), {
      action: `diversion.${decision === 'confirmed' ? 'confirm' : 'dismiss'}`,
      entityType: 'diversion_alert',
      entityId: id,
      details: {
        decision,
        note: text,
        code: row?.epc,
        distributorId: row?.distributor_id == null ? null : Number(row.distributor_id),
        actualDivision: row?.actual_division ?? null,
        scanKind: row?.scan_kind,
      },
    });
    return { alert: await loadAlert(tx, ctx.actor, id, ctx.locale), changed: true };
  });
}

async function loadAlert(sql: Sql, actor: Actor, id: number, locale: Locale): Promise<AlertView> {
  const [a] = await sql<Record<string, unknown>[]>`
    select a.*, d.code as distributor_code, d.name as distributor_name from diversion_alerts a join parties d on d.tenant_id = a.tenant_id and d.id = a.distributor_id
    where a.tenant_id = ${actor.tenantId} and a.id = ${id}`;
  if (!a) throw AppError.notFound();
  return alertView(a, locale);
}
