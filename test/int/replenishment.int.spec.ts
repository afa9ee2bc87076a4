import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, problems } from '../support/api-client.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { captureOverHttp } from '../support/epcis.ts';

/**
 * Days of supply and replenishment from real sell-through: units are commissioned at a warehouse, shipped to the
 * store's distributor, on to the store, and sold there, all captured through /epcis/capture in October 2026 (China
 * time); the store places an order through the API. Every figure below is worked out by hand from those events:
 *
 * window: 28 days before 2026-11-01, i.e. 2026-10-04 .. 2026-10-31 (business days in Asia/Shanghai)
 * store S: receives 40 (10-05), sells 6 (10-10), 4 (10-12), 10 (10-20), 12 (10-25), and 1 at 00:30 on 11-01 China
 *   time (still 10-31 in UTC: outside the window); 6 more are on their way (shipped 10-30); it ordered 6
 *   -> units out 32, d = 32/28, Σx² = 36+16+100+144 = 296, σ² = (296 − 32²/28)/27, on hand 40 − 33 = 7
 * distributor P: receives 60 (10-03), ships 40 (10-04) and 6 (10-30) to S
 *   -> units out 46, d = 46/28, σ² = (40² + 6² − 46²/28)/27, on hand 60 − 46 = 14
 */
let server: TestServer;
const tokens: Record<string, string> = {};
let tenant: number;
let sku: string;
let other: string;
let products3: string;
let store: string;
let supplier: string;
/** units in a case of `sku` and of `other` (the demo catalog's: 15 and 24) */
let skuCase: number;
let otherCase: number;
/** `units` rounded up to whole multiples of both the order rule's multiple and the case: what a suggestion is */
const wholeCases = (units: number, caseSize: number, multiple = 1) => {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step = (multiple / gcd(multiple, caseSize)) * caseSize;
  return Math.ceil(units / step) * step;
};

const Z95 = 1.6448536269514722;
const WINDOW = 28;
const storeD = 32 / WINDOW;
const storeSigma = Math.sqrt((296 - (32 * 32) / WINDOW) / (WINDOW - 1));
const supplierD = 46 / WINDOW;
const supplierSigma = Math.sqrt((40 * 40 + 6 * 6 - (46 * 46) / WINDOW) / (WINDOW - 1));
const AS_OF = 'asOf=2026-11-01';

