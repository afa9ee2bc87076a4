/**
 * Points expiry, applied on read: before a balance is shown or spent, the consumer's due points are expired by one
 * `expire` entry in the ledger. Which points are left is decided by consuming the credits (earns, positive
 * adjustments) in order of expiry, soonest first, then oldest first, with every debit (spends, expiries, negative
 * adjustments); whatever is left of a credit whose expires_at has passed expires. Credits without an expiry come last.
 * Pure rule (remainingExpired) plus one locked statement sequence (expireDuePoints).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../context.ts';
import { bookPoints } from './points.ts';

export interface LedgerEntry {
  id: number;
  delta: number;
  at: Date;
  expiresAt: Date | null;
}

/** The points left on credits whose expiry is at or before `now` (what should expire now). */
export function remainingExpired(entries: readonly LedgerEntry[], now: Date): number {
  let debits = -entries.filter((e) => e.delta < 0).reduce((s, e) => s + e.delta, 0);
  const credits = entries
    .filter((e) => e.delta > 0)
    .sort(
      (a, b) =>
        (a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) - (b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) ||
        a.at.getTime() - b.at.getTime() ||
        a.id - b.id,
    );
  let due = 0;
  for (const c of credits) {
    const used = Math.min(debits, c.delta);
    debits -= used;
    if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) due += c.delta - used;
  }
  return due;
}

/**
 * Books the expiry of a consumer's due points, if any, inside the caller's transaction (the balance row is locked
 * first, so two readers at once book it once). Returns the points expired.
 */
export async function expireDuePoints(tx: Db, tenantId: number, consumerId: number, now: Date = new Date()): Promise<number> {
  const [due] = await tx<{ n: number }[]>`
    select count(*)::int as n from points_entries where tenant_id = ${tenantId} and consumer_id = ${consumerId}
      and delta > 0 and expires_at <= ${now}`;
  if (!due?.n) return 0;
  await tx`select 1 from points_balances where tenant_id = ${tenantId} and consumer_id = ${consumerId} for update`;
  const rows = await tx<{ id: string; delta: number; at: Date; expires_at: Date | null }[]>`
    select id::text, delta, at, expires_at from points_entries where tenant_id = ${tenantId} and consumer_id = ${consumerId}`;
  const amount = remainingExpired(
    rows.map((r) => ({ id: Number(r.id), delta: r.delta, at: r.at, expiresAt: r.expires_at })),
    now,
  );
  if (amount <= 0) return 0;
  await bookPoints(tx, { tenantId, consumerId, delta: -amount, kind: 'expire', source: `expire:${consumerId}:${randomUUID()}` });
  return amount;
}
