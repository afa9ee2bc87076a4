import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookPoints, consumerFor, consumerOf, identifierHasher, pointsBalance } from '../../src/modules/consumers/index.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/** The consumers foundation: one consumer per identifier even under concurrency, and a points ledger that counts once. */
let db: TestDb;
let tenant: number;
const hash = identifierHasher(Buffer.alloc(32, 7));

beforeAll(async () => {
  db = await createTestDb();
  const [t] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
});
afterAll(async () => db?.drop());

describe('consumer identities', () => {
  it('hashes identifiers by kind, never storing the value', async () => {
    expect(hash('device', 'a')).not.toEqual(hash('phone', 'a'));
    expect(hash('phone', '13800000000')).toEqual(hash('phone', '13800000000'));
    const id = await consumerFor(db.sql, tenant, 'phone', hash('phone', '13800000000'), 'otp');
    const stored = await db.sql`select * from consumer_identifiers where tenant_id = ${tenant} and consumer_id = ${id}`;
    expect(JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('13800000000');
  });

  it('creates one consumer when twenty first scans of one device arrive at once', async () => {
    const device = hash('device', crypto.randomUUID());
    const ids = await Promise.all(Array.from({ length: 20 }, () => consumerFor(db.sql, tenant, 'device', device, 'cookie')));
    expect(new Set(ids).size).toBe(1);
    const [n] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from consumers c where tenant_id = ${tenant}
        and not exists (select 1 from consumer_identifiers i where i.tenant_id = c.tenant_id and i.consumer_id = c.id)`;
    expect(n?.n).toBe(0);
    expect(await consumerOf(db.sql, tenant, 'device', device)).toBe(ids[0]);
  });

  it('answers for a merged consumer with the one it was merged into', async () => {
    const a = await consumerFor(db.sql, tenant, 'device', hash('device', 'merge-a'), 'cookie');
    const b = await consumerFor(db.sql, tenant, 'device', hash('device', 'merge-b'), 'cookie');
    await db.sql`update consumers set merged_into = ${b} where tenant_id = ${tenant} and id = ${a}`;
    expect(await consumerOf(db.sql, tenant, 'device', hash('device', 'merge-a'))).toBe(b);
  });
});

describe('points ledger', () => {
  it('books an award once however often it is retried, and refuses a spend beyond the balance', async () => {
    const c = await consumerFor(db.sql, tenant, 'device', hash('device', 'points'), 'cookie');
    const award = { tenantId: tenant, consumerId: c, delta: 50, kind: 'earn' as const, source: 'test:award:1' };
    const booked = await Promise.all([bookPoints(db.sql, award), bookPoints(db.sql, award), bookPoints(db.sql, award)]);
    expect(booked.filter(Boolean)).toHaveLength(1);
    expect(await pointsBalance(db.sql, tenant, c)).toBe(50);
    await expect(
      db.sql.begin((tx) => bookPoints(tx, { tenantId: tenant, consumerId: c, delta: -60, kind: 'spend', source: 'test:spend:1' })),
    ).rejects.toMatchObject({ code: '23514' });
    expect(await pointsBalance(db.sql, tenant, c)).toBe(50);
    expect(await bookPoints(db.sql, { tenantId: tenant, consumerId: c, delta: -20, kind: 'spend', source: 'test:spend:2' })).toBe(true);
    expect(await pointsBalance(db.sql, tenant, c)).toBe(30);
    const [sum] = await db.sql<
      { s: number }[]
    >`select sum(delta)::int as s from points_entries where tenant_id = ${tenant} and consumer_id = ${c}`;
    expect(sum?.s).toBe(30);
  });
});