const call = apiClient(() => server.baseUrl, tokens);
// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
const lineOf = (r: { body: Record<string, any> }, s: string) => r.body.lines.find((l: { sku: string }) => l.sku === s);
const count = async (q: Promise<{ n: number }[]>) => (await q)[0]?.n;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const products = await sql<{ sku: string; gtin: string }[]>`
    select p.sku, l.gtin from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 3`;
  sku = products[0]?.sku as string;
  other = products[1]?.sku as string;
  products3 = products[2]?.sku as string;
  const unitGtin = products[0]?.gtin as string;
  const cases = await sql<{ sku: string; units: number }[]>`
    select p.sku, l.units_per::int as units from products p
    join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'case'
    where p.tenant_id = ${tenant} and p.sku = any(${[sku, other]}::text[])`;
  skuCase = cases.find((c) => c.sku === sku)?.units as number;
  otherCase = cases.find((c) => c.sku === other)?.units as number;
  const [s] = await sql<{ code: string; gln: string; parent_code: string; parent_gln: string }[]>`
    select s.code, s.gln, d.code as parent_code, d.gln as parent_gln from parties s
    join users u on u.party_id = s.id and u.tenant_id = s.tenant_id
    join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id where u.username = 'store'`;
  store = s?.code as string;
  supplier = s?.parent_code as string;
  const [far] = await sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'distributor' and tier = 1 and code <> ${supplier}
      and id is distinct from (select parent_id from parties where tenant_id = ${tenant} and code = ${supplier}) order by code limit 1`;
  // a user of the store's distributor, and one of a distributor elsewhere, created as the brand admin would
  for (const [username, partyCode] of [
    ['supplier1', supplier],
    ['far1', far?.code as string],
  ]) {
    const u = await call('admin', 'POST', '/api/v1/users', { username, password: 'Demo#2026', role: 'distributor_admin', partyCode });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
  }
  const [w] = await sql<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = 'W01'`;

  // the brand's price and the store's money, as sales ops set them
  expect(
    (await call('admin', 'POST', '/api/v1/price-lists', { code: 'BASE', name: '基础价', scope: 'base', items: [{ sku, priceFen: 100 }] }))
      .status,
  ).toBe(201);
  expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: store, amountFen: 100_000 })).status).toBe(200);
  expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: supplier, amountFen: 100_000 })).status).toBe(200);

  const code = (i: number) => `https://id.gs1.org/01/${unitGtin}/21/RP${i}`;
  const units = (from: number, n: number) => Array.from({ length: n }, (_, i) => code(from + i));
  const place = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
  const to = (gln: string) => ({ destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${gln}` }] });
  const event = (time: string, epcs: string[], bizStep: string, where: string, extra: object = {}) => ({
    type: 'ObjectEvent',
    eventTime: time,
    eventTimeZoneOffset: '+08:00',
    epcList: epcs,
    action: bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
    bizStep,
    bizLocation: place(where),
    ...extra,
  });
  tokens.admin ??= await loginAs(server.baseUrl, 'admin');
  const admin = tokens.admin;
  const P = s?.parent_gln as string;
  const S = s?.gln as string;
  await captureOverHttp(server.baseUrl, admin, [
    event('2026-10-01T09:00:00+08:00', units(0, 60), 'commissioning', w?.gln as string, { ilmd: { 'cbvmda:lotNumber': 'RL1' } }),
    event('2026-10-02T09:00:00+08:00', units(0, 60), 'shipping', w?.gln as string, to(P)),
    event('2026-10-03T09:00:00+08:00', units(0, 60), 'receiving', P),
    event('2026-10-04T09:00:00+08:00', units(0, 40), 'shipping', P, to(S)),
    event('2026-10-05T09:00:00+08:00', units(0, 40), 'receiving', S),
    event('2026-10-10T09:00:00+08:00', units(0, 6), 'retail_selling', S),
    event('2026-10-12T09:00:00+08:00', units(6, 4), 'retail_selling', S),
    event('2026-10-20T09:00:00+08:00', units(10, 10), 'retail_selling', S),
    event('2026-10-25T09:00:00+08:00', units(20, 12), 'retail_selling', S),
    event('2026-10-30T09:00:00+08:00', units(40, 6), 'shipping', P, to(S)),
    event('2026-11-01T00:30:00+08:00', units(32, 1), 'retail_selling', S),
    // another product, sold out at the store: one unit on 10-07
    event('2026-10-06T09:00:00+08:00', [`https://id.gs1.org/01/${products[1]?.gtin}/21/SO1`], 'commissioning', S),
    event('2026-10-07T09:00:00+08:00', [`https://id.gs1.org/01/${products[1]?.gtin}/21/SO1`], 'retail_selling', S),
  ]);
  // an order the store placed and that has not shipped yet
  const placed = await call('store', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: 6 }] }, { 'idempotency-key': randomUUID() });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  // the seller's ordering rules for the product (no API sets them yet): at least 12, in cases of 6
  await sql`insert into order_rules (tenant_id, product_id, min_qty, multiple_of)
    select ${tenant}, id, 12, 6 from products where tenant_id = ${tenant} and sku = ${sku}`;
});
afterAll(async () => server?.close());

