/**
 * Fraud flags: recorded by the rules (one flag per rule and subject per hour, its hits counting repeats), listed
 * for review, and confirmed or dismissed by staff with a note (audited; a decided flag keeps its decision).
 */
import type { Db, RequestContext } from '../../../context.ts';
import type { Sql } from '../../../db/connection.ts';
import { AppError } from '../../../http/problem.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, whoOf } from '../../auth/index.ts';
import { type FraudFlag, type FraudThresholds, thresholdsOf } from './rules.ts';

/** Writes flags (the same rule on the same subject within the hour adds a hit to the open one). */
export async function recordFlags(db: Db, tenantId: number, flags: FraudFlag[], now = new Date()): Promise<void> {
  if (!flags.length) return;
  const hour = now.toISOString().slice(0, 13);
  // one row per rule, subject and hour: flags of one key in one call count as that many hits, the last one's evidence kept
  const byKey = new Map<string, { flag: FraudFlag; hits: number }>();
  for (const f of flags) {
    const key = `${f.rule}:${f.subjectKind}:${f.subject}:${hour}`;
    byKey.set(key, { flag: f, hits: (byKey.get(key)?.hits ?? 0) + 1 });
  }
  const rows = [...byKey];
  await db`
    insert into fraud_flags (tenant_id, rule, subject_kind, subject, epc, action, evidence, hits, dedupe_key)
    select ${tenantId}, v.rule, v.kind, v.subject, v.epc, v.action, v.evidence::jsonb, v.hits, v.key
    from unnest(${rows.map(([, r]) => r.flag.rule)}::text[], ${rows.map(([, r]) => r.flag.subjectKind)}::text[],
      ${rows.map(([, r]) => r.flag.subject)}::text[], ${rows.map(([, r]) => r.flag.epc)}::text[], ${rows.map(([, r]) => r.flag.action)}::text[],
      ${rows.map(([, r]) => JSON.stringify(r.flag.evidence))}::text[], ${rows.map(([, r]) => r.hits)}::int[], ${rows.map(([k]) => k)}::text[])
      as v(rule, kind, subject, epc, action, evidence, hits, key)
    on conflict (tenant_id, dedupe_key) do update
      set hits = fraud_flags.hits + excluded.hits, last_seen_at = business_now(), evidence = excluded.evidence`;
}

export async function fraudThresholds(db: Db, tenantId: number): Promise<FraudThresholds> {
  const [r] = await db<{ thresholds: Record<string, unknown> }[]>`select thresholds from fraud_settings where tenant_id = ${tenantId}`;
  return thresholdsOf(r?.thresholds);
}

export async function saveThresholds(ctx: RequestContext, t: FraudThresholds): Promise<FraudThresholds> {
  return ctx.sql.begin(async (tx) => {
    await tx`
      insert into fraud_settings (tenant_id, thresholds, updated_by) values (${ctx.actor.tenantId}, ${tx.json(t as never)}, ${actorLabel(ctx.actor)})
      on conflict (tenant_id) do update set thresholds = excluded.thresholds, updated_by = excluded.updated_by, updated_at = now()`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'fraud.settings',
      entityType: 'fraud_settings',
      entityId: ctx.actor.tenantId,
      details: { ...t },
    });
    return fraudThresholds(tx, ctx.actor.tenantId);
  });
}

function view(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    rule: r.rule as string,
    subjectKind: r.subject_kind as string,
    subject: r.subject as string,
    subjectName: (r.subject_name as string | null) ?? null,
    code: (r.epc as string | null) ?? null,
    action: r.action as string,
    evidence: r.evidence,
    hits: Number(r.hits),
    status: r.status as string,
    createdAt: r.created_at as Date,
    lastSeenAt: r.last_seen_at as Date,
    review: r.reviewed_at
      ? { by: (r.reviewed_by_name as string | null) ?? null, at: r.reviewed_at as Date, note: (r.review_note as string | null) ?? null }
      : null,
  };
}
export type FlagView = ReturnType<typeof view>;

const SELECT = (sql: Sql) => sql`
  select f.*, case f.subject_kind
      when 'clerk' then (select u.display_name from users u where u.tenant_id = f.tenant_id and u.id::text = f.subject)
      when 'store' then (select p.name from parties p where p.tenant_id = f.tenant_id and p.id::text = f.subject)
    end as subject_name
  from fraud_flags f`;

export async function listFlags(sql: Sql, tenantId: number, q: { rule?: string; status?: string; page: number; pageSize: number }) {
  const where = sql`f.tenant_id = ${tenantId} and (${q.rule ?? null}::text is null or f.rule = ${q.rule ?? null})
    and (${q.status ?? null}::text is null or f.status = ${q.status ?? null})`;
  const [rows, [count]] = await Promise.all([
    sql<
      Record<string, unknown>[]
    >`${SELECT(sql)} where ${where} order by f.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from fraud_flags f where ${where}`,
  ]);
  return { total: Number(count?.n ?? 0), items: rows.map(view) };
}

/** Confirms or dismisses an open flag; the same decision again changes nothing, another one is refused (409). */
export async function reviewFlag(ctx: RequestContext, id: number, decision: 'confirmed' | 'dismissed', note: string | undefined) {
  const t = ctx.actor.tenantId;
  return ctx.sql.begin(async (tx) => {
    const [cur] = await tx<{ status: string; reviewed_by_name: string | null }[]>`
      select status, reviewed_by_name from fraud_flags where tenant_id = ${t} and id = ${id} for update`;
    if (!cur) throw AppError.notFound();
    let changed = false;
    if (cur.status !== decision) {
      if (cur.status !== 'open') {
        const by = cur.reviewed_by_name ?? '—';
        throw new AppError(409, 'fraud.already_reviewed', { by }, [
          { pointer: '/body/decision', code: 'fraud.already_reviewed', params: { by } },
        ]);
      }
      await tx`
        update fraud_flags set status = ${decision}, reviewed_by = ${ctx.actor.kind === 'user' ? ctx.actor.id : null},
          reviewed_by_name = ${ctx.actor.name}, reviewed_at = now(), review_note = ${note?.trim() || null}
        where tenant_id = ${t} and id = ${id}`;
      await appendAudit(tx, whoOf(ctx), {
        action: 'fraud.review',
        entityType: 'fraud_flag',
        entityId: id,
        details: { decision, note: note ?? null },
      });
      changed = true;
    }
    const [row] = await (tx as unknown as Sql)<
      Record<string, unknown>[]
    >`${SELECT(tx as unknown as Sql)} where f.tenant_id = ${t} and f.id = ${id}`;
    return { flag: view(row as Record<string, unknown>), changed };
  });
}
