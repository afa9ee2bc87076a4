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
  const [row] = await sql<{ id: string }[]>`
    with recursive chain as (
      select c.id, c.merged_into, 0 as depth from consumer_identifiers i
        join consumers c on c.tenant_id = i.tenant_id and c.id = i.consumer_id
      where i.tenant_id = ${tenantId} and i.kind = ${kind} and i.value_hash = ${valueHash}
      union all
      select c.id, c.merged_into, chain.depth + 1 from chain join consumers c on c.tenant_id = ${tenantId} and c.id = chain.merged_into
      where chain.depth < 32
    )
    select id::text from chain where merged_into is null limit 1`;
  return row ? Number(row.id) : null;
}

/**
 * The consumer an identifier belongs to, created with the identifier when it is new. Safe under concurrency: two
 * first scans of one device at once create one consumer (the identifier's key decides; the loser's row is rolled
 * back with its statement and it reads the winner's).
 */
export async function consumerFor(sql: Db, tenantId: number, kind: IdentifierKind, valueHash: Buffer, evidence: Evidence): Promise<number> {
  const known = await consumerOf(sql, tenantId, kind, valueHash);
  if (known !== null) return known;
  const [created] = await sql<{ made: string; id: string | null }[]>`
    with c as (insert into consumers (tenant_id) values (${tenantId}) returning id),
    i as (
      insert into consumer_identifiers (tenant_id, kind, value_hash, consumer_id, evidence)
      select ${tenantId}, ${kind}, ${valueHash}, c.id, ${evidence} from c
      on conflict do nothing returning consumer_id
    )
    select c.id::text as made, (select consumer_id::text from i) as id from c`;
  if (created?.id) return Number(created.id);
  // another request added the identifier first: the consumer this statement made is left without an identifier
  await sql`delete from consumers where tenant_id = ${tenantId} and id = ${created?.made ?? null}`;
  const winner = await consumerOf(sql, tenantId, kind, valueHash);
  if (winner === null) throw new Error('consumer identifier vanished while it was being added');
  return winner;
}
