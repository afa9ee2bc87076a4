/**
 * Transactions whose statements travel together. postgres.js sends the statements a connection is given one after
 * another without waiting for answers (a pipeline; the server runs them in order), so a transaction costs as many round
 * trips as the places where its code waits for an answer, not one per statement.
 */
import type { Sql, Tx } from './connection.ts';

/**
 * A transaction on a connection reserved first, its BEGIN sent with the first statements `fn` sends (which await
 * `begun` with them before writing anything). postgres.js 3.4.9's sql.begin can send its BEGIN on a connection it has
 * not reserved when that BEGIN fills the connection's pipeline under load (porsager/postgres#823, #1189): a claim
 * then failed with UNSAFE_TRANSACTION (seen once in the 1,000-claim race). A reserved connection carries nothing else.
 * `plans` (incentives/claim-plans.ts): `custom`, every statement planned afresh for its parameters and the tables'
 * current sizes; `cached-by-index`, plans cached as usual but reading tables by their indexes wherever one fits, so a
 * plan made while a table was nearly empty does not scan it whole once it has grown. Unset: the server's settings.
 */
export async function reservedTransaction<T>(
  sql: Sql,
  fn: (tx: Tx, begun: Promise<unknown>) => Promise<T>,
  opts: { plans?: 'custom' | 'cached-by-index' } = {},
): Promise<T> {
  const conn = await sql.reserve();
  const deferred: Promise<unknown>[] = [];
  pendingWrites.set(conn, deferred);
  try {
    const begun = conn`begin`.execute();
    if (opts.plans === 'custom') conn`set local plan_cache_mode = force_custom_plan`.execute();
    if (opts.plans === 'cached-by-index') conn`set local enable_seqscan = off`.execute();
    try {
      const result = await fn(conn as unknown as Tx, begun);
      // the commit goes out behind the writes left to it (untilCommit), in the same round trip
      const commit = conn`commit`.execute();
      const settled = await Promise.allSettled([...deferred, commit]);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const end = (settled.at(-1) as PromiseFulfilledResult<{ command?: string }>).value;
      if (end.command !== 'COMMIT') throw new Error(`the transaction ended in ${String(end.command)}`);
      return result;
    } catch (err) {
      // a write left to the commit that failed is the cause; the statements after it only found the transaction aborted
      const writes = await Promise.allSettled(deferred);
      const cause = writes.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
      await conn`rollback`.catch(() => undefined);
      throw cause ? cause.reason : err;
    }
  } finally {
    pendingWrites.delete(conn);
    conn.release();
  }
}

const pendingWrites = new WeakMap<object, Promise<unknown>[]>();

/**
 * Writes whose outcome nothing in the transaction waits for, left for its commit: inside a reservedTransaction the
 * commit is sent right behind them and both are awaited together (one round trip less, and a row lock taken before
 * them is held one round trip less); a failure still fails the transaction, which then ends in a rollback. Every
 * statement of `writes` must already have been sent (issued before the caller's first await). Elsewhere (a plain
 * sql.begin) the writes are simply returned to be awaited.
 */
export function untilCommit(tx: unknown, writes: Promise<unknown>): Promise<unknown> {
  const deferred = pendingWrites.get(tx as object);
  if (!deferred) return writes;
  // handled now (no unhandled rejection while the transaction goes on); the commit awaits the outcome
  writes.catch(() => undefined);
  deferred.push(writes);
  return Promise.resolve();
}

/**
 * BEGIN, the statements `statements` makes, and COMMIT in one round trip: for independent writes whose answers are
 * wanted only once they are durable (a batch of consumer scans). A failing statement aborts the transaction, the
 * statements after it fail, and the COMMIT ends it as a rollback: the first failure is thrown and nothing is written.
 */
export async function oneRoundTripTransaction<T>(sql: Sql, statements: (tx: Tx) => Promise<T>[]): Promise<T[]> {
  // the answers are handed back wrapped: awaited inside the transaction they would hold the commit back a round trip
  const { answers } = await reservedTransaction(sql, async (tx, begun) => {
    const all = Promise.all(statements(tx));
    await untilCommit(tx, Promise.all([begun, all]));
    return { answers: all };
  });
  return answers;
}
