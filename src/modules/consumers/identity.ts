/**
 * The identity graph's lookups: which consumer an identifier belongs to, creating one on first sight. Identifiers
 * are looked up by a keyed hash (HMAC under a key derived from the master key), so the table alone reveals none.
 * A consumer merged into another answers as the one it was merged into.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../../context.ts';

export type IdentifierKind = 'device' | 'phone' | 'openid' | 'unionid';
/** How the server knows an identifier is the consumer's; a client's say-so is never one of them. */
export type Evidence = 'cookie' | 'otp' | 'wechat' | 'import';

/** The key identifiers are hashed under (the SQL that hashes the resolver's device ids needs it too). */
export function identifierKey(masterKey: Buffer): Buffer {
  return createHmac('sha256', masterKey).update('throughline consumer identifier v1').digest();
}

/** Hashes identifiers for lookup: stable per installation, not reversible from a database copy. */
export function identifierHasher(masterKey: Buffer): (kind: IdentifierKind, value: string) => Buffer {
  const key = identifierKey(masterKey);
  return (kind, value) => createHmac('sha256', key).update(`${kind}\u0000${value}`).digest();
}

/** The consumer an identifier belongs to (following merges), or null when it is not known yet. */
export async function consumerOf(sql: Db, tenantId: number, kind: IdentifierKind, valueHash: Buffer): Promise<number | null> {
  const [id] = await consumersOf(sql, tenantId, kind, [valueHash]);
  return id ?? null;
}

/**
 * consumerOf for many identifiers of one kind, index-aligned (null where unknown), in one statement. Each identifier
 * is looked up by its key, and so is each consumer of the merge chain (the lateral `limit 1`s keep the planner from
 * joining instead): joins planned on stale statistics hashed every device identifier, then every consumer, of the
 * brand per call, 19 then 29 ms a batch of claims and growing with the brand (docs/BENCHMARKS.md, claims).
 */
export async function consumersOf(
  sql: Db,
  tenantId: number,
  kind: IdentifierKind,
  valueHashes: readonly Buffer[],
): Promise<(number | null)[]> {
  const rows = await sql<{ i: string; id: string }[]>`
    with recursive q as (select decode(hex, 'hex') as h, i from unnest(${valueHashes.map((h) => h.toString('hex'))}::text[]) with ordinality as q(hex, i)),
    chain as (
      select q.i, c.id, c.merged_into, 0 as depth from q
        cross join lateral (
          select consumer_id from consumer_identifiers ci
          where ci.tenant_id = ${tenantId} and ci.kind = ${kind} and ci.value_hash = q.h limit 1
        ) ci
        cross join lateral (select c.id, c.merged_into from consumers c where c.tenant_id = ${tenantId} and c.id = ci.consumer_id limit 1) c
      union all
      select chain.i, c.id, c.merged_into, chain.depth + 1 from chain
        cross join lateral (select c.id, c.merged_into from consumers c where c.tenant_id = ${tenantId} and c.id = chain.merged_into limit 1) c
      where chain.merged_into is not null and chain.depth < 32
    )
    select i::text, id::text from chain where merged_into is null`;
  const found = new Map(rows.map((r) => [Number(r.i), Number(r.id)]));
  return valueHashes.map((_, k) => found.get(k + 1) ?? null);
}

/**
 * When each consumer was first seen (its row's creation: the first scan or claim of any of its identifiers), for
 * "new members only" campaigns. One statement for a batch; consumers not found are left out of the map.
 */
export async function firstSeenOf(sql: Db, tenantId: number, consumerIds: readonly number[]): Promise<Map<number, Date>> {
  const rows = await sql<{ id: string; created_at: Date }[]>`
    select c.id::text, c.created_at from unnest(${consumerIds as number[]}::bigint[]) as q(id)
    cross join lateral (select id, created_at from consumers where tenant_id = ${tenantId} and id = q.id limit 1) c`;
  return new Map(rows.map((r) => [Number(r.id), r.created_at]));
}

/**
 * The consumer an identifier belongs to, created with the identifier when it is new. Safe under concurrency: two
 * first scans of one device at once create one consumer (the identifier's key decides; the loser's row is rolled
 * back with its statement and it reads the winner's).
 */
export async function consumerFor(sql: Db, tenantId: number, kind: IdentifierKind, valueHash: Buffer, evidence: Evidence): Promise<number> {
  const [id] = await consumersFor(sql, tenantId, kind, [valueHash], evidence);
  return id as number;
}

/**
 * consumerFor for many identifiers of one kind at once (a batch of claims), in two or three statements whatever their
 * number: the known ones are read, the new ones made together (each new identifier its own consumer), and an
 * identifier another transaction added first is read back as theirs. Index-aligned with `valueHashes`.
 */
export async function consumersFor(
  sql: Db,
  tenantId: number,
  kind: IdentifierKind,
  valueHashes: readonly Buffer[],
  evidence: Evidence,
  /** what consumersOf answered for these identifiers earlier in the same transaction, when the caller asked already */
  knownBefore?: readonly (number | null)[],
): Promise<number[]> {
  const known = knownBefore ? [...knownBefore] : await consumersOf(sql, tenantId, kind, valueHashes);
  const missing = [...new Map(valueHashes.filter((_, k) => known[k] === null).map((h) => [h.toString('hex'), h])).values()];
  if (missing.length) {
    // the new consumers are paired with the new identifiers in any order: each is a fresh empty row
    const made = await sql<{ hash: string; made: string; id: string | null }[]>`
      with q as (select decode(hex, 'hex') as h, row_number() over () as rn from unnest(${missing.map((h) => h.toString('hex'))}::text[]) as hex),
      c as (insert into consumers (tenant_id) select ${tenantId} from q returning id),
      cn as (select id, row_number() over (order by id) as rn from c),
      i as (
        insert into consumer_identifiers (tenant_id, kind, value_hash, consumer_id, evidence)
        select ${tenantId}, ${kind}, q.h, cn.id, ${evidence} from q join cn using (rn)
        on conflict do nothing returning value_hash, consumer_id
      )
      select encode(q.h, 'hex') as hash, cn.id::text as made, i.consumer_id::text as id
      from q join cn using (rn) left join i on i.value_hash = q.h`;
    const ids = new Map(made.flatMap((r) => (r.id ? [[r.hash, Number(r.id)] as const] : [])));
    // identifiers another request added first: the consumers made for them are left without one
    const orphans = made.filter((r) => !r.id);
    if (orphans.length) {
      await sql`delete from consumers where tenant_id = ${tenantId} and id = any(${orphans.map((r) => r.made)}::bigint[])`;
      const hashes = orphans.map((r) => Buffer.from(r.hash, 'hex'));
      const winners = await consumersOf(sql, tenantId, kind, hashes);
      winners.forEach((w, k) => {
        if (w === null) throw new Error('consumer identifier vanished while it was being added');
        ids.set(orphans[k]?.hash as string, w);
      });
    }
    valueHashes.forEach((h, k) => {
      if (known[k] === null) known[k] = ids.get(h.toString('hex')) ?? null;
    });
  }
  return known.map((id) => {
    if (id === null) throw new Error('consumer identifier vanished while it was being added');
    return id;
  });
}
