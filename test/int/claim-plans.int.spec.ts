/**
 * Claim batches plan every statement afresh while the tables a rush of claims fills are small, and let PostgreSQL
 * keep its plans once each holds enough rows (claim-plans.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/connection.ts';
import { ClaimPlanMode, GROWING_TABLES } from '../../src/modules/incentives/claim-plans.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.drop());

/** Rows added on one connection, its statistics flushed, and waited for until pg_stat_user_tables shows them. */
async function addRows(sql: Sql, table: string, n: number): Promise<void> {
  const conn = await sql.reserve();
  try {
    await conn.unsafe(`insert into ${table} (v) select g from generate_series(1, ${n}) as g`);
    await conn`select pg_stat_force_next_flush()`;
  } finally {
    conn.release();
  }
  const [{ count }] = (await sql.unsafe(`select count(*)::int as count from ${table}`)) as unknown as [{ count: number }];
  for (let i = 0; i < 100; i++) {
    const [s] = await sql<{ n: number }[]>`select n_live_tup::int as n from pg_stat_user_tables where relname = ${table}`;
    if (s?.n === count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the statistics of ${table} did not show its ${count} rows`);
}

describe('the plan mode of claim batches', () => {
  it('plans afresh on a new brand, whose consumers, verifications and rewards tables are still small', async () => {
    expect(await new ClaimPlanMode(db.sql).refresh()).toBe(true);
  });

  it('watches tables that exist: with no minimum, every one of them is found and cached plans are allowed', async () => {
    // a watched table renamed away would keep the batches planning afresh for ever (slower, never wrong)
    expect(await new ClaimPlanMode(db.sql, { minRows: 0 }).refresh()).toBe(false);
    expect(await new ClaimPlanMode(db.sql, { minRows: 0, tables: [...GROWING_TABLES, 'no_such_table'] }).refresh()).toBe(true);
  });

  it('allows cached plans only once every watched table holds the minimum, and keeps them', async () => {
    await db.sql`create table plan_a (v int)`;
    await db.sql`create table plan_b (v int)`;
    const mode = new ClaimPlanMode(db.sql, { minRows: 3, everyMs: 0, tables: ['plan_a', 'plan_b'] });
    expect(mode.customPlans()).toBe(true);
    await addRows(db.sql, 'plan_a', 2);
    await addRows(db.sql, 'plan_b', 2);
    expect(await mode.refresh()).toBe(true);
    await addRows(db.sql, 'plan_a', 5);
    expect(await mode.refresh()).toBe(true);
    await addRows(db.sql, 'plan_b', 1);
    expect(await mode.refresh()).toBe(false);
    expect(mode.customPlans()).toBe(false);
    await db.sql`delete from plan_b`;
    expect(await mode.refresh()).toBe(false);
  });
});
