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
 * `customPlans`: every statement planned for its parameters and the tables' current sizes (see claim-batch.ts).
 */
export async function reservedTransaction<T>(
  sql: Sql,
  fn: (tx: Tx, begun: Promise<unknown>) => Promise<T>,
  opts: { customPlans?: boolean } = {},
): Promise<T> {
  const conn = await sql.reserve();
  try {
    const begun = conn`begin`.execute();
    if (opts.customPlans) conn`set local plan_cache_mode = force_custom_plan`.execute();
    try {
      const result = await fn(conn as unknown as Tx, begun);
      await conn`commit`;
      return result;
    } catch (err) {
      await conn`rollback`.catch(() => undefined);
      throw err;
    }
  } finally {
    conn.release();
  }
}

/**
 * BEGIN, the statements `statements` makes, and COMMIT in one round trip: for independent writes whose answers are
 * wanted only once they are durable (a batch of consumer scans). A failing statement aborts the transaction, the
 * statements after it fail, and the COMMIT ends it as a rollback: the first failure is thrown and nothing is written.
 */
export async function oneRoundTripTransaction<T>(sql: Sql, statements: (tx: Tx) => Promise<T>[]): Promise<T[]> {
  const conn = await sql.reserve();
  try {
    const begun = conn`begin`.execute();
    const settled = statements(conn as unknown as Tx).map((p) =>
      p.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    const committed = conn`commit`.execute();
    const [, results, end] = await Promise.all([begun, Promise.all(settled), committed]);
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw failed.error;
    if ((end as { command?: string }).command !== 'COMMIT')
      throw new Error(`the transaction ended in ${String((end as { command?: string }).command)}`);
    return results.map((r) => (r.ok ? r.value : (undefined as never)));
  } catch (err) {
    // a failure before the commit was sent (a lost connection): make sure nothing stays open
    await conn`rollback`.catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}
