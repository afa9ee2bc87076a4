import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { runSigkillHarness } from '../support/sigkill-harness.ts';

/**
 * The server killed with SIGKILL while captures and orders pour in, three times (a hundred with
 * `npm run sigkill -- 100`; docs/RELIABILITY.md): nothing acknowledged is lost, nothing is stored twice, no capture
 * document is half-written, every order has its lines, the ledger balances, and what was sent again is stored once.
 */
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.drop());

describe('SIGKILL under capture and ordering', () => {
  it('loses nothing acknowledged, duplicates nothing, half-writes nothing', { timeout: 300_000 }, async () => {
    const counts = await runSigkillHarness({ sql: db.sql, url: db.url, rounds: 3, port: 4800 + Math.floor(Math.random() * 400) });
    console.log(`SIGKILL harness: ${JSON.stringify(counts)}`);
    expect(counts.rounds).toBe(3);
    expect(counts.capturesAcknowledged + counts.ordersAcknowledged).toBeGreaterThan(0);
    expect(counts).toMatchObject({
      capturesLost: 0,
      capturesHalfWritten: 0,
      eventsDuplicated: 0,
      ordersLost: 0,
      ordersDuplicated: 0,
      ordersWithoutLines: 0,
      ledgerUnbalanced: 0,
      retriesNotStoredOnce: 0,
    });
  });
});
