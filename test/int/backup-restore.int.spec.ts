import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/db/backup/backup.ts';
import { tablesWithRows } from '../../src/db/backup/catalog.ts';
import { restoreBackup, verifyBackupFile } from '../../src/db/backup/restore.ts';
import { createSql, type Sql } from '../../src/db/connection.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { verifyAuditChain } from '../../src/modules/audit/index.ts';
import { rebuildProjections } from '../../src/modules/trace/rebuild.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { captureOverHttp } from '../support/epcis.ts';
import { withDatabase } from '../support/global-setup.ts';

/**
 * Backup while the brand keeps scanning, restore into a new PostgreSQL, and the projections checked against the
 * ledger. The data is made the way users make it: a code batch, a pallet's life from the line to a store, an order,
 * a stock count correction; a capture loop keeps posting packing documents while the backup runs.
 */
const UNIT_GTIN = '06901234001013';
const CASE_GTIN = '16901234001010';
const PALLET_GTIN = '26901234001017';
const LOT = 'LBK0301';
const unit = (i: number) => `https://id.gs1.org/01/${UNIT_GTIN}/21/BK${String(i).padStart(4, '0')}`;
const caseCode = (i: number) => `https://id.gs1.org/01/${CASE_GTIN}/21/BKC${i}`;
const pallet = `https://id.gs1.org/01/${PALLET_GTIN}/21/BKP1`;
const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
const time = (minute: number) => new Date(Date.parse('2026-03-01T08:00:00Z') + minute * 60_000).toISOString();
/** the tables the capture loop writes to: the only ones that may differ between the source now and the backup */
// (analytics_changes: the changes the loop's stock writes queue for the analytics facts)
const LOOP_TABLES = ['capture_jobs', 'epcis_events', 'event_epcs', 'code_state', 'containment', 'stock', 'analytics_changes'];

