import { randomBytes, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerFor, identifierHasher } from '../../src/modules/consumers/index.ts';
import { mergeConsumers } from '../../src/modules/consumers/merge.ts';
import { deletePersonalData } from '../../src/modules/consumers/profiles.ts';
import { consumerSegmentsJob } from '../../src/modules/consumers/rfm/segments-job.ts';
import { JobRegistry, JobRunner } from '../../src/platform/jobs/index.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * Segments (客户分层) through the API: the RFM of the stores in the caller's scope from their orders, and of the
 * brand's consumers from their scans. Orders and scans are written with chosen times, so every figure below is
 * worked out by hand from the recipe (snapshot at midnight, Asia/Shanghai, two days after the last purchase).
 * Consumer segments are a snapshot a refresh job writes: this file runs that job with a runner of its own, started
 * when a test wants the queued refresh to run.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const masterKey = randomBytes(32);
const registry = new JobRegistry();
registry.register(consumerSegmentsJob(masterKey));
/** Runs the refreshes queued so far, and returns once the brand's latest has ended. */
async function runRefresh(): Promise<Record<string, unknown>> {
  const runner = new JobRunner(server.db.sql, registry, { pollMs: 50, progressMs: 0 });
  await runner.start();
  try {
    await expect
      .poll(async () => (await call('admin', 'GET', '/api/v1/segments/consumers?limit=1')).body.refresh?.status, { timeout: 20_000 })
      .toMatch(/^(succeeded|failed|cancelled)$/);
  } finally {
    await runner.stop();
  }
  return (await call('admin', 'GET', '/api/v1/segments/consumers?limit=1')).body.refresh;
}
let tenant: number;
const own: string[] = [];
const other: string[] = [];

async function orderAt(buyer: string, seller: number, at: string, totalFen: number, status = 'approved') {
  await server.db.sql`
    insert into orders (tenant_id, order_no, buyer_party_id, seller_party_id, status, total_fen, created_by, created_at)
    select ${tenant}, ${`T${randomUUID()}`}, p.id, ${seller}, ${status}, ${totalFen}, 'test', ${at}::timestamptz
    from parties p where p.tenant_id = ${tenant} and p.code = ${buyer}`;
}

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { worker: false }, masterKey });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const [d] = await sql<{ id: string }[]>`
    select p.id::text from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'distributor'`;
  const distributor = Number(d?.id);
  const [brand] = await sql<{ id: string }[]>`select id::text from parties where tenant_id = ${tenant} and kind = 'brand'`;
  for (const r of await sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'store' and parent_id = ${distributor} order by code limit 4`)
    own.push(r.code);
  const [d2] = await sql<{ id: string; code: string }[]>`
    select id::text, code from parties where tenant_id = ${tenant} and kind = 'distributor' and id <> ${distributor}
      and not (${distributor} = any(ancestors)) and exists (select 1 from parties s where s.parent_id = parties.id and s.kind = 'store')
    order by code limit 1`;
  for (const r of await sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'store' and parent_id = ${Number(d2?.id)} order by code limit 3`)
    other.push(r.code);
  expect(own).toHaveLength(4);
  expect(other).toHaveLength(3);
  const [s1, s2, s3, s4] = own as [string, string, string, string];
  const [t1, t2, t3] = other as [string, string, string];
  // the distributor's stores, ordering from it
  await orderAt(s1, distributor, '2026-11-01T10:00:00+08:00', 10_000);
  await orderAt(s1, distributor, '2026-11-20T10:00:00+08:00', 20_000);
  await orderAt(s1, distributor, '2026-11-30T10:00:00+08:00', 5_000);
  await orderAt(s1, Number(brand?.id), '2026-11-25T10:00:00+08:00', 99_900); // from the brand: not the distributor's
  await orderAt(s1, distributor, '2026-11-29T10:00:00+08:00', 777, 'rejected');
  await orderAt(s2, distributor, '2026-10-15T10:00:00+08:00', 3_000);
  await orderAt(s3, distributor, '2026-11-10T10:00:00+08:00', 4_000);
  await orderAt(s3, distributor, '2026-11-28T10:00:00+08:00', 6_000, 'received');
  await orderAt(s4, distributor, '2026-11-28T10:00:00+08:00', 8_000, 'cancelled');
  // another distributor's stores
  await orderAt(t1, Number(d2?.id), '2026-11-30T23:30:00+08:00', 50_000);
  await orderAt(t2, Number(d2?.id), '2026-09-01T10:00:00+08:00', 1_000);
  for (const day of ['01', '05', '09', '13', '17']) await orderAt(t3, Number(d2?.id), `2026-11-${day}T09:00:00+08:00`, 2_000);
});

