/**
 * The identity graph's merges. Evidence the server itself obtained (a phone code it sent and got back, an openid from
 * its own WeChat code exchange) binds an identifier to the device's consumer; when the identifier already belongs
 * to another consumer, the device's consumer is merged into that one. A merge moves the identifiers, the points
 * entries (so expiry dates travel with them) and the tags, and records exactly what it moved; undo moves them back.
 * No client request can name consumers to merge: there is no such input.
 */
import type { Db } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { consumerOf, type IdentifierKind } from './identity.ts';

export interface ProvenIdentifier {
  kind: Exclude<IdentifierKind, 'device'>;
  hash: Buffer;
  /** the phone number sealed (privacy.ts), for a phone */
  enc?: Buffer | null;
}

export interface BindResult {
  consumerId: number;
  /** the merges this binding caused */
  mergeIds: number[];
}

/** Follows merges from a consumer to the one standing now. */
export async function standingConsumer(db: Db, tenantId: number, consumerId: number): Promise<number> {
  let id = consumerId;
  for (let i = 0; i < 32; i++) {
    const [row] = await db<{ merged_into: string | null }[]>`
      select merged_into::text from consumers where tenant_id = ${tenantId} and id = ${id}`;
    if (!row?.merged_into) return id;
    id = Number(row.merged_into);
  }
  throw new Error('consumer merge chain too long');
}

/** A consumer and every consumer merged into it (and not undone), recursively: whose redemptions are its own. */
export async function mergedGroup(db: Db, tenantId: number, consumerId: number): Promise<number[]> {
  const rows = await db<{ id: string }[]>`
    with recursive g as (
      select ${consumerId}::bigint as id
      union
      select m.from_consumer from consumer_merges m join g on m.into_consumer = g.id where m.tenant_id = ${tenantId} and m.undone_at is null
    )
    select id::text from g`;
  return rows.map((r) => Number(r.id));
}

async function lockConsumers(tx: Db, tenantId: number, ids: number[]): Promise<void> {
  await tx`select id from consumers where tenant_id = ${tenantId} and id = any(${ids}::bigint[]) order by id for update`;
}

/** Sets a consumer's balance to the sum of its entries (the balance check refuses a negative one). */
async function rebalance(tx: Db, tenantId: number, consumerId: number): Promise<void> {
  await tx`
    insert into points_balances (tenant_id, consumer_id, balance)
    select ${tenantId}, ${consumerId}, coalesce(sum(delta), 0)::int from points_entries where tenant_id = ${tenantId} and consumer_id = ${consumerId}
    on conflict (tenant_id, consumer_id) do update set balance = excluded.balance`;
}

/** Merges `from` into `into` inside the caller's transaction; returns the merge's id. */
export async function mergeConsumers(
  tx: Db,
  tenantId: number,
  from: number,
  into: number,
  evidence: 'otp' | 'wechat',
  triggerKind: ProvenIdentifier['kind'],
): Promise<number> {
  if (from === into) throw new Error('a consumer cannot be merged into itself');
  await lockConsumers(tx, tenantId, [from, into]);
  const moved = await tx<{ kind: string; hash: string }[]>`
    update consumer_identifiers set consumer_id = ${into} where tenant_id = ${tenantId} and consumer_id = ${from}
    returning kind, encode(value_hash, 'hex') as hash`;
  const entries = await tx<{ id: string }[]>`
    update points_entries set consumer_id = ${into} where tenant_id = ${tenantId} and consumer_id = ${from} returning id::text`;
  // balances: lock both rows (in id order) before rewriting them
  await tx`select 1 from points_balances where tenant_id = ${tenantId} and consumer_id = any(${[from, into]}::bigint[]) order by consumer_id for update`;
  await rebalance(tx, tenantId, from);
  await rebalance(tx, tenantId, into);
  const tags = await tx<{ tag: string }[]>`
    insert into consumer_tags (tenant_id, consumer_id, tag)
    select tenant_id, ${into}, tag from consumer_tags where tenant_id = ${tenantId} and consumer_id = ${from}
    on conflict do nothing returning tag`;
  await tx`update consumers set merged_into = ${into} where tenant_id = ${tenantId} and id = ${from}`;
  await tx`update consumer_sessions set consumer_id = ${into} where tenant_id = ${tenantId} and consumer_id = ${from}`;
  const [m] = await tx<{ id: string }[]>`
    insert into consumer_merges (tenant_id, from_consumer, into_consumer, evidence, trigger_kind, moved_identifiers, moved_entries, added_tags)
    values (${tenantId}, ${from}, ${into}, ${evidence}, ${triggerKind}, ${tx.json(moved as never)},
      ${entries.map((e) => e.id)}::bigint[], ${tags.map((t) => t.tag)}::text[])
    returning id::text`;
  return Number(m?.id);
}

/**
 * Binds identifiers the server has proven to the device's consumer, strongest first (unionid, then openid; a phone
 * alone). The first one that belongs to another consumer takes the device's consumer in (a merge); a later one that
 * belongs to yet another consumer is merged into that first one. Runs in one transaction.
 */
