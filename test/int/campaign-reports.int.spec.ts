import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { liftOf } from '../../src/modules/incentives/reports/lift.ts';
import { businessToday } from '../../src/modules/inventory/sell-through.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { captureSellOut, type SellOutStores } from '../support/sell-out.ts';

/** Campaign results and rankings, from the sales of test/support/sell-out.ts (its comment works out the figures). */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
let S: SellOutStores['S'];
let C: SellOutStores['C'];
let gtin: string;
const UNIT = '06901234001013';

const q = (path: string, params: Record<string, string>) => `${path}?${new URLSearchParams(params)}`;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const tenant = Number(t?.id);
  ({ S, C, gtin } = await captureSellOut(server, UNIT));
  // a user of the store's distributor, created as the brand admin would
  const u = await call('admin', 'POST', '/api/v1/users', {
    username: 'supplier1',
    password: 'Demo#2026',
    role: 'distributor_admin',
    partyCode: S.parent,
  });
  expect(u.status, JSON.stringify(u.body)).toBe(201);

  // the clerk's sell scans: three units delivered to the store (line -> distributor -> store) and one still at
  // the factory, which the scan warns about and the ranking does not count
  const keystore = new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'));
  const keys = await keystore.keyring(sql, tenant);
  const b = await call('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 10 });
  expect(b.status).toBe(201);
  const codes = serialsFor(keys, { gtin: UNIT, keyVersion: b.body.keyVersion, batchNo: b.body.batchNo }, 0, 4).map(
    (serial) => `https://id.gs1.org/01/${UNIT}/21/${serial}`,
  );
  const [lot] = await sql<{ lot_code: string }[]>`select l.lot_code from lots l
    join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id and pl.gtin = ${UNIT} order by 1 limit 1`;
  const scan = async (user: string, body: Record<string, unknown>) => {
    const r = await call(user, 'POST', '/api/v1/scans', { scanId: randomUUID(), ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  await scan('line', { kind: 'commission', lot: lot?.lot_code, codes });
  await scan('line', { kind: 'ship', codes: codes.slice(0, 3), to: S.parent });
  await scan('supplier1', { kind: 'receive', codes: codes.slice(0, 3) });
  await scan('supplier1', { kind: 'ship', codes: codes.slice(0, 3), to: S.code });
  await scan('clerk', { kind: 'receive', codes: codes.slice(0, 3) });
  await scan('clerk', { kind: 'sell', codes: codes.slice(0, 2) });
  const warned = await scan('clerk', { kind: 'sell', codes: [codes[2], codes[3]] });
  expect(warned.warnings).toEqual([expect.objectContaining({ code: 'sell.not_delivered_here' })]);
});
afterAll(async () => server?.close());

describe('sell-out lift of a campaign', () => {
  it('compares the campaign region with comparable stores elsewhere, before and during', async () => {
    const r = await call(
      'admin',
      'GET',
      q('/api/v1/reports/sell-out-lift', { start: '2026-10-08', end: '2026-10-14', gtins: gtin, regions: S.province }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.baseline).toEqual({ start: '2026-10-01', end: '2026-10-07' });
    expect(r.body.treated).toMatchObject({ stores: 1, unitsBefore: 10, unitsDuring: 30 });
    expect(r.body.control).toMatchObject({ stores: 1, unitsBefore: 20, unitsDuring: 25 });
    expect(r.body.lift).toBeCloseTo(1.4, 12);
    // the daily series for the chart: 14 days, units per store and day
    expect(r.body.series).toHaveLength(14);
    expect(r.body.series.find((p: { day: string }) => p.day === '2026-10-08')).toEqual({ day: '2026-10-08', treated: 20, control: 0 });
    expect(r.body.series.find((p: { day: string }) => p.day === '2026-10-03')).toEqual({ day: '2026-10-03', treated: 0, control: 20 });
  });

  it('has no lift without comparable stores or a baseline', () => {
    const g = (before: number, during: number) => ({
      stores: 1,
      unitsBefore: before,
      unitsDuring: during,
      rateBefore: before,
      rateDuring: during,
    });
    expect(liftOf(g(1, 3), g(2, 2.5))).toBeCloseTo(1.4, 12);
    expect(liftOf(g(0, 3), g(2, 2.5))).toBeNull();
    expect(liftOf(g(1, 3), g(0, 2.5))).toBeNull();
    expect(liftOf(g(1, 3), g(2, 0))).toBeNull();
    expect(liftOf(g(1, 1), g(2, 2))).toBe(0);
  });

  it('is the brand’s: a distributor or a clerk is refused', async () => {
    const params = { start: '2026-10-08', end: '2026-10-14', regions: S.province };
    expect((await call('distributor', 'GET', q('/api/v1/reports/sell-out-lift', params))).status).toBe(403);
    expect((await call('clerk', 'GET', q('/api/v1/reports/sell-out-lift', params))).status).toBe(403);
  });

  it('refuses a reversed or over-long period and malformed filters with the field', async () => {
    const bad = async (params: Record<string, string>) => {
      const r = await call('admin', 'GET', q('/api/v1/reports/sell-out-lift', params));
      expect(r.status).toBe(400);
      expect(r.type).toMatch(/^application\/problem\+json/);
      return problems(r);
    };
    expect(await bad({ start: '2026-10-14', end: '2026-10-08' })).toEqual([['/query/end', 'report.period_reversed']]);
    expect(await bad({ start: '2025-01-01', end: '2026-10-08' })).toEqual([['/query/end', 'report.period_too_long']]);
    expect((await bad({ start: '2026-10-01', end: '2026-10-08', regions: '4,x' }))[0]?.[0]).toBe('/query/regions');
    expect((await bad({ start: '2026-10-01', end: '2026-10-08', gtins: '123' }))[0]?.[0]).toBe('/query/gtins');
  });
});

describe('rankings', () => {
  it('ranks stores by units sold in the period', async () => {
    const r = await call('admin', 'GET', q('/api/v1/reports/rankings/stores', { start: '2026-10-08', end: '2026-10-14', gtins: gtin }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((i: { code: string; units: number; rank: number }) => [i.rank, i.code, i.units])).toEqual([
      [1, S.code, 30],
      [2, C.code, 25],
    ]);
  });

  it('shows a distributor only its own stores', async () => {
    const r = await call('supplier1', 'GET', q('/api/v1/reports/rankings/stores', { start: '2026-10-01', end: '2026-10-14', gtins: gtin }));
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { code: string }) => i.code)).toEqual([S.code]);
  });

  it('ranks clerks by units delivered to their store that they scanned as sold', async () => {
    // the clerks scanned just now: the business days (Asia/Shanghai) of yesterday and today hold their scans
    const today = businessToday(new Date());
    const yesterday = businessToday(new Date(Date.now() - 86_400_000));
    const r = await call('admin', 'GET', q('/api/v1/reports/rankings/clerks', { start: yesterday, end: today }));
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([expect.objectContaining({ rank: 1, storeCode: S.code, units: 3, scans: 2 })]);
    // before the scans: nobody
    const before = await call('admin', 'GET', q('/api/v1/reports/rankings/clerks', { start: '2026-10-01', end: '2026-10-31' }));
    expect(before.body.items).toEqual([]);
  });
});