afterAll(async () => {
  await server?.close();
});

describe('store segments', () => {
  it('a distributor sees its own stores, scored on the orders placed with it', async () => {
    const r = await call('distributor', 'GET', '/api/v1/segments/stores?limit=1000');
    expect(r.status).toBe(200);
    // last order 2026-11-30 10:00 (Shanghai): snapshot 2026-12-02 00:00 Shanghai
    expect(r.body.snapshot).toBe('2026-12-01T16:00:00.000Z');
    expect(r.body.population).toBe(3);
    expect(r.body.monetaryUnit).toBe('fen');
    const [s1, s2, s3] = own;
    // recency 1 / 47 / 3 days; orders 3 / 1 / 2; fen 35,000 / 3,000 / 10,000 (the brand's order, the rejected and
    // the cancelled ones do not count; s4 has no order left and is no buyer). Quintile edges worked out by hand:
    // recency 1, 1.8, 2.6, 11.8, 29.4, 47; frequency ranks 1, 1.4, ..., 3; monetary 3000, 5800, 8600, 15000, 25000, 35000
    expect(
      r.body.rows.map((x: Record<string, unknown>) => [
        x.code,
        x.recency,
        x.frequency,
        x.monetary,
        x.rScore,
        x.fScore,
        x.mScore,
        x.segment,
      ]),
    ).toEqual([
      [s1, 1, 3, 35_000, 5, 5, 5, 'champions'],
      [s2, 47, 1, 3_000, 1, 1, 1, 'hibernating'],
      [s3, 3, 2, 10_000, 3, 3, 3, 'need_attention'],
    ]);
    expect(r.body.rows.some((x: { code: string }) => other.includes(x.code))).toBe(false);
    const sizes = Object.fromEntries(r.body.segments.map((s: { segment: string; members: number }) => [s.segment, s.members]));
    expect(sizes).toMatchObject({ champions: 1, hibernating: 1, need_attention: 1, loyal_customers: 0 });
    expect(r.body.grid).toHaveLength(25);
    expect(r.body.grid.find((c: { r: number; f: number }) => c.r === 5 && c.f === 5).members).toBe(1);
    expect(r.body.grid.reduce((a: number, c: { members: number }) => a + c.members, 0)).toBe(3);
  });

  it('the brand sees every store with orders, with all their orders, and filters and pages by segment', async () => {
    const r = await call('admin', 'GET', '/api/v1/segments/stores?limit=1000');
    expect(r.status).toBe(200);
    // t1's order at 23:30 on the 30th (Shanghai) is the last: still the same business day, same snapshot
    expect(r.body.snapshot).toBe('2026-12-01T16:00:00.000Z');
    expect(r.body.population).toBe(6);
    const byCode = Object.fromEntries(r.body.rows.map((x: { code: string }) => [x.code, x]));
    expect(byCode[own[0]!]).toMatchObject({ frequency: 4, monetary: 134_900, recency: 1 });
    expect(byCode[other[0]!]).toMatchObject({ frequency: 1, monetary: 50_000, recency: 1 });
    expect(byCode[own[3]!]).toBeUndefined();
    expect(r.body.segments.reduce((a: number, s: { members: number }) => a + s.members, 0)).toBe(6);
    const seg = byCode[own[0]!].segment;
    const only = await call('admin', 'GET', `/api/v1/segments/stores?segment=${seg}&limit=1`);
    expect(only.body.total).toBe(r.body.rows.filter((x: { segment: string }) => x.segment === seg).length);
    expect(only.body.rows).toHaveLength(1);
    expect(only.body.rows[0].segment).toBe(seg);
    expect(only.body.population).toBe(6);
  });

  it('exports the stores in scope to Excel', async () => {
    const token = await loginAs(server.baseUrl, 'distributor');
    const res = await fetch(`${server.baseUrl}/api/v1/segments/stores/export`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(2).getCell(1).value).toBe(own[0]);
    expect(ws.getRow(2).values).toContain('重要价值 Champions');
  });

  it('is refused to roles without it, and bad queries are refused with a pointer', async () => {
    for (const user of ['store', 'clerk', 'quality', 'line']) expect((await call(user, 'GET', '/api/v1/segments/stores')).status).toBe(403);
    const bad = await call('admin', 'GET', '/api/v1/segments/stores?segment=whales&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(new Set(problems(bad).map(([p]) => p))).toEqual(new Set(['/query/segment', '/query/limit']));
  });
});

describe('consumer segments', () => {
  it('are empty until a first refresh, and cannot be exported before it', async () => {
    const r = await call('planner', 'GET', '/api/v1/segments/consumers');
    expect(r.status).toBe(200);
    expect([r.body.computedAt, r.body.refresh, r.body.population, r.body.rows]).toEqual([null, null, 0, []]);
    expect(r.body.segments).toHaveLength(10);
    expect(r.body.grid).toHaveLength(25);
    const planner = await loginAs(server.baseUrl, 'planner');
    const res = await fetch(`${server.baseUrl}/api/v1/segments/consumers/export`, { headers: { authorization: `Bearer ${planner}` } });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('segments.not_computed');
  });

  it('scores consumers on their scans: days with a scan, distinct units at the base list price', async () => {
    const sql = server.db.sql;
    const products = await sql<{ sku: string; gtin: string; list_price_fen: string }[]>`
      select p.sku, pl.gtin, p.list_price_fen::text from products p
      join packaging_levels pl on pl.tenant_id = p.tenant_id and pl.product_id = p.id and pl.level = 'unit'
      where p.tenant_id = ${tenant} and p.list_price_fen > 0 order by p.sku limit 2`;
    const [a, b] = [products[0]!, products[1]!];
    expect(
      (
        await call('admin', 'POST', '/api/v1/price-lists', {
          code: 'RFM-BASE',
          name: '基础价',
          scope: 'base',
          items: [{ sku: a.sku, priceFen: 1234 }],
        })
      ).status,
    ).toBe(201);
    const epc = (gtin: string, serial: string) => `https://id.gs1.org/01/${gtin}/21/${serial}`;
    const [devA, devB, devC] = [randomUUID(), randomUUID(), randomUUID()];
    const scan = (device: string, code: string, at: string, verdict = 'genuine_first') =>
      sql`insert into consumer_scans (tenant_id, epc, scanned_at, verdict, ip_hash, device_id)
          values (${tenant}, ${code}, ${at}::timestamptz, ${verdict}, ${Buffer.alloc(32)}, ${device}::uuid)`;
    // device A (a known consumer): a unit of A scanned twice on one day, another unit of A on a later day
    await scan(devA, epc(a.gtin, 'RFM1'), '2026-11-20T09:00:00+08:00');
    await scan(devA, epc(a.gtin, 'RFM1'), '2026-11-20T21:00:00+08:00', 'genuine_repeat');
    await scan(devA, epc(a.gtin, 'RFM2'), '2026-11-28T12:00:00+08:00');
    // device B (anonymous): one unit of B, priced from the catalogue (no base list entry)
    await scan(devB, epc(b.gtin, 'RFM3'), '2026-11-01T12:00:00+08:00');
    // device C: only an unknown code, no purchase
    await scan(devC, epc('06999999999999', 'NOPE'), '2026-11-29T12:00:00+08:00', 'unknown');
    const consumer = await consumerFor(sql, tenant, 'device', identifierHasher(masterKey)('device', devA), 'cookie');
    // device D: the same person's other phone, its consumer merged into A's (one member: three days, three units)
    const devD = randomUUID();
    await scan(devD, epc(a.gtin, 'RFM4'), '2026-11-25T12:00:00+08:00');
    const other = await consumerFor(sql, tenant, 'device', identifierHasher(masterKey)('device', devD), 'cookie');
    await sql.begin((tx) => mergeConsumers(tx, tenant, other, consumer, 'otp', 'phone'));

    // a refresh is queued once: a second click, or a second analyst, gets the one under way
    const started = await call('admin', 'POST', '/api/v1/segments/consumers/refresh');
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('queued');
    const again = await call('planner', 'POST', '/api/v1/segments/consumers/refresh');
    expect([again.status, again.body.id]).toEqual([200, started.body.id]);
    const waiting = await call('planner', 'GET', '/api/v1/segments/consumers');
    expect([waiting.body.computedAt, waiting.body.refresh.status, waiting.body.refresh.id]).toEqual([null, 'queued', started.body.id]);
    expect((await runRefresh()).status).toBe('succeeded');

    const r = await call('admin', 'GET', '/api/v1/segments/consumers');
    expect(r.status).toBe(200);
    expect(Date.parse(r.body.computedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.body.refresh.progress.percent).toBe(100);
    expect(r.body.monetaryUnit).toBe('fen');
    expect(r.body.snapshot).toBe('2026-11-29T16:00:00.000Z');
    expect(r.body.population).toBe(2);
    expect(r.body.rows.map((x: Record<string, unknown>) => [x.consumerId, x.device, x.recency, x.frequency, x.units, x.monetary])).toEqual([
      [consumer, null, 1, 3, 3, 3 * 1234],
      [null, devB.slice(0, 8), 28, 1, 1, Number(b.list_price_fen)],
    ]);
    expect(r.body.rows.map((x: Record<string, unknown>) => [x.key, x.rScore, x.fScore, x.segment])).toEqual([
      [`C${consumer}`, 5, 5, 'champions'],
      [`D${devB.slice(0, 8)}`, 1, 1, 'hibernating'],
    ]);
    expect(r.body.segments.filter((s: { members: number }) => s.members)).toEqual([
      { segment: 'champions', members: 1, monetary: 3 * 1234 },
      { segment: 'hibernating', members: 1, monetary: Number(b.list_price_fen) },
    ]);
    expect(r.body.grid.filter((c: { members: number }) => c.members)).toEqual([
      { r: 1, f: 1, members: 1 },
      { r: 5, f: 5, members: 1 },
    ]);
    expect(JSON.stringify(r.body)).not.toContain(devB);
    // a page of one segment
    const hib = await call('admin', 'GET', '/api/v1/segments/consumers?segment=hibernating&limit=5');
    expect([hib.body.total, hib.body.rows.map((x: { key: string }) => x.key)]).toEqual([1, [`D${devB.slice(0, 8)}`]]);

    // the Excel file: the same members, the anonymous device by its first characters only
    const admin = await loginAs(server.baseUrl, 'admin');
    const res = await fetch(`${server.baseUrl}/api/v1/segments/consumers/export`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(3);
    const cells = (n: number) => (ws.getRow(n).values as unknown[]).slice(1, 6);
    expect(cells(2)).toEqual([`C${consumer}`, 3, 1, 3, 3 * 1234]);
    expect(cells(3)).toEqual([`D${devB.slice(0, 8)}`, 1, 28, 1, Number(b.list_price_fen)]);
    const everything = JSON.stringify([1, 2, 3].map((n) => ws.getRow(n).values));
    expect(everything).not.toContain(devB);
    // and as CSV, which has no limit of rows
    const csv = await fetch(`${server.baseUrl}/api/v1/segments/consumers/export?format=csv`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect([csv.status, csv.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 5))).toEqual([
      [`C${consumer}`, '3', '1', '3', String(3 * 1234)],
      [`D${devB.slice(0, 8)}`, '1', '28', '1', b.list_price_fen],
    ]);

    // later scans change nothing until the next refresh, which replaces the snapshot
    const devE = randomUUID();
    await scan(devE, epc(a.gtin, 'RFM5'), '2026-11-30T12:00:00+08:00');
    expect((await call('admin', 'GET', '/api/v1/segments/consumers')).body.population).toBe(2);
    expect((await call('planner', 'POST', '/api/v1/segments/consumers/refresh')).status).toBe(202);
    expect((await runRefresh()).status).toBe('succeeded');
    const after = await call('admin', 'GET', '/api/v1/segments/consumers');
    expect([after.body.population, after.body.snapshot]).toEqual([3, '2026-12-01T16:00:00.000Z']);
    expect((await sql<{ n: number }[]>`select count(*)::int as n from consumer_segment_snapshots where tenant_id = ${tenant}`)[0]?.n).toBe(
      1,
    );

    // a refresh cancelled before it ran leaves the snapshot as it was, and the next click starts a new one
    const cancelled = await call('admin', 'POST', '/api/v1/segments/consumers/refresh');
    expect((await call('admin', 'POST', `/api/v1/jobs/${cancelled.body.id}/cancel`)).status).toBe(200);
    const kept = await call('planner', 'GET', '/api/v1/segments/consumers');
    expect([kept.body.refresh.id, kept.body.refresh.status, kept.body.population]).toEqual([cancelled.body.id, 'cancelled', 3]);
    const next = await call('planner', 'POST', '/api/v1/segments/consumers/refresh');
    expect([next.status, next.body.id === cancelled.body.id]).toEqual([202, false]);
    expect((await runRefresh()).status).toBe('succeeded');

    // a consumer who deletes their data leaves the segments at once
    await sql.begin((tx) => deletePersonalData(tx, tenant, consumer));
    const gone = await call('admin', 'GET', '/api/v1/segments/consumers');
    expect(gone.body.rows.map((x: { key: string }) => x.key)).not.toContain(`C${consumer}`);
    // and out of the counts: the population, its segment (champions) and its R x F cell
    const counts = ({ body }: { body: Record<string, unknown> }) => [
      body.population,
      (body.segments as { members: number }[]).reduce((n, x) => n + x.members, 0),
      (body.grid as { members: number }[]).reduce((n, x) => n + x.members, 0),
    ];
    expect(counts(gone)).toEqual([2, 2, 2]);
    expect(gone.body.segments.find((x: { segment: string }) => x.segment === 'champions')).toEqual({
      segment: 'champions',
      members: 0,
      monetary: 0,
    });

    // a consumer who deletes their data while a refresh runs (after the refresh's view of the database was taken) is
    // not in what it writes either: the refresh is held at its lock while the deletion commits
    const devF = randomUUID();
    await scan(devF, epc(a.gtin, 'RFM6'), '2026-11-30T13:00:00+08:00');
    const late = await consumerFor(sql, tenant, 'device', identifierHasher(masterKey)('device', devF), 'cookie');
    const holder = await sql.reserve();
    await holder`begin`;
    await holder`select pg_advisory_xact_lock(hashtext('consumers.segments.refresh'), ${tenant})`;
    expect((await call('admin', 'POST', '/api/v1/segments/consumers/refresh')).status).toBe(202);
    const running = runRefresh();
    await expect
      .poll(async () => (await sql`select 1 from pg_locks where locktype = 'advisory' and not granted`).length, { timeout: 10_000 })
      .toBe(1);
    await sql.begin((tx) => deletePersonalData(tx, tenant, late));
    await holder`commit`;
    holder.release();
    expect((await running).status).toBe('succeeded');
    const settled = await call('admin', 'GET', '/api/v1/segments/consumers');
    // the first consumer's two devices are anonymous now, with devices B and E
    expect(settled.body.rows.map((x: { key: string }) => x.key).sort()).toEqual(
      [devA, devB, devD, devE].map((d) => `D${d.slice(0, 8)}`).sort(),
    );
    expect(counts(settled)).toEqual([4, 4, 4]);
    expect((await sql<{ n: number }[]>`select count(*)::int as n from consumer_segment_snapshots where tenant_id = ${tenant}`)[0]?.n).toBe(
      1,
    );

    // a population larger than an Excel sheet is refused as xlsx, with the way out, and exported as CSV
    await sql`
      insert into consumer_segment_snapshots (tenant_id, snapshot_at, population, monetary_unit, segments, grid)
      values (${tenant}, now(), 2000000, 'fen', '[]', '[]')`;
    const big = await call('admin', 'GET', '/api/v1/segments/consumers/export');
    expect(big.status).toBe(400);
    expect(problems(big)).toEqual([['/query/format', 'segments.too_many_rows_for_xlsx']]);
    const bigCsv = await fetch(`${server.baseUrl}/api/v1/segments/consumers/export?format=csv`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(bigCsv.status).toBe(200);

    for (const user of ['distributor', 'sales']) {
      expect((await call(user, 'GET', '/api/v1/segments/consumers')).status).toBe(403);
      expect((await call(user, 'POST', '/api/v1/segments/consumers/refresh')).status).toBe(403);
    }
  });
});
