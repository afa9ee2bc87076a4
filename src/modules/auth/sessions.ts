import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor } from './actor.ts';
import type { Role } from './roles.ts';
import { dummyPasswordHash, newSecret, sha256, verifyPassword } from './secrets.ts';

const SESSION_HOURS = 12;
const MAX_FAILED_LOGINS = 5;
const LOCK_MINUTES = 15;
/**
 * Resolved sessions are cached in this process for a few seconds so an authenticated list request costs
 * no extra round trip; logout evicts locally, and other nodes see a revocation within CACHE_MS.
 */
const CACHE_MS = 10_000;
const cache = new Map<string, { actor: Actor; until: number }>();

interface ActorRow {
  tenant_id: number;
  tenant_code: string;
  user_id: number;
  username: string;
  role: Role;
  party_id: number | null;
  territories: string[];
}

async function loadUserActor(sql: Sql, tenantId: number, userId: number): Promise<Actor | undefined> {
  const [r] = await sql<ActorRow[]>`
    select u.tenant_id, t.code as tenant_code, u.id as user_id, u.username, u.role, u.party_id,
      coalesce(array(select division_code from user_territories ut where ut.tenant_id = u.tenant_id and ut.user_id = u.id), '{}') as territories
    from users u join tenants t on t.id = u.tenant_id
    where u.tenant_id = ${tenantId} and u.id = ${userId} and u.status = 'active'`;
  return r && toActor(r);
}

function toActor(r: ActorRow): Actor {
  return {
    kind: 'user',
    tenantId: r.tenant_id,
    tenantCode: r.tenant_code,
    id: Number(r.user_id),
    name: r.username,
    role: r.role,
    partyId: r.party_id == null ? null : Number(r.party_id),
    territories: r.territories,
  };
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  actor: Actor;
}

/** Checks the password (argon2id), locks the account after repeated failures, opens a session. */
export async function login(
  sql: Sql,
  input: { tenant: string; username: string; password: string },
  ip: string | null,
): Promise<LoginResult> {
  const [u] = await sql<
    { tenant_id: number; id: number; password_hash: string; locked_until: Date | null; status: string }[]
  >`select u.tenant_id, u.id, u.password_hash, u.locked_until, u.status
    from users u join tenants t on t.id = u.tenant_id
    where t.code = ${input.tenant} and u.username = ${input.username}`;
  if (u?.status !== 'active') {
    await verifyPassword(await dummyPasswordHash(), input.password);
    throw new AppError(401, 'auth.invalid_credentials');
  }
  if (u.locked_until && u.locked_until > new Date()) throw lockedError(u.locked_until);
  if (!(await verifyPassword(u.password_hash, input.password))) {
    await sql.begin(async (tx) => {
      // every failure is audited, and so is every failure that (re)locks the account: the count is not reset until a
      // successful login, so a wrong password right after a lock ends locks it again
      const [f] = await tx<{ failed_logins: number; locked_until: Date | null; locks: boolean }[]>`
        update users set failed_logins = failed_logins + 1,
          locked_until = case when failed_logins + 1 >= ${MAX_FAILED_LOGINS}
                              then now() + make_interval(mins => ${LOCK_MINUTES}) else locked_until end
        where tenant_id = ${u.tenant_id} and id = ${u.id}
        returning failed_logins, locked_until, failed_logins >= ${MAX_FAILED_LOGINS} as locks`;
      const who = { tenantId: u.tenant_id, actorKind: 'user' as const, actorId: String(u.id), actorName: input.username, ip };
      await appendAudit(tx, who, {
        action: 'auth.login_failed',
        entityType: 'user',
        entityId: u.id,
        details: { failedLogins: f?.failed_logins },
      });
      if (f?.locks) {
        await appendAudit(tx, who, {
          action: 'auth.account_locked',
          entityType: 'user',
          entityId: u.id,
          details: { failedLogins: f.failed_logins, lockedUntil: f.locked_until?.toISOString(), minutes: LOCK_MINUTES },
        });
      }
    });
    // the failure that locks still answers "wrong credentials"; the next attempt learns of the lock
    throw new AppError(401, 'auth.invalid_credentials');
  }
  const token = newSecret();
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await sql.begin(async (tx) => {
    await tx`update users set failed_logins = 0, locked_until = null where tenant_id = ${u.tenant_id} and id = ${u.id}`;
    await tx`insert into sessions (token_hash, tenant_id, user_id, expires_at, ip)
             values (${sha256(token)}, ${u.tenant_id}, ${u.id}, ${expiresAt}, ${ip})`;
    await appendAudit(
      tx,
      { tenantId: u.tenant_id, actorKind: 'user', actorId: String(u.id), actorName: input.username, ip },
      { action: 'auth.login', entityType: 'user', entityId: u.id },
    );
  });
  const actor = await loadUserActor(sql, u.tenant_id, Number(u.id));
  if (!actor) throw new AppError(401, 'auth.invalid_credentials');
  return { token, expiresAt, actor };
}

/** 429 with the seconds until the lock ends as Retry-After. */
function lockedError(until: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError(429, 'auth.locked').withHeader('retry-after', String(seconds));
}

export async function actorForSession(sql: Sql, token: string): Promise<Actor | undefined> {
  const now = Date.now();
  const hit = cache.get(token);
  if (hit && hit.until > now) return hit.actor;
  const [s] = await sql<{ tenant_id: number; user_id: number }[]>`
    select tenant_id, user_id from sessions
    where token_hash = ${sha256(token)} and revoked_at is null and expires_at > now()`;
  if (!s) {
    cache.delete(token);
    return undefined;
  }
  const actor = await loadUserActor(sql, s.tenant_id, Number(s.user_id));
  if (actor) {
    if (cache.size > 50_000) cache.clear();
    cache.set(token, { actor, until: now + CACHE_MS });
  }
  return actor;
}

export async function logout(sql: Sql, token: string): Promise<void> {
  cache.delete(token);
  await sql`update sessions set revoked_at = now() where token_hash = ${sha256(token)} and revoked_at is null`;
}
