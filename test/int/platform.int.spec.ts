import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql, openConnections, type Sql, socketDirectoryOf } from '../../src/db/connection.ts';
import { FreshStatistics } from '../../src/db/fresh-statistics.ts';
import { MigrationError, migrate } from '../../src/db/migrate.ts';
import { oneRoundTripTransaction } from '../../src/db/pipelined.ts';
import { appendAudit, appendAudits, verifyAuditChain } from '../../src/modules/audit/index.ts';
import { login } from '../../src/modules/auth/index.ts';
import { parseGln, parseGtin } from '../../src/platform/gs1.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let db: TestDb;
let tenantId: number;
beforeAll(async () => {
  db = await createTestDb();
  const [t] = await db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = t?.id as number;
});
afterAll(async () => db?.drop());

describe('migrations', () => {
  it('rolls a failing migration back completely and says which file failed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-mig-'));
    fs.writeFileSync(path.join(dir, '0001_ok.sql'), 'create table mig_probe_a (id int);');
    fs.writeFileSync(path.join(dir, '0002_broken.sql'), 'create table mig_probe_b (id int);\nselect no_such_function();');
    await db.sql`create schema if not exists migtest`;
    // a pool of its own with a search path (the URL may name the embedded server's socket directory, as createSql reads it)
    const { url, host } = socketDirectoryOf(db.url);
    const scoped = postgres(url, { host, max: 1, onnotice: () => {}, connection: { search_path: 'migtest' } }) as unknown as Sql;
    const err = await migrate(scoped, { dir }).catch((e) => e);
    await scoped.end();
    expect(err).toBeInstanceOf(MigrationError);
    expect(String(err.message)).toMatch(/0002_broken/);
    const [r] = await db.sql<{ a: string | null; b: string | null }[]>`
      select to_regclass('migtest.mig_probe_a')::text as a, to_regclass('migtest.mig_probe_b')::text as b`;
    expect(r?.a).toBe('migtest.mig_probe_a');
    expect(r?.b).toBeNull();
  });
});

describe('a transaction in one round trip (oneRoundTripTransaction)', () => {
  it('writes every statement and answers each, or on one failure writes none and throws that failure', async () => {
    await db.sql`create table if not exists pipeline_probe (id int primary key)`;
    const ids = await oneRoundTripTransaction(db.sql, (tx) =>
      [1, 2, 3].map((id) => tx<{ id: number }[]>`insert into pipeline_probe values (${id}) returning id`.then((r) => r[0]?.id)),
    );
    expect(ids).toEqual([1, 2, 3]);
    // the second insert collides with row 2: the first and third are rolled back with it
    const failed = oneRoundTripTransaction(db.sql, (tx) => [4, 2, 5].map((id) => tx`insert into pipeline_probe values (${id})`));
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect((await db.sql<{ id: number }[]>`select id from pipeline_probe order by id`).map((r) => r.id)).toEqual([1, 2, 3]);
    // and the pool's connection is clean afterwards: the next transaction works
    expect(await oneRoundTripTransaction(db.sql, (tx) => [tx`insert into pipeline_probe values (6)`.then(() => 6)])).toEqual([6]);
  });
});