export async function bindProven(
  sql: Sql,
  tenantId: number,
  deviceConsumer: number,
  proven: ProvenIdentifier[],
  evidence: 'otp' | 'wechat',
): Promise<BindResult> {
  return sql.begin(async (tx) => {
    // one binding at a time per brand: two devices proving the same phone at once must not cross-merge
    await tx`select pg_advisory_xact_lock(hashtext('consumer-bind'), ${tenantId})`;
    let current = await standingConsumer(tx, tenantId, deviceConsumer);
    let anchored = false;
    const mergeIds: number[] = [];
    for (const p of proven) {
      const owner = await consumerOf(tx, tenantId, p.kind, p.hash);
      if (owner === null) {
        await tx`insert into consumer_identifiers (tenant_id, kind, value_hash, value_enc, consumer_id, evidence)
          values (${tenantId}, ${p.kind}, ${p.hash}, ${p.enc ?? null}, ${current}, ${evidence})`;
      } else if (owner !== current) {
        if (!anchored) {
          mergeIds.push(await mergeConsumers(tx, tenantId, current, owner, evidence, p.kind));
          current = owner;
        } else {
          mergeIds.push(await mergeConsumers(tx, tenantId, owner, current, evidence, p.kind));
        }
      }
      anchored = true;
    }
    return { consumerId: current, mergeIds };
  }) as Promise<BindResult>;
}

export interface MergeRow {
  id: number;
  fromConsumer: number;
  intoConsumer: number;
  evidence: string;
  triggerKind: string;
  at: Date;
  movedIdentifiers: number;
  movedEntries: number;
  undoneAt: Date | null;
  undoneBy: string | null;
}

/** The merges a consumer took part in, newest first. */
export async function mergesOf(db: Db, tenantId: number, consumerId: number): Promise<MergeRow[]> {
  const rows = await db<
    {
      id: string;
      from_consumer: string;
      into_consumer: string;
      evidence: string;
      trigger_kind: string;
      at: Date;
      ni: number;
      ne: number;
      undone_at: Date | null;
      undone_by: string | null;
    }[]
  >`select id::text, from_consumer::text, into_consumer::text, evidence, trigger_kind, at,
      jsonb_array_length(moved_identifiers) as ni, cardinality(moved_entries) as ne, undone_at, undone_by
    from consumer_merges where tenant_id = ${tenantId} and (from_consumer = ${consumerId} or into_consumer = ${consumerId})
    order by id desc limit 100`;
  return rows.map((r) => ({
    id: Number(r.id),
    fromConsumer: Number(r.from_consumer),
    intoConsumer: Number(r.into_consumer),
    evidence: r.evidence,
    triggerKind: r.trigger_kind,
    at: r.at,
    movedIdentifiers: r.ni,
    movedEntries: r.ne,
    undoneAt: r.undone_at,
    undoneBy: r.undone_by,
  }));
}

/**
 * Undoes a merge inside the caller's transaction: the identifiers and points entries it moved go back (those still
 * with the consumer it went into), the tags it added are removed, and the two consumers stand apart again. Refused
 * when it was undone already, when the consumer it went into has since been merged on (undo that first), or when
 * points it moved have since been spent (the balance would go negative).
 */
export async function undoMerge(tx: Db, tenantId: number, mergeId: number, by: string): Promise<{ from: number; into: number }> {
  const [m] = await tx<
    {
      from_consumer: string;
      into_consumer: string;
      moved_identifiers: { kind: string; hash: string }[];
      moved_entries: string[];
      added_tags: string[];
      undone_at: Date | null;
    }[]
  >`select from_consumer::text, into_consumer::text, moved_identifiers, moved_entries::text[], added_tags, undone_at
    from consumer_merges where tenant_id = ${tenantId} and id = ${mergeId} for update`;
  if (!m) throw AppError.notFound();
  if (m.undone_at) throw new AppError(409, 'consumer.merge_already_undone');
  const from = Number(m.from_consumer);
  const into = Number(m.into_consumer);
  await lockConsumers(tx, tenantId, [from, into]);
  const states = await tx<{ id: string; merged_into: string | null; deleted_at: Date | null }[]>`
    select id::text, merged_into::text, deleted_at from consumers where tenant_id = ${tenantId} and id = any(${[from, into]}::bigint[])`;
  const intoState = states.find((s) => Number(s.id) === into);
  const fromState = states.find((s) => Number(s.id) === from);
  if (Number(fromState?.merged_into) !== into || intoState?.merged_into || intoState?.deleted_at) {
    throw new AppError(409, 'consumer.merge_undo_blocked');
  }
  const kinds = m.moved_identifiers.map((i) => i.kind);
  const hashes = m.moved_identifiers.map((i) => i.hash);
  if (kinds.length) {
    await tx`update consumer_identifiers i set consumer_id = ${from}
      from unnest(${kinds}::text[], ${hashes}::text[]) as u(kind, hash)
      where i.tenant_id = ${tenantId} and i.kind = u.kind and i.value_hash = decode(u.hash, 'hex') and i.consumer_id = ${into}`;
  }
  await tx`update points_entries set consumer_id = ${from}
    where tenant_id = ${tenantId} and consumer_id = ${into} and id = any(${m.moved_entries}::bigint[])`;
  await tx`select 1 from points_balances where tenant_id = ${tenantId} and consumer_id = any(${[from, into]}::bigint[]) order by consumer_id for update`;
  const [left] = await tx<{ sum: number }[]>`
    select coalesce(sum(delta), 0)::int as sum from points_entries where tenant_id = ${tenantId} and consumer_id = ${into}`;
  // points it moved were spent since: the caller's transaction rolls the moves above back with this refusal
  if ((left?.sum ?? 0) < 0) throw new AppError(409, 'consumer.merge_undo_points_spent');
  await rebalance(tx, tenantId, into);
  await rebalance(tx, tenantId, from);
  await tx`delete from consumer_tags where tenant_id = ${tenantId} and consumer_id = ${into} and tag = any(${m.added_tags}::text[])`;
  await tx`update consumers set merged_into = null where tenant_id = ${tenantId} and id = ${from}`;
  await tx`update consumer_merges set undone_at = now(), undone_by = ${by} where tenant_id = ${tenantId} and id = ${mergeId}`;
  return { from, into };
}