describe('sell-through and days of supply', () => {
  it('rolls units out up per holder and business day, shipments for a distributor and sales for a store', async () => {
    const rows = await server.db.sql<{ code: string; day: string; units_out: number }[]>`
      select p.code, to_char(d.day, 'MM-DD') as day, d.units_out::int from sell_through_daily d
      join parties p on p.tenant_id = d.tenant_id and p.id = d.holder_party_id
      where d.tenant_id = ${tenant} order by p.code <> 'W01', p.code = ${store}, d.day`;
    expect(rows).toEqual([
      { code: 'W01', day: '10-02', units_out: 60 },
      { code: supplier, day: '10-04', units_out: 40 },
      { code: supplier, day: '10-30', units_out: 6 },
      { code: store, day: '10-07', units_out: 1 },
      { code: store, day: '10-10', units_out: 6 },
      { code: store, day: '10-12', units_out: 4 },
      { code: store, day: '10-20', units_out: 10 },
      { code: store, day: '10-25', units_out: 12 },
      // 00:30 in Beijing on November 1st is that business day, though still October 31st in UTC
      { code: store, day: '11-01', units_out: 1 },
    ]);
  });

  it('shows each holder its daily rate and days of supply over the window, by SKU or by lot', async () => {
    const bySku = await call('store', 'GET', `/api/v1/stock?by=sku&sku=${sku}&${AS_OF}`);
    expect(bySku.status, JSON.stringify(bySku.body)).toBe(200);
    expect(bySku.body.window).toEqual({ days: 28, from: '2026-10-04', to: '2026-11-01' });
    expect(bySku.body.items).toEqual([
      expect.objectContaining({ party: expect.objectContaining({ code: store }), sku, lot: null, onHand: 7, inTransit: 6, unitsOut: 32 }),
    ]);
    const [row] = bySku.body.items;
    expect(row.dailyRate).toBeCloseTo(storeD, 3);
    expect(row.daysOfSupply).toBeCloseTo(7 / storeD, 1);
    // a shorter window ending the same day: only the sales of 10-20 and 10-25 (22 units in 14 days)
    const short = await call('store', 'GET', `/api/v1/stock?by=sku&sku=${sku}&windowDays=14&${AS_OF}`);
    expect(short.body.items[0]).toMatchObject({ unitsOut: 22, dailyRate: expect.closeTo(22 / 14, 3) });
    expect(short.body.items[0].daysOfSupply).toBeCloseTo(7 / (22 / 14), 1);
    // by lot, each lot row carries the holder's days of supply for the product
    const byLot = await call('admin', 'GET', `/api/v1/stock?party=${supplier}&${AS_OF}`);
    expect(byLot.body.items).toEqual([expect.objectContaining({ lot: 'RL1', onHand: 14, unitsOut: 46 })]);
    expect(byLot.body.items[0].daysOfSupply).toBeCloseTo(14 / supplierD, 1);
    // nothing went out in a window before the first sale: no rate, no days of supply
    const before = await call('store', 'GET', `/api/v1/stock?by=sku&sku=${sku}&asOf=2026-10-05`);
    expect(before.body.items[0]).toMatchObject({ unitsOut: 0, dailyRate: 0, daysOfSupply: null });
  });

  it('lists a holder that sold out as a stock-out, and keeps to the data scope', async () => {
    // the other product: one unit commissioned at the store and sold there on 10-07
    const bySku = await call('store', 'GET', `/api/v1/stock?by=sku&${AS_OF}`);
    expect(bySku.body.items.find((i: { sku: string }) => i.sku === other)).toMatchObject({ onHand: 0, unitsOut: 1, daysOfSupply: 0 });
    // by lot, only what is held or on its way
    const byLot = await call('store', 'GET', `/api/v1/stock?${AS_OF}`);
    expect(byLot.body.items.map((i: { sku: string }) => i.sku)).toEqual([sku]);
    // the store's distributor sees its own and its store's rows; another distributor none of them
    const d = await call('supplier1', 'GET', `/api/v1/stock?by=sku&sku=${sku}&${AS_OF}`);
    expect(d.body.items.map((i: { party: { code: string } }) => i.party.code).sort()).toEqual([supplier, store].sort());
    expect((await call('far1', 'GET', `/api/v1/stock?by=sku&sku=${sku}&${AS_OF}`)).body.items).toEqual([]);
  });

  it('gives inventory its own codes for an unknown party or SKU', async () => {
    const bad = await call('admin', 'POST', '/api/v1/stock/adjustments', { party: 'NOPE', sku, delta: 1, reason: 'found' });
    expect(problems(bad)).toEqual([['/body/party', 'stock.unknown_party']]);
    const badSku = await call('admin', 'POST', '/api/v1/stock/adjustments', { party: store, sku: 'NOPE', delta: 1, reason: 'found' });
    expect(problems(badSku)).toEqual([['/body/sku', 'stock.unknown_sku']]);
    expect(badSku.body.errors[0].detail).toBe('没有 SKU NOPE');
    const levels = await call('admin', 'PUT', '/api/v1/stock/safety', { levels: [{ party: 'NOPE', sku: 'NOPE', minUnits: 1 }] });
    expect(problems(levels)).toEqual([
      ['/body/levels/0/party', 'stock.unknown_party'],
      ['/body/levels/0/sku', 'stock.unknown_sku'],
    ]);
  });
});