describe('the pool', () => {
  it('opens its connections at once when asked, before any burst of requests needs them', async () => {
    const application = `pool-test-${process.pid}`;
    const pool = createSql(db.url, { max: 6, application, idleSeconds: 600 });
    const open = async () =>
      (await db.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where application_name = ${application}`)[0]?.n;
    try {
      expect(await open()).toBe(0);
      await openConnections(pool, 6);
      expect(await open()).toBe(6);
    } finally {
      await pool.end();
    }
  });
});

describe('statistics of tables that grow from nothing (FreshStatistics)', () => {
  it('analyzes a small table once it has doubled since its last analyze, and leaves it to autovacuum once large', async () => {
    await db.sql`create table stats_probe (tenant_id int, id bigint, primary key (tenant_id, id))`;
    await db.sql`analyze stats_probe`;
    const analyzed = async () =>
      Number((await db.sql<{ n: number }[]>`select reltuples::int as n from pg_class where relname = 'stats_probe'`)[0]?.n);
    const keeper = new FreshStatistics(db.sql, ['stats_probe'], { largeRows: 2_000 });
    const refreshed = async () => {
      await keeper.refresh();
      return analyzed();
    };
    await db.sql`insert into stats_probe select 1, g from generate_series(1, 1_500) g`;
    // the row counts reach the statistics views within a second or so of the commit
    await expect.poll(refreshed, { timeout: 15_000 }).toBe(1_500);
    expect(await keeper.refresh()).toBe(false);
    await db.sql`insert into stats_probe select 1, g from generate_series(1_501, 4_000) g`;
    await expect.poll(refreshed, { timeout: 15_000 }).toBe(4_000);
    // analyzed at 4,000 rows, past the 2,000 of a large table: nothing more to do
    expect(await keeper.refresh()).toBe(true);
  });
});

describe('audit log', () => {
  it('chains every entry to the one before, and detects a tampered entry', async () => {
    const who = { tenantId, actorKind: 'system' as const, actorId: null, actorName: 'test', ip: '127.0.0.1' };
    await db.sql.begin((tx) => appendAudit(tx, who, { action: 'test.one', entityType: 'thing', entityId: 1, details: { b: 2, a: 1 } }));
    await db.sql.begin((tx) => appendAudit(tx, who, { action: 'test.two', entityType: 'thing', entityId: 2 }));
    // several at once (a bulk review) chain in order, each to the one before, as one by one would
    await db.sql.begin((tx) =>
      appendAudits(tx, who, [
        { action: 'test.bulk', entityType: 'thing', entityId: 3, details: { note: 'a "quoted", {braced} note' } },
        { action: 'test.bulk', entityType: 'thing', entityId: 4 },
        { action: 'test.bulk', entityType: 'thing', entityId: null, details: { n: [1, 2] } },
      ]),
    );
    const bulk = await db.sql<{ seq: string; entity_id: string | null }[]>`
      select seq::text, entity_id from audit_log where tenant_id = ${tenantId} and action = 'test.bulk' order by seq`;
    expect(bulk.map((r) => r.entity_id)).toEqual(['3', '4', null]);
    expect(Number(bulk[2]?.seq) - Number(bulk[0]?.seq)).toBe(2);
    const ok = await verifyAuditChain(db.sql, tenantId);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThanOrEqual(6);
    // the table refuses updates; a superuser who disables the trigger still cannot hide the change
    await expect(db.sql`update audit_log set action = 'x' where tenant_id = ${tenantId}`).rejects.toThrow(/append-only/);
    await db.sql`alter table audit_log disable trigger audit_log_no_update`;
    await db.sql`update audit_log set details = '{"a":9}' where tenant_id = ${tenantId} and action = 'test.one'`;
    await db.sql`alter table audit_log enable trigger audit_log_no_update`;
    const broken = await verifyAuditChain(db.sql, tenantId);
    expect(broken.ok).toBe(false);
    expect(broken.brokenAt?.reason).toBe('hash mismatch');
  });
});

describe('login', () => {
  it('locks an account after five wrong passwords, even for the right one', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(login(db.sql, { tenant: 'demo', username: 'quality', password: 'wrong-pass1' }, null)).rejects.toMatchObject({
        code: 'auth.invalid_credentials',
      });
    }
    await expect(login(db.sql, { tenant: 'demo', username: 'quality', password: 'Demo#2026' }, null)).rejects.toMatchObject({
      code: 'auth.locked',
    });
    const [u] = await db.sql<
      { password_hash: string }[]
    >`select password_hash from users where tenant_id = ${tenantId} and username = 'quality'`;
    expect(u?.password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('GS1 identifiers', () => {
  it('accepts valid GTINs as GTIN-14 and refuses a wrong check digit', () => {
    expect(parseGtin('6901234567892')).toEqual({ ok: true, value: '06901234567892' });
    expect(parseGtin('6901234567891')).toEqual({ ok: false, code: 'gtin.check_digit' });
    expect(parseGtin('12345')).toEqual({ ok: false, code: 'gtin.format' });
    expect(parseGln('6934560000016').ok).toBe(true);
    expect(parseGln('6934560000015')).toEqual({ ok: false, code: 'gln.check_digit' });
  });
});
