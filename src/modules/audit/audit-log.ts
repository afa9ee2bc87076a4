import type { Db } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { type AuditEntryFields, entryHash, GENESIS_HASH } from './chain.ts';

export interface AuditWho {
  tenantId: number;
  actorKind: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorName: string | null;
  ip: string | null;
  requestId?: string | null;
}

export interface AuditWhat {
  action: string;
  entityType: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

/**
 * Appends to the tenant's hash chain inside the caller's transaction, so the entry exists exactly when
 * the change it records does. The row lock on audit_heads serialises appends per tenant.
 */
export async function appendAudit(tx: Db, who: AuditWho, what: AuditWhat): Promise<void> {
  await appendAudits(tx, who, [what]);
}

/**
 * Appends several entries by one actor (a bulk review: one entry per thing decided) in order, with the head locked and
 * moved once and the entries written in one insert: four statements however many there are, not four each.
 */
export async function appendAudits(tx: Db, who: AuditWho, whats: readonly AuditWhat[]): Promise<void> {
  if (!whats.length) return;
  await tx`insert into audit_heads (tenant_id, seq, hash) values (${who.tenantId}, 0, ${GENESIS_HASH})
           on conflict (tenant_id) do nothing`;
  const [head] = await tx<{ seq: number; hash: Buffer; now: Date }[]>`
    select seq, hash, now() as now from audit_heads where tenant_id = ${who.tenantId} for update`;
  if (!head) throw new Error('audit head missing');
  let prev = head.hash;
  const rows = whats.map((what, i) => {
    const fields: AuditEntryFields = {
      tenantId: who.tenantId,
      seq: Number(head.seq) + 1 + i,
      at: head.now.toISOString(),
      actorKind: who.actorKind,
      actorId: who.actorId,
      actorName: who.actorName,
      action: what.action,
      entityType: what.entityType,
      entityId: what.entityId == null ? null : String(what.entityId),
      ip: who.ip,
      details: what.details ?? {},
    };
    const hash = entryHash(prev, fields);
    const row = { fields, prevHash: prev, hash };
    prev = hash;
    return row;
  });
  await tx`insert into audit_log (tenant_id, seq, at, actor_kind, actor_id, actor_name, action, entity_type,
             entity_id, ip, request_id, details, prev_hash, hash)
           select ${who.tenantId}, e.seq, ${head.now.toISOString()}::timestamptz, ${who.actorKind}, ${who.actorId},
             ${who.actorName}, e.action, e.entity_type, e.entity_id, ${who.ip}, ${who.requestId ?? null}, e.details::jsonb,
             decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
           from unnest(${rows.map((r) => r.fields.seq)}::bigint[], ${rows.map((r) => r.fields.action)}::text[],
             ${rows.map((r) => r.fields.entityType)}::text[], ${rows.map((r) => r.fields.entityId)}::text[],
             ${rows.map((r) => JSON.stringify(r.fields.details))}::text[], ${rows.map((r) => r.prevHash.toString('hex'))}::text[],
             ${rows.map((r) => r.hash.toString('hex'))}::text[])
             as e(seq, action, entity_type, entity_id, details, prev_hash, hash)
           order by e.seq`;
  await tx`update audit_heads set seq = ${Number(head.seq) + rows.length}, hash = ${prev} where tenant_id = ${who.tenantId}`;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  brokenAt?: { tenantId: number; seq: number; reason: string };
}

/** Recomputes every hash of one tenant's chain (or all tenants'), streaming in order of seq. */
export async function verifyAuditChain(sql: Sql, tenantId?: number): Promise<VerifyResult> {
  const tenants = tenantId
    ? [tenantId]
    : (await sql<{ tenant_id: number }[]>`select tenant_id from audit_heads order by tenant_id`).map((r) => r.tenant_id);
  let checked = 0;
  for (const t of tenants) {
    let prev = GENESIS_HASH;
    let expectSeq = 1;
    let broken: VerifyResult['brokenAt'];
    await sql`select * from audit_log where tenant_id = ${t} order by seq`.cursor(1000, async (rows) => {
      if (broken) return;
      for (const r of rows) {
        const fields: AuditEntryFields = {
          tenantId: r.tenant_id,
          seq: Number(r.seq),
          at: (r.at as Date).toISOString(),
          actorKind: r.actor_kind,
          actorId: r.actor_id,
          actorName: r.actor_name,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          ip: r.ip,
          details: r.details,
        };
        if (fields.seq !== expectSeq) broken = { tenantId: t, seq: fields.seq, reason: `expected seq ${expectSeq}` };
        else if (!prev.equals(r.prev_hash)) broken = { tenantId: t, seq: fields.seq, reason: 'prev_hash mismatch' };
        else if (!entryHash(prev, fields).equals(r.hash)) broken = { tenantId: t, seq: fields.seq, reason: 'hash mismatch' };
        if (broken) return;
        prev = r.hash;
        expectSeq++;
        checked++;
      }
    });
    if (broken) return { ok: false, checked, brokenAt: broken };
    const [head] = await sql<{ seq: number; hash: Buffer }[]>`select seq, hash from audit_heads where tenant_id = ${t}`;
    if (head && (Number(head.seq) !== expectSeq - 1 || !head.hash.equals(prev))) {
      return { ok: false, checked, brokenAt: { tenantId: t, seq: Number(head.seq), reason: 'chain truncated' } };
    }
  }
  return { ok: true, checked };
}

export async function listAudit(sql: Sql, tenantId: number, page: number, pageSize: number) {
  const items = await sql`
    select seq, at, actor_kind, actor_name, action, entity_type, entity_id, ip, details
    from audit_log where tenant_id = ${tenantId} order by seq desc
    limit ${pageSize} offset ${(page - 1) * pageSize}`;
  const [c] = await sql<{ n: number }[]>`select coalesce(max(seq), 0)::int as n from audit_log where tenant_id = ${tenantId}`;
  return {
    items: items.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actor: r.actor_name ?? r.actor_kind,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      ip: r.ip,
      details: r.details,
    })),
    total: c?.n ?? 0,
    page,
    pageSize,
  };
}