describe('replenishment suggestions', () => {
  it('shows every input of the order-up-to level and rounds the quantity to the seller’s rules', async () => {
    const r = await call('store', 'GET', `/api/v1/replenishment/suggestions?${AS_OF}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ party: { code: store }, seller: { code: supplier }, leadTimeDays: 1, leadTimeSource: 'default' });
    const line = lineOf(r, sku);
    const S = storeD * (1 + 7) + Z95 * storeSigma * Math.sqrt(1 + 7);
    expect(line).toMatchObject({ leadTimeDays: 1, reviewDays: 7, onHand: 7, inTransit: 6, onOrder: 6, minQty: 12, multipleOf: 6 });
    expect(line.dailyDemand).toBeCloseTo(storeD, 3);
    expect(line.sigma).toBeCloseTo(storeSigma, 3);
    expect(line.z).toBeCloseTo(Z95, 4);
    expect(line.orderUpTo).toBeCloseTo(S, 2);
    // S ≈ 23.56; position 7 + 6 + 6 = 19; short 4.56 -> 5 units -> the minimum 12 (two of the rule's 6) -> whole
    // cases of the SKU: 30, the least that is both whole cases of 15 and a multiple of 6 (never 12 units of a case of 15)
    expect(S - 19).toBeGreaterThan(4);
    expect(S - 19).toBeLessThan(5);
    expect(skuCase).toBe(15);
    expect(line).toMatchObject({ caseSize: 15, suggested: 30 });
    expect(line.suggested).toBe(wholeCases(12, skuCase, 6));
    // the product sold once (no rules): its own line, 1 unit in 28 days
    expect(lineOf(r, other)).toMatchObject({ unitsOut: 1, onHand: 0, minQty: null, multipleOf: null });
  });

  it('takes the service level, the review period and the lane’s lead time', async () => {
    const half = await call('store', 'GET', `/api/v1/replenishment/suggestions?serviceLevel=0.5&${AS_OF}`);
    // z = 0: S = d·8 ≈ 9.14 is below the position of 19
    expect(lineOf(half, sku)).toMatchObject({ z: 0, suggested: 0 });
    expect(lineOf(half, sku).orderUpTo).toBeCloseTo(storeD * 8, 2);
    const z99 = 2.3263478740408408;
    const longer = await call('store', 'GET', `/api/v1/replenishment/suggestions?serviceLevel=0.99&reviewDays=14&${AS_OF}`);
    const S = storeD * 15 + z99 * storeSigma * Math.sqrt(15);
    expect(lineOf(longer, sku).orderUpTo).toBeCloseTo(S, 2);
    // S ≈ 45.1; short 26.1 -> 27 -> 30 (two cases of 15, five of the rule's 6)
    expect(lineOf(longer, sku).suggested).toBe(wholeCases(Math.ceil(S - 19), skuCase, 6));
    expect(lineOf(longer, sku).suggested).toBe(30);

    // the lane's lead time: set by the brand, or by the distributor that supplies the store, no one else
    const notSeen = await call('far1', 'PUT', '/api/v1/replenishment/lead-times', { lanes: [{ buyer: store, leadTimeDays: 3 }] });
    expect(problems(notSeen)).toEqual([['/body/lanes/0/buyer', 'stock.unknown_party']]);
    const notSupplied = await call('supplier1', 'PUT', '/api/v1/replenishment/lead-times', {
      lanes: [{ buyer: supplier, leadTimeDays: 3 }],
    });
    expect(problems(notSupplied)).toEqual([['/body/lanes/0/buyer', 'replenishment.not_your_lane']]);
    expect(
      (await call('supplier1', 'PUT', '/api/v1/replenishment/lead-times', { lanes: [{ buyer: store, leadTimeDays: 2 }] })).status,
    ).toBe(200);
    const wrongSeller = await call('admin', 'PUT', '/api/v1/replenishment/lead-times', {
      lanes: [{ seller: 'W01', buyer: store, leadTimeDays: 3 }],
    });
    expect(problems(wrongSeller)).toEqual([['/body/lanes/0/seller', 'replenishment.not_a_lane']]);
    const set = await call('admin', 'PUT', '/api/v1/replenishment/lead-times', {
      lanes: [{ seller: supplier, buyer: store, leadTimeDays: 3 }],
    });
    expect(set.body).toEqual({ updated: 1 });
    const withLane = await call('store', 'GET', `/api/v1/replenishment/suggestions?${AS_OF}`);
    expect(withLane.body).toMatchObject({ leadTimeDays: 3, leadTimeSource: 'lane' });
    expect(lineOf(withLane, sku).orderUpTo).toBeCloseTo(storeD * 10 + Z95 * storeSigma * Math.sqrt(10), 2);
    const [audit] = await server.db.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where action = 'replenishment.lead_times'`;
    expect(audit?.n).toBe(2);
    // back to the default for the tests below
    await call('admin', 'PUT', '/api/v1/replenishment/lead-times', { lanes: [{ buyer: store, leadTimeDays: 1 }] });
  });

  it('suggests for a distributor from its shipments to its stores', async () => {
    const r = await call('admin', 'GET', `/api/v1/replenishment/suggestions?party=${supplier}&${AS_OF}`);
    expect(r.body).toMatchObject({ seller: { code: expect.any(String) }, leadTimeDays: 2 });
    const line = lineOf(r, sku);
    const S = supplierD * 9 + Z95 * supplierSigma * 3;
    expect(line).toMatchObject({ unitsOut: 46, onHand: 14, inTransit: 0, onOrder: 0 });
    expect(line.sigma).toBeCloseTo(supplierSigma, 3);
    expect(line.orderUpTo).toBeCloseTo(S, 2);
    // S ≈ 52.3; short 38.3 -> 39 -> 60 (four cases of 15, a multiple of 6)
    expect(line.suggested).toBe(wholeCases(Math.ceil(S - 14), skuCase, 6));
    expect(line.suggested).toBe(60);
    expect(line.daysOfSupply).toBeCloseTo(14 / supplierD, 1);
  });

  it('refuses bad input with a reason', async () => {
    const high = await call('store', 'GET', '/api/v1/replenishment/suggestions?serviceLevel=1');
    expect(high.status).toBe(400);
    const notMine = await call('store', 'GET', `/api/v1/replenishment/suggestions?party=${supplier}`);
    expect(problems(notMine)).toEqual([['/query/party', 'stock.unknown_party']]);
    const warehouse = await call('admin', 'GET', '/api/v1/replenishment/suggestions?party=W01');
    expect(problems(warehouse)).toEqual([['/query/party', 'replenishment.not_a_buyer']]);
    // the brand admin's own party is the brand, which orders from no one
    const brand = await call('admin', 'GET', '/api/v1/replenishment/suggestions');
    expect(problems(brand)).toEqual([['/query/party', 'replenishment.not_a_buyer']]);
    expect((await call('warehouse', 'GET', '/api/v1/replenishment/suggestions')).status).toBe(403);
  });
});

describe('order drafts from suggestions', () => {
  it('accepts suggestions into a draft in one step, once per key; edits, places once, and audits each step', async () => {
    const key = randomUUID();
    const accepted = await call(
      'store',
      'POST',
      '/api/v1/replenishment/suggestions/accept',
      { asOf: '2026-11-01' },
      { 'idempotency-key': key },
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body).toMatchObject({ status: 'open', source: 'replenishment', buyer: { code: store }, seller: { code: supplier } });
    // the other product: d = 1/28, σ² = (1 − 1/28)/27, S = 8d + z·σ·√8 ≈ 1.17 with none on hand -> 2 -> a case of 24
    expect(otherCase).toBe(24);
    expect(accepted.body.lines).toEqual([
      expect.objectContaining({ sku, quantity: 30, suggested: 30, minQty: 12, multipleOf: 6 }),
      expect.objectContaining({ sku: other, quantity: 24, suggested: 24, minQty: null }),
    ]);
    expect(accepted.body.params).toMatchObject({ serviceLevel: 0.95, leadTimeDays: 1, reviewDays: 7, windowDays: 28, asOf: '2026-11-01' });
    const again = await call(
      'store',
      'POST',
      '/api/v1/replenishment/suggestions/accept',
      { asOf: '2026-11-01' },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(accepted.body.id);
    // the key with another request (another day's window) is refused, not answered with the first draft
    const otherDay = await call(
      'store',
      'POST',
      '/api/v1/replenishment/suggestions/accept',
      { asOf: '2026-11-02' },
      { 'idempotency-key': key },
    );
    expect(otherDay.status).toBe(409);
    expect(otherDay.body).toMatchObject({ code: 'order_draft.key_reused' });
    expect(otherDay.body.detail).toBe(`此幂等键已用于草稿单 #${accepted.body.id}，其请求与本次不同；新的草稿请使用新的幂等键`);
    const id = accepted.body.id as number;

    // edits are checked as placement checks them, and a bad one changes nothing
    const bad = await call('store', 'PUT', `/api/v1/order-drafts/${id}/lines`, {
      lines: [
        { sku, quantity: 15 },
        { sku: 'NOPE', quantity: 1 },
        { sku: other, quantity: 1.5 },
      ],
    });
    expect(problems(bad)).toEqual([
      ['/body/lines/0/quantity', 'order.not_case_multiple'],
      ['/body/lines/1/sku', 'order.unknown_sku'],
      ['/body/lines/2/quantity', 'order.bad_quantity'],
    ]);
    expect((await call('store', 'GET', `/api/v1/order-drafts/${id}`)).body.lines).toEqual(accepted.body.lines);
    // a product added from a search starts at the smallest quantity its seller accepts
    const added = await call('store', 'POST', `/api/v1/order-drafts/${id}/lines`, { sku: products3 });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      [sku, 30],
      [other, 24],
      [products3, 1],
    ]);
    expect((await call('store', 'POST', `/api/v1/order-drafts/${id}/lines`, { sku: products3 })).body.lines).toHaveLength(3);
    expect(problems(await call('store', 'POST', `/api/v1/order-drafts/${id}/lines`, { sku: 'NOPE' }))).toEqual([
      ['/body/sku', 'order.unknown_sku'],
    ]);
    const edited = await call('store', 'PUT', `/api/v1/order-drafts/${id}/lines`, { lines: [{ sku, quantity: 18 }] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.lines).toEqual([expect.objectContaining({ sku, quantity: 18, suggested: 30 })]);

    // the owner and the clerk tap "place" at the same time: one order
    const orders = async () => count(server.db.sql<{ n: number }[]>`select count(*)::int as n from orders where tenant_id = ${tenant}`);
    const before = await orders();
    const [first, second] = await Promise.all([
      call('clerk', 'POST', `/api/v1/order-drafts/${id}/place`),
      call('store', 'POST', `/api/v1/order-drafts/${id}/place`),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body.order.id).toBe(second.body.order.id);
    expect(await orders()).toBe((before ?? 0) + 1);
    const third = await call('store', 'POST', `/api/v1/order-drafts/${id}/place`);
    expect(third.status).toBe(200);
    expect(third.body.order).toMatchObject({ id: first.body.order.id, replayed: true });
    const order = await call('store', 'GET', `/api/v1/orders/${first.body.order.id}`);
    expect(order.body.lines).toEqual([expect.objectContaining({ sku, quantity: 18 })]);
    const draft = await call('store', 'GET', `/api/v1/order-drafts/${id}`);
    expect(draft.body).toMatchObject({ status: 'placed', order: { id: first.body.order.id } });
    expect(problems(await call('store', 'PUT', `/api/v1/order-drafts/${id}/lines`, { lines: [{ sku, quantity: 6 }] }))).toEqual([
      ['/params/id', 'draft.not_open'],
    ]);
    expect((await call('store', 'POST', `/api/v1/order-drafts/${id}/discard`)).status).toBe(409);
    const audit = await server.db.sql<{ action: string }[]>`
      select action from audit_log where entity_type = 'order_draft' and entity_id = ${String(id)} order by seq`;
    expect(audit.map((a) => a.action)).toEqual(['order_draft.create', 'order_draft.edit', 'order_draft.edit', 'order_draft.place']);

    // the placed quantity now counts as on order: 6 + 18
    const after = await call('store', 'GET', `/api/v1/replenishment/suggestions?${AS_OF}`);
    expect(lineOf(after, sku)).toMatchObject({ onOrder: 24, suggested: 0 });
  });

  it('discards a draft; a discarded draft is not placed', async () => {
    const d = await call('store', 'POST', '/api/v1/replenishment/suggestions/accept', {
      asOf: '2026-11-01',
      serviceLevel: 0.999,
      reviewDays: 30,
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    // a refused placement says why per draft line and leaves the draft open: the other product is on no price list
    const refused = await call('store', 'POST', `/api/v1/order-drafts/${d.body.id}/place`);
    expect(problems(refused)).toEqual([['/body/lines/1/sku', 'order.sku_not_listed']]);
    expect((await call('store', 'GET', `/api/v1/order-drafts/${d.body.id}`)).body).toMatchObject({ status: 'open', order: null });
    const discarded = await call('clerk', 'POST', `/api/v1/order-drafts/${d.body.id}/discard`);
    expect(discarded.body.status).toBe('discarded');
    expect((await call('clerk', 'POST', `/api/v1/order-drafts/${d.body.id}/discard`)).status).toBe(200);
    expect(problems(await call('store', 'POST', `/api/v1/order-drafts/${d.body.id}/place`))).toEqual([['/params/id', 'draft.not_open']]);
    const list = await call('store', 'GET', '/api/v1/order-drafts?status=discarded');
    expect(list.body.items.map((i: { id: number }) => i.id)).toEqual([d.body.id]);
    // not the distributor's to place (it may not order for its store), and not another store's to see
    expect((await call('supplier1', 'POST', `/api/v1/order-drafts/${d.body.id}/place`)).status).toBe(403);
    expect((await call('far1', 'GET', `/api/v1/order-drafts/${d.body.id}`)).status).toBe(404);
  });

  it('says when there is nothing to order', async () => {
    const r = await call('store', 'POST', '/api/v1/replenishment/suggestions/accept', {
      asOf: '2026-11-01',
      skus: [sku],
      serviceLevel: 0.5,
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('replenishment.nothing_to_order');
  });
});

describe('order drafts started by hand', () => {
  it('starts an empty draft to the store’s supplier, once per key; products are added, stepped away and placed', async () => {
    const key = randomUUID();
    const started = await call('clerk', 'POST', '/api/v1/order-drafts', {}, { 'idempotency-key': key });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({ status: 'open', source: 'manual', buyer: { code: store }, seller: { code: supplier }, lines: [] });
    const id = started.body.id as number;
    // a retry of the same tap (the owner's too: the key is the store's) is the same draft, as it is now
    await call('clerk', 'POST', `/api/v1/order-drafts/${id}/lines`, { sku: other });
    const again = await call('store', 'POST', '/api/v1/order-drafts', {}, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, lines: [expect.objectContaining({ sku: other, quantity: 1, suggested: null })] });

    // the last line stepped away on the phone: the draft is empty again, and an empty draft is not placed
    const emptied = await call('clerk', 'PUT', `/api/v1/order-drafts/${id}/lines`, { lines: [] });
    expect(emptied.status, JSON.stringify(emptied.body)).toBe(200);
    expect(emptied.body.lines).toEqual([]);
    const refused = await call('clerk', 'POST', `/api/v1/order-drafts/${id}/place`);
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(problems(refused)).toEqual([['/params/id', 'draft.empty']]);

    expect((await call('clerk', 'POST', `/api/v1/order-drafts/${id}/lines`, { sku })).body.lines).toEqual([
      expect.objectContaining({ sku, quantity: 12, suggested: null }),
    ]);
    const placed = await call('clerk', 'POST', `/api/v1/order-drafts/${id}/place`);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const order = await call('clerk', 'GET', `/api/v1/orders/${placed.body.order.id}`);
    expect(order.body).toMatchObject({ buyer: expect.objectContaining({ code: store }) });
    expect(order.body.lines).toEqual([expect.objectContaining({ sku, quantity: 12 })]);
    const audit = await server.db.sql<{ action: string; details: { source?: string } }[]>`
      select action, details from audit_log where entity_type = 'order_draft' and entity_id = ${String(id)} order by seq`;
    expect(audit.map((a) => a.action)).toEqual([
      'order_draft.create',
      'order_draft.edit',
      'order_draft.edit',
      'order_draft.edit',
      'order_draft.place',
    ]);
    expect(audit[0]?.details).toMatchObject({ source: 'manual', lines: 0 });
  });

  it('starts a draft with the lines picked, checked as edits are; a bad line writes nothing', async () => {
    const drafts = async () =>
      count(server.db.sql<{ n: number }[]>`select count(*)::int as n from order_drafts where tenant_id = ${tenant}`);
    const before = await drafts();
    const bad = await call('store', 'POST', '/api/v1/order-drafts', {
      lines: [
        { sku, quantity: 15 },
        { sku: 'NOPE', quantity: 1 },
        { sku: other, quantity: 0 },
        { sku, quantity: 12 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(problems(bad)).toEqual([
      ['/body/lines/0/quantity', 'order.not_case_multiple'],
      ['/body/lines/1/sku', 'order.unknown_sku'],
      ['/body/lines/2/quantity', 'order.bad_quantity'],
      ['/body/lines/3/sku', 'order.duplicate_line'],
    ]);
    expect((await call('store', 'POST', '/api/v1/order-drafts', { lines: 'x' })).status).toBe(400);
    expect(await drafts()).toBe(before);

    const picked = await call('store', 'POST', '/api/v1/order-drafts', {
      lines: [
        { sku: other, quantity: 3 },
        { sku, quantity: 18 },
      ],
    });
    expect(picked.status, JSON.stringify(picked.body)).toBe(201);
    expect(picked.body.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      [other, 3],
      [sku, 18],
    ]);
    // without a key each call is a draft of its own
    expect((await call('store', 'POST', '/api/v1/order-drafts', {})).body.id).not.toBe(picked.body.id);
    expect(await drafts()).toBe((before ?? 0) + 2);

    // with a key: the same lines in another order are the same tap; other lines under that key are refused
    const key = randomUUID();
    const lines = [
      { sku: other, quantity: 3 },
      { sku, quantity: 18 },
    ];
    const keyed = await call('store', 'POST', '/api/v1/order-drafts', { lines }, { 'idempotency-key': key });
    expect(keyed.status).toBe(201);
    const reordered = await call('store', 'POST', '/api/v1/order-drafts', { lines: [...lines].reverse() }, { 'idempotency-key': key });
    expect(reordered.status).toBe(200);
    expect(reordered.body.id).toBe(keyed.body.id);
    const changed = await call('store', 'POST', '/api/v1/order-drafts', { lines: [{ sku, quantity: 24 }] }, { 'idempotency-key': key });
    expect(changed.status).toBe(409);
    expect(changed.type).toContain('application/problem+json');
    expect(changed.body).toMatchObject({ code: 'order_draft.key_reused' });
    expect(changed.body.detail).toBe(`此幂等键已用于草稿单 #${keyed.body.id}，其请求与本次不同；新的草稿请使用新的幂等键`);
    expect(await drafts()).toBe((before ?? 0) + 3);
  });

  it('orders for a party only as placement lets it: brand staff name a buyer, a distributor not for its store', async () => {
    // the brand admin's own party is the brand, which orders from no one
    expect(problems(await call('admin', 'POST', '/api/v1/order-drafts', {}))).toEqual([['/body/party', 'replenishment.not_a_buyer']]);
    const forStore = await call('admin', 'POST', '/api/v1/order-drafts', { party: store });
    expect(forStore.status, JSON.stringify(forStore.body)).toBe(201);
    expect(forStore.body).toMatchObject({ buyer: { code: store }, seller: { code: supplier } });
    const own = await call('supplier1', 'POST', '/api/v1/order-drafts', {});
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body).toMatchObject({ buyer: { code: supplier }, source: 'manual' });
    const notYours = await call('supplier1', 'POST', '/api/v1/order-drafts', { party: store });
    expect(notYours.status).toBe(403);
    expect(notYours.body.code).toBe('order.not_your_party');
    expect(problems(await call('far1', 'POST', '/api/v1/order-drafts', { party: store }))).toEqual([
      ['/body/party', 'stock.unknown_party'],
    ]);
    expect((await call('clerk', 'POST', '/api/v1/order-drafts', {}, { 'idempotency-key': 'short' })).status).toBe(400);
  });
});
