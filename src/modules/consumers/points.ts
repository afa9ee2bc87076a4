/**
 * The points ledger: earn, spend, expire and adjust are rows of `points_entries`; `points_balances` holds the sum,
 * updated in the same statement, and its check (balance >= 0) makes an overspend fail instead of going negative.
 * Every entry names its source, unique per brand: a retried award or spend changes nothing the second time.
 */
import type { Db } from '../../context.ts';

export interface PointsChange {
  tenantId: number;
  consumerId: number;
  /** positive for earn, negative for spend and expire; adjust either way */
  delta: number;
  kind: 'earn' | 'spend' | 'expire' | 'adjust';
  /** what caused it, unique per brand (e.g. `campaign:12:code:<epc>`): the idempotency key */
  source: string;
  /** for an earn: when its points expire if not spent */
  expiresAt?: Date | null;
}

/**
 * Books one change of points. Returns true when booked, false when its source was booked before (a retry).
 * Throws the database's check violation (23514) when a spend would take the balance below zero.
 * Run it inside the transaction of what caused it, so the two stand or fall together.
 */
export async function bookPoints(sql: Db, c: PointsChange): Promise<boolean> {
  if (!Number.isInteger(c.delta) || c.delta === 0) throw new Error('points: delta must be a non-zero integer');
  const [row] = await sql<{ booked: boolean }[]>`
    with entry as (
      insert into points_entries (tenant_id, consumer_id, delta, kind, source, expires_at)
      values (${c.tenantId}, ${c.consumerId}, ${c.delta}, ${c.kind}, ${c.source}, ${c.expiresAt ?? null})
      on conflict (tenant_id, source) do nothing
      returning delta
    ), updated as (
      update points_balances b set balance = b.balance + entry.delta from entry
      where b.tenant_id = ${c.tenantId} and b.consumer_id = ${c.consumerId}
      returning 1
    ), inserted as (
      -- a consumer's first entry; a check constraint is tested before ON CONFLICT, so only the row as it would be
      -- first inserted may be checked here, and the update above does the rest
      insert into points_balances (tenant_id, consumer_id, balance)
      select ${c.tenantId}, ${c.consumerId}, delta from entry where not exists (select 1 from updated)
      on conflict (tenant_id, consumer_id) do update set balance = points_balances.balance + excluded.balance
      returning 1
    )
    select exists (select 1 from entry) as booked`;
  return row?.booked ?? false;
}

/** A consumer's points balance (0 when they never had any). */
export async function pointsBalance(sql: Db, tenantId: number, consumerId: number): Promise<number> {
  const [row] = await sql<{ balance: number }[]>`
    select balance from points_balances where tenant_id = ${tenantId} and consumer_id = ${consumerId}`;
  return row?.balance ?? 0;
}

/**
 * Books many earns at once (a batch of claims), each source at most once as bookPoints does, in two statements
 * whatever their number. Earns only: a positive delta cannot take a balance below zero. The balances are updated in
 * consumer order, so two batches touching the same consumers lock them in the same order. Returns how many were booked.
 */
export async function bookPointsMany(sql: Db, earns: readonly PointsChange[]): Promise<number> {
  if (!earns.length) return 0;
  if (earns.some((e) => !Number.isInteger(e.delta) || e.delta <= 0 || e.kind !== 'earn')) {
    throw new Error('points: bookPointsMany books earns with positive integer deltas');
  }
  const rows = await sql<{ booked: number }[]>`
    with entry as (
      insert into points_entries (tenant_id, consumer_id, delta, kind, source, expires_at)
      select * from unnest(${earns.map((e) => e.tenantId)}::int[], ${earns.map((e) => e.consumerId)}::bigint[],
        ${earns.map((e) => e.delta)}::int[], ${earns.map((e) => e.kind)}::text[], ${earns.map((e) => e.source)}::text[],
        ${earns.map((e) => e.expiresAt ?? null)}::timestamptz[])
      on conflict (tenant_id, source) do nothing
      returning tenant_id, consumer_id, delta
    ), balances as (
      insert into points_balances as b (tenant_id, consumer_id, balance)
      select tenant_id, consumer_id, sum(delta)::int from entry group by tenant_id, consumer_id order by tenant_id, consumer_id
      on conflict (tenant_id, consumer_id) do update set balance = b.balance + excluded.balance
      returning 1
    )
    select (select count(*) from entry)::int as booked, (select count(*) from balances) as _`;
  return rows[0]?.booked ?? 0;
}
