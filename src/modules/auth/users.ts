import type { Db, RequestContext } from '../../context.ts';
import { copyInto, reserveIds } from '../../db/copy.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { allDivisions } from '../parties/divisions.ts';
import { ROLE_PARTY_KIND, ROLES, type Role } from './roles.ts';
import { hashPassword, isStrongPassword } from './secrets.ts';

export interface UserInput {
  username: string;
  displayName?: string | null;
  password: string;
  role: string;
  partyCode?: string | null;
  locale?: string | null;
  territories?: string[];
}

/** Pure checks of one user; `at` prefixes pointers. */
export function checkUser(u: UserInput, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!u.username || !/^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/.test(u.username)) {
    errors.push({
      pointer: `${at}/username`,
      code: 'field.invalid',
      params: { field: 'username', reason: '2-64 letters, digits, _ . @ -' },
    });
  }
  if (!isStrongPassword(u.password ?? '')) errors.push({ pointer: `${at}/password`, code: 'password.weak' });
  if (!ROLES.includes(u.role as Role)) {
    errors.push({ pointer: `${at}/role`, code: 'field.invalid', params: { field: 'role', reason: ROLES.join('|') } });
  } else if (ROLE_PARTY_KIND[u.role as Role] !== 'brand' && !u.partyCode) {
    errors.push({ pointer: `${at}/partyCode`, code: 'user.role_party', params: { role: u.role, kind: ROLE_PARTY_KIND[u.role as Role] } });
  }
  if (u.locale && u.locale !== 'zh-CN' && u.locale !== 'en') {
    errors.push({ pointer: `${at}/locale`, code: 'field.invalid', params: { field: 'locale', reason: 'zh-CN|en' } });
  }
  (u.territories ?? []).forEach((t, i) => {
    if (!allDivisions().has(t)) errors.push({ pointer: `${at}/territories/${i}`, code: 'division.unknown', params: { value: t } });
  });
  return errors;
}

/**
 * Creates users in bulk inside the caller's transaction (argon2id hashes computed before). Party codes
 * must exist and be of the kind the role belongs to. Returns per-row errors and writes nothing if any.
 */
export async function insertUsers(
  tx: Db,
  tenantId: number,
  users: UserInput[],
  pointer: (index: number, field: string) => string,
): Promise<{ errors: FieldError[]; ids: number[] }> {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  users.forEach((u, i) => {
    if (seen.has(u.username))
      errors.push({ pointer: pointer(i, 'username'), code: 'import.duplicate', params: { field: 'username', value: u.username } });
    seen.set(u.username, i);
  });
  const existing = await tx<{ username: string }[]>`
    select username from users where tenant_id = ${tenantId} and username = any(${[...seen.keys()]}::text[])`;
  for (const e of existing) {
    errors.push({
      pointer: pointer(seen.get(e.username) ?? 0, 'username'),
      code: 'import.exists',
      params: { field: 'username', value: e.username },
    });
  }
  const codes = [...new Set(users.map((u) => u.partyCode).filter((c): c is string => !!c))];
  const parties = new Map(
    (
      await tx<{ code: string; id: number; kind: string }[]>`
      select code, id, kind from parties where tenant_id = ${tenantId} and code = any(${codes}::text[])`
    ).map((p) => [p.code, p]),
  );
  users.forEach((u, i) => {
    if (!u.partyCode) return;
    const p = parties.get(u.partyCode);
    const wanted = ROLE_PARTY_KIND[u.role as Role];
    if (!p) errors.push({ pointer: pointer(i, 'partyCode'), code: 'import.reference', params: { field: 'partyCode', value: u.partyCode } });
    else if (p.kind !== wanted)
      errors.push({ pointer: pointer(i, 'partyCode'), code: 'user.role_party', params: { role: u.role, kind: wanted } });
  });
  if (errors.length) return { errors, ids: [] };
  const hashes = await Promise.all(users.map((u) => hashPassword(u.password)));
  const ids = await reserveIds(tx, 'users', users.length);
  await copyInto(
    tx,
    'users',
    ['tenant_id', 'id', 'username', 'display_name', 'password_hash', 'role', 'party_id', 'locale'],
    users.map((u, i) => [
      tenantId,
      ids[i],
      u.username,
      u.displayName || u.username,
      hashes[i],
      u.role,
      u.partyCode ? Number(parties.get(u.partyCode)?.id) : null,
      u.locale || 'zh-CN',
    ]),
  );
  // a territory named twice is one territory (the import and the API may repeat one)
  const terr = users.flatMap((u, i) => [...new Set(u.territories ?? [])].map((t) => [tenantId, ids[i], t] as [number, number, string]));
  if (terr.length) await copyInto(tx, 'user_territories', ['tenant_id', 'user_id', 'division_code'], terr);
  return { errors, ids };
}

export async function listUsers(ctx: RequestContext, q: { page: number; pageSize: number; q?: string }) {
  const sql = ctx.sql;
  const filter = q.q ? sql`and (u.username ilike ${`%${q.q}%`} or u.display_name ilike ${`%${q.q}%`})` : sql``;
  const rows = await sql`
    select u.id, u.username, u.display_name, u.role, u.party_id, p.name as party_name, u.status, u.created_at
    from users u left join parties p on p.tenant_id = u.tenant_id and p.id = u.party_id
    where u.tenant_id = ${ctx.actor.tenantId} ${filter}
    order by u.id limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`;
  const [c] = await sql<{ n: number }[]>`select count(*)::int as n from users u where u.tenant_id = ${ctx.actor.tenantId} ${filter}`;
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      partyId: r.party_id == null ? null : Number(r.party_id),
      partyName: r.party_name,
      status: r.status,
      createdAt: r.created_at,
    })),
    total: c?.n ?? 0,
    page: q.page,
    pageSize: q.pageSize,
  };
}

export function assertNoErrors(errors: FieldError[]): void {
  if (errors.length) throw AppError.invalid(errors);
}
