import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor } from './actor.ts';
import { DEVICE_ROLE_BY_PARTY_KIND, isAction } from './roles.ts';
import { newSecret, sha256 } from './secrets.ts';

/**
 * Device API keys look like `tlk_<prefix>.<secret>`: the prefix finds the row, the secret's SHA-256 is
 * compared. A key acts for one party with the device role of that party's kind, and only for the
 * actions it was granted.
 */
export async function createApiKey(
  ctx: RequestContext,
  input: { name: string; partyId: number; actions: string[] },
): Promise<{ id: number; key: string; prefix: string }> {
  const bad = input.actions.findIndex((a) => !isAction(a));
  if (bad >= 0) throw AppError.field(`/body/actions/${bad}`, 'field.invalid', { reason: 'unknown action' });
  const prefix = newSecret().slice(0, 10).replace(/[-_]/g, 'x');
  const secret = newSecret();
  return ctx.sql.begin(async (tx) => {
    const [party] = await tx`select id from parties where tenant_id = ${ctx.actor.tenantId} and id = ${input.partyId}`;
    if (!party) throw AppError.field('/body/partyId', 'import.reference', { field: 'partyId', value: input.partyId });
    const [row] = await tx<{ id: number }[]>`
      insert into api_keys (tenant_id, prefix, secret_hash, name, party_id, actions, created_by)
      values (${ctx.actor.tenantId}, ${prefix}, ${sha256(secret)}, ${input.name}, ${input.partyId}, ${input.actions},
        ${ctx.actor.kind === 'user' ? ctx.actor.id : null})
      returning id`;
    if (!row) throw new Error('api key insert failed');
    await appendAudit(tx, whoOf(ctx), {
      action: 'apikey.create',
      entityType: 'api_key',
      entityId: row.id,
      details: { name: input.name, partyId: input.partyId, actions: input.actions },
    });
    return { id: Number(row.id), key: `tlk_${prefix}.${secret}`, prefix };
  });
}

export async function revokeApiKey(ctx: RequestContext, id: number): Promise<void> {
  await ctx.sql.begin(async (tx) => {
    const r = await tx`update api_keys set revoked_at = now()
      where tenant_id = ${ctx.actor.tenantId} and id = ${id} and revoked_at is null returning id`;
    if (!r.length) throw AppError.notFound();
    await appendAudit(tx, whoOf(ctx), { action: 'apikey.revoke', entityType: 'api_key', entityId: id });
  });
}

export async function listApiKeys(ctx: RequestContext) {
  const rows = await ctx.sql`
    select k.id, k.prefix, k.name, k.party_id, p.name as party_name, k.actions, k.created_at, k.revoked_at, k.last_used_at
    from api_keys k join parties p on p.tenant_id = k.tenant_id and p.id = k.party_id
    where k.tenant_id = ${ctx.actor.tenantId} order by k.id desc`;
  return rows.map((r) => ({
    id: Number(r.id),
    prefix: r.prefix,
    name: r.name,
    partyId: Number(r.party_id),
    partyName: r.party_name,
    actions: r.actions,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  }));
}

const lastUsedWritten = new Map<number, number>();

export async function actorForApiKey(sql: Sql, key: string): Promise<Actor | undefined> {
  const m = /^tlk_([A-Za-z0-9]{10})\.([A-Za-z0-9_-]{43})$/.exec(key);
  if (!m) return undefined;
  const [r] = await sql<
    { tenant_id: number; code: string; id: number; name: string; party_id: number; kind: string; actions: string[]; secret_hash: Buffer }[]
  >`select k.tenant_id, t.code, k.id, k.name, k.party_id, p.kind, k.actions, k.secret_hash
    from api_keys k join tenants t on t.id = k.tenant_id
    join parties p on p.tenant_id = k.tenant_id and p.id = k.party_id
    where k.prefix = ${m[1] as string} and k.revoked_at is null`;
  if (!r?.secret_hash.equals(sha256(m[2] ?? ''))) return undefined;
  const id = Number(r.id);
  // last-used time is kept to the minute, so a busy device does not write on every request
  if ((lastUsedWritten.get(id) ?? 0) < Date.now() - 60_000) {
    lastUsedWritten.set(id, Date.now());
    await sql`update api_keys set last_used_at = now() where tenant_id = ${r.tenant_id} and id = ${id}`;
  }
  return {
    kind: 'api_key',
    tenantId: r.tenant_id,
    tenantCode: r.code,
    id,
    name: r.name,
    role: DEVICE_ROLE_BY_PARTY_KIND[r.kind] ?? 'store_clerk',
    partyId: Number(r.party_id),
    territories: [],
    keyActions: r.actions,
  };
}

export function whoOf(ctx: RequestContext) {
  return {
    tenantId: ctx.actor.tenantId,
    actorKind: ctx.actor.kind,
    actorId: String(ctx.actor.id),
    actorName: ctx.actor.name,
    ip: ctx.ip,
    requestId: ctx.requestId,
  } as const;
}