let server: TestServer;
let token: string;
let gln: Record<string, string>;
let target: EmbeddedServer;
let restored: Sql;
const dir = path.resolve(`${process.env.TEST_DATA_DIR ?? '.data/test'}-backup-restore`);
const file = path.join(dir, 'all.tlb');
/** a backup of the seeded database, taken before any test runs */
const seeded = path.join(dir, 'seeded.tlb');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Runs the real CLI in a process of its own against `databaseUrl`. */
function cli(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/throughline.js', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function api(user: string, method: string, url: string, body?: unknown) {
  const r = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${await loginAs(server.baseUrl, user)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** An order-independent fingerprint of each table's rows (count and sum of row hashes). */
async function fingerprints(sql: Sql): Promise<Map<string, string>> {
  const tables = await sql<{ name: string }[]>`
    select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'`;
  const out = new Map<string, string>();
  for (const { name } of tables) {
    const [r] = await sql.unsafe<{ f: string }[]>(
      `select count(*) || ':' || coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0) as f from public."${name}" t`,
    );
    out.set(name, r?.f ?? '');
  }
  return out;
}

async function emptyDatabase(name: string): Promise<{ sql: Sql; url: string }> {
  const admin = createSql(target.url, { max: 1 });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = withDatabase(target.url, name);
  return { sql: createSql(url, { max: 4 }), url };
}

beforeAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  // the analytics projector writes on its own clock: off, so the tables the loop does not write stay still
  server = await startTestServer({ webhooks: { worker: false }, analytics: { projector: false } });
  token = await loginAs(server.baseUrl, 'admin');
  const rows = await server.db.sql<{ code: string; gln: string }[]>`
    select p.code, p.gln from parties p join tenants t on t.id = p.tenant_id
    where t.code = 'demo' and p.code in ('F01', 'D0001', 'S000001')`;
  gln = Object.fromEntries(rows.map((r) => [r.code, r.gln]));
  const [product] = await server.db.sql<{ sku: string }[]>`
    select p.sku from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id
    join tenants t on t.id = p.tenant_id where t.code = 'demo' and l.gtin = ${UNIT_GTIN}`;
  const sku = product?.sku as string;

  expect((await api('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT_GTIN, quantity: 1000, note: 'backup test' })).status).toBe(201);
  const units = Array.from({ length: 48 }, (_, i) => unit(i));
  const capture = (events: object[]) => captureOverHttp(server.baseUrl, token, events);
  await capture([
    {
      type: 'ObjectEvent',
      eventTime: time(0),
      eventTimeZoneOffset: '+08:00',
      epcList: [...units, caseCode(1), caseCode(2), pallet],
      action: 'ADD',
      bizStep: 'commissioning',
      bizLocation: at(gln.F01 as string),
      ilmd: { 'cbvmda:lotNumber': LOT },
    },
    ...[1, 2].map((c) => ({
      type: 'AggregationEvent',
      eventTime: time(c),
      eventTimeZoneOffset: '+08:00',
      parentID: caseCode(c),
      childEPCs: units.slice((c - 1) * 24, c * 24),
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at(gln.F01 as string),
    })),
    {
      type: 'AggregationEvent',
      eventTime: time(3),
      eventTimeZoneOffset: '+08:00',
      parentID: pallet,
      childEPCs: [caseCode(1), caseCode(2)],
      action: 'ADD',
      bizStep: 'packing',
      bizLocation: at(gln.F01 as string),
    },
  ]);
  const move = (minute: number, epcs: string[], bizStep: string, where: string, to?: string) => ({
    type: 'ObjectEvent',
    eventTime: time(minute),
    eventTimeZoneOffset: '+08:00',
    epcList: epcs,
    action: 'OBSERVE',
    bizStep,
    bizLocation: at(gln[where] as string),
    ...(to ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln[to]}` }] } : {}),
  });
  await capture([move(10, [pallet], 'shipping', 'F01', 'D0001')]);
  await capture([move(20, [pallet], 'receiving', 'D0001')]);
  await capture([
    {
      type: 'AggregationEvent',
      eventTime: time(30),
      eventTimeZoneOffset: '+08:00',
      parentID: pallet,
      action: 'DELETE',
      bizStep: 'unpacking',
      bizLocation: at(gln.D0001 as string),
    },
  ]);
  await capture([move(40, [caseCode(2)], 'shipping', 'D0001', 'S000001')]);
  await capture([move(50, [caseCode(2)], 'receiving', 'S000001')]);
  await capture([move(60, [unit(30)], 'retail_selling', 'S000001')]);
  // a count found five more units of the lot at the distributor
  expect(
    (await api('admin', 'POST', '/api/v1/stock/adjustments', { party: 'D0001', sku, lot: LOT, delta: 5, reason: 'found' })).status,
  ).toBe(201);
  // an order: the brand's price list, the distributor's funds, the distributor orders
  expect(
    (await api('admin', 'POST', '/api/v1/price-lists', { code: 'BASE', name: '基础价', scope: 'base', items: [{ sku, priceFen: 1200 }] }))
      .status,
  ).toBe(201);
  expect((await api('admin', 'POST', '/api/v1/funds/deposits', { party: 'D0001', amountFen: 1_000_000 })).status).toBe(200);
  expect((await api('distributor', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: 48 }] })).status).toBe(201);

  await writeBackup(server.db.sql, seeded);
  target = await startEmbeddedPostgres({ dataDir: path.join(dir, 'target'), port: await freePort() });
  restored = createSql(target.url, { max: 4 });
}, 120_000);

afterAll(async () => {
  await restored?.end();
  await target?.stop();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('backs up while captures go on, and the restore holds exactly one instant of it, checked', async () => {
    // a line keeps packing: each document commissions 24 units and a case and packs them
    let acknowledged = 0;
    let stop = false;
    const loop = (async () => {
      for (let d = 0; !stop; d++) {
        const units = Array.from({ length: 24 }, (_, i) => `https://id.gs1.org/01/${UNIT_GTIN}/21/LP${d}-${i}`);
        const box = `https://id.gs1.org/01/${CASE_GTIN}/21/LPC${d}`;
        await captureOverHttp(server.baseUrl, token, [
          {
            type: 'ObjectEvent',
            eventTime: time(100 + 2 * d),
            eventTimeZoneOffset: '+08:00',
            epcList: [...units, box],
            action: 'ADD',
            bizStep: 'commissioning',
            bizLocation: at(gln.F01 as string),
            ilmd: { 'cbvmda:lotNumber': 'LLOOP' },
          },
          {
            type: 'AggregationEvent',
            eventTime: time(101 + 2 * d),
            eventTimeZoneOffset: '+08:00',
            parentID: box,
            childEPCs: units,
            action: 'ADD',
            bizStep: 'packing',
            bizLocation: at(gln.F01 as string),
          },
        ]);
        acknowledged++;
      }
    })();
    while (acknowledged < 3) await new Promise((r) => setTimeout(r, 20));
    const before = acknowledged;
    const backup = await cli(['backup', '--out', file], server.db.url);
    const after = acknowledged;
    stop = true;
    await loop;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backup written to .*all\.tlb: \d+ tables, [\d,]+ rows/);
    expect(after).toBeGreaterThan(before);

    const restore = await cli(['restore', file], target.url);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toContain('row counts: all');
    expect(restore.stdout).toContain('audit chain: intact');
    expect(restore.stdout).toContain('integrity check passed');

    // every table holds what the manifest recorded
    const { header, trailer } = await verifyBackupFile(file);
    for (const t of trailer.tables) {
      const [r] = await restored.unsafe<{ n: number }[]>(`select count(*)::int as n from public."${t.name}"`);
      expect({ table: t.name, rows: r?.n }).toEqual({ table: t.name, rows: t.rows });
    }
    expect(trailer.tables.find((t) => t.name === 'orders')?.rows).toBeGreaterThan(0);
    const [seq] = await restored<{ v: number }[]>`select last_value::float8 as v from epcis_event_ids`;
    expect(seq?.v).toBe(header.sequences.find((s) => s.name === 'epcis_event_ids')?.value);

    // one instant: the loop's documents acknowledged before the backup began are in it, none is there in part
    const [loopDocs] = await restored<
      { n: number }[]
    >`select count(*)::int as n from epcis_events where biz_step = 'packing' and body->>'parentID' like '%/LPC%'`;
    expect(loopDocs?.n).toBeGreaterThanOrEqual(before);
    expect(loopDocs?.n).toBeLessThanOrEqual(after);
    const [partial] = await restored<{ n: number }[]>`
      select count(*)::int as n from capture_jobs j
      where j.new_events <> (select count(*) from epcis_events e where e.tenant_id = j.tenant_id and e.capture_id = j.id)`;
    expect(partial?.n).toBe(0);

    // the same rows as the source: the tables the loop does not write are equal, the loop's hold a subset of the source's
    const source = await fingerprints(server.db.sql);
    const copy = await fingerprints(restored);
    const differing = [...source.keys()].filter((t) => source.get(t) !== copy.get(t));
    expect(differing.filter((t) => !LOOP_TABLES.includes(t))).toEqual([]);
    const hashes = (await restored<{ h: string }[]>`select event_hash as h from epcis_events`).map((r) => r.h);
    const [inSource] = await server.db.sql<
      { n: number }[]
    >`select count(*)::int as n from epcis_events where event_hash = any(${hashes}::text[])`;
    expect(inSource?.n).toBe(hashes.length);

    // the audit chain verifies, and the projections equal what the restored ledger says
    expect((await verifyAuditChain(restored)).ok).toBe(true);
    const check = await rebuildProjections(target.url);
    for (const p of check.projections) expect({ name: p.name, differing: p.differing }).toEqual({ name: p.name, differing: 0 });
    expect(check.projections.find((p) => p.name === 'code_state')?.rows).toBeGreaterThan(48);

    // a backup of the restored database is the same, table by table, checksum for checksum
    const again = await writeBackup(restored, path.join(dir, 'again.tlb'));
    expect(again.trailer.tables.map((t) => [t.name, t.rows, t.sha256])).toEqual(trailer.tables.map((t) => [t.name, t.rows, t.sha256]));
  }, 180_000);

  it('refuses to restore into a database that holds data, and changes nothing', async () => {
    const before = await fingerprints(server.db.sql);
    const r = await cli(['restore', seeded], server.db.url);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the database is not empty \(.*\): a restore only goes into an empty database, so nothing was changed/);
    expect(await fingerprints(server.db.sql)).toEqual(before);
  }, 60_000);

  it('refuses a truncated or damaged file with a clear error, leaves no data behind, and a sound file then restores', async () => {
    const db = await emptyDatabase('damaged');
    try {
      const whole = fs.readFileSync(seeded);
      const truncated = path.join(dir, 'truncated.tlb');
      fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
      const r = await cli(['restore', truncated], db.url);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error: (damaged or truncated backup file|truncated backup file)/);
      expect(await tablesWithRows(db.sql, new Set())).toEqual([]);

      // one byte of one table changed, in a file whose compression is intact: the table's checksum tells
      const plain = zlib.gunzipSync(whole);
      const at = plain.indexOf(Buffer.from('LBK0301'));
      plain[at] = 'X'.charCodeAt(0);
      const altered = path.join(dir, 'altered.tlb');
      fs.writeFileSync(altered, zlib.gzipSync(plain));
      await expect(restoreBackup(db.sql, altered)).rejects.toThrow(/damaged backup file: table \w+ read \d+ rows, \d+ bytes \(sha256/);
      expect(await tablesWithRows(db.sql, new Set())).toEqual([]);
      expect((await cli(['restore', '--check', altered], db.url)).code).toBe(2);

      // a byte changed into one that is not UTF-8: whichever notices first, PostgreSQL refusing the table's rows (the
      // table's checksum comes after them) or the checksum, it is said to be a damaged file
      const notUtf8 = zlib.gunzipSync(whole);
      notUtf8[notUtf8.indexOf(Buffer.from('LBK0301'))] = 0xe9;
      const refused = path.join(dir, 'not-utf8.tlb');
      fs.writeFileSync(refused, zlib.gzipSync(notUtf8));
      await expect(restoreBackup(db.sql, refused)).rejects.toThrow(
        /damaged backup file: (the rows of table \w+ were refused \(invalid byte sequence|table \w+ read \d+ rows)/,
      );
      expect(await tablesWithRows(db.sql, new Set())).toEqual([]);

      // bytes flipped inside the compressed stream
      const flipped = Buffer.from(whole);
      const middle = Math.floor(flipped.length / 2);
      for (let i = middle; i < middle + 16; i++) flipped.writeUInt8(flipped.readUInt8(i) ^ 0xff, i);
      const corrupt = path.join(dir, 'corrupt.tlb');
      fs.writeFileSync(corrupt, flipped);
      await expect(restoreBackup(db.sql, corrupt)).rejects.toThrow(/damaged|truncated/);
      expect(await tablesWithRows(db.sql, new Set())).toEqual([]);

      const ok = await restoreBackup(db.sql, seeded);
      expect(ok.trailer.rows).toBeGreaterThan(0);
    } finally {
      await db.sql.end();
    }
  }, 120_000);

  it('backs up one tenant: its rows and the reference data, restorable on their own', async () => {
    const out = path.join(dir, 'other.tlb');
    const b = await writeBackup(server.db.sql, out, { tenant: 'other' });
    expect(b.header.tenant?.code).toBe('other');
    const db = await emptyDatabase('one_tenant');
    try {
      await restoreBackup(db.sql, out);
      expect(await db.sql`select code from tenants`).toEqual([{ code: 'other' }]);
      const [parties] = await db.sql<{ n: number }[]>`select count(*)::int as n from parties`;
      const [source] = await server.db.sql<{ n: number }[]>`
        select count(*)::int as n from parties p join tenants t on t.id = p.tenant_id where t.code = 'other'`;
      expect(parties?.n).toBe(source?.n);
      const [divisions] = await db.sql<{ n: number }[]>`select count(*)::int as n from divisions`;
      expect(divisions?.n).toBeGreaterThan(3000);
      expect((await verifyAuditChain(db.sql)).ok).toBe(true);
    } finally {
      await db.sql.end();
    }
  }, 60_000);
});

describe('projections', () => {
  it('verify finds a projection damaged by hand, and rebuild repairs it from the ledger', async () => {
    const sql = server.db.sql;
    const [caseRow] = await sql`select * from code_state where epc = ${caseCode(2)}`;
    const [stockRow] = await sql`select * from stock where lot = ${LOT} and on_hand > 0 order by holder_party_id limit 1`;
    await sql`update code_state set status = 'destroyed' where epc = ${caseCode(2)}`;
    await sql`delete from stock where tenant_id = ${stockRow?.tenant_id} and holder_party_id = ${stockRow?.holder_party_id} and gtin = ${stockRow?.gtin} and lot = ${LOT}`;
    await sql`update containment set unpacked_at = packed_at where child_epc = ${unit(3)}`;

    const found = await rebuildProjections(server.db.url);
    const differing = Object.fromEntries(found.projections.map((p) => [p.name, p.differing]));
    expect(differing).toEqual({ code_state: 1, containment: 1, stock: 1, sell_through_daily: 0, monthly_city_shipments: 0 });
    const sample = found.projections.find((p) => p.name === 'code_state')?.samples[0];
    expect(sample?.live?.status).toBe('destroyed');
    expect(sample?.rebuilt?.status).toBe(caseRow?.status);

    const verify = await cli(['projections', 'verify'], server.db.url);
    expect(verify.code).toBe(5);
    expect(verify.stdout).toMatch(/stock\s+\d+ rows {2}1 rows DIFFER from the ledger/);

    // repairing one leaves the others as they are
    const stock = await cli(['projections', 'rebuild', 'stock'], server.db.url);
    expect(stock.code, stock.stderr).toBe(0);
    expect(stock.stdout).toMatch(/stock\s+\d+ rows {2}1 rows DIFFER from the ledger \(repaired: 0 rows removed, 1 written\)/);
    const [back] =
      await sql`select * from stock where tenant_id = ${stockRow?.tenant_id} and holder_party_id = ${stockRow?.holder_party_id} and gtin = ${stockRow?.gtin} and lot = ${LOT}`;
    expect(back).toEqual(stockRow);
    const still = await rebuildProjections(server.db.url, { names: ['code_state', 'stock'] });
    expect(still.projections.map((p) => [p.name, p.differing])).toEqual([
      ['code_state', 1],
      ['stock', 0],
    ]);

    const all = await rebuildProjections(server.db.url, { apply: true });
    expect(all.projections.map((p) => p.differing)).toEqual([1, 1, 0, 0, 0]);
    const [caseAfter] = await sql`select * from code_state where epc = ${caseCode(2)}`;
    expect(caseAfter).toEqual(caseRow);
    const clean = await cli(['projections', 'verify'], server.db.url);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).not.toContain('DIFFER');
  }, 120_000);
});
