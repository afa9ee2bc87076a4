import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastStoresBulk } from '../../src/modules/planning/forecast/index.ts';
import { readTable } from '../../src/platform/tabular/index.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * GET /api/v1/planning/forecasts on the demo brand. The daily units out of stores (`sell_through_daily`) are written
 * here as the fixture, as the trace module's stock projection keeps them (one row per holder, unit GTIN and day),
 * so the expected forecasts can be worked out by hand:
 * - store A (city C): 400 days before 2026-11-01 of a fixed weekly pattern 3 5 4 6 9 14 11 (Monday first): the next
 *   28 days repeat it;
 * - stores A2, A3 (city C): 2 units every day for 60 weeks, and store B in another province 50 a day (not counted):
 *   city C's weekly sum is the pattern's 52 + 14 + 14 = 80 every week, so the next 13 weeks are 80 each;
 * - store S (city C): 20 days of sales only: too little history for 28 days.
 */
const AS_OF = '2026-11-01';
const WEEK = [3, 5, 4, 6, 9, 14, 11]; // Monday .. Sunday
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
let tenant: number;
let sku: string;
let gtin: string;
let city: string;
let province: string;
let district: string;
const stores: Record<'a' | 'a2' | 'a3' | 'b' | 's', string> = { a: '', a2: '', a3: '', b: '', s: '' };
const dayOf = (n: number) => new Date(Date.parse(`${AS_OF}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const weekdayOf = (day: string) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const [p] = await sql<{ sku: string; gtin: string }[]>`
    select p.sku, l.gtin from products p join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} order by p.sku limit 1`;
  sku = p!.sku;
  gtin = p!.gtin;
  const [c] = await sql<{ city_code: string; province_code: string }[]>`
    select city_code, province_code from parties where tenant_id = ${tenant} and kind = 'store' and city_code is not null
    group by city_code, province_code having count(*) >= 4 order by count(*) desc, city_code limit 1`;
  city = c!.city_code;
  province = c!.province_code;
  const inCity = await sql<{ id: number; code: string }[]>`
    select id::int, code from parties where tenant_id = ${tenant} and kind = 'store' and city_code = ${city} order by code limit 4`;
  const [b] = await sql<{ id: number; code: string }[]>`
    select id::int, code from parties where tenant_id = ${tenant} and kind = 'store' and province_code <> ${province} order by code limit 1`;
  const [d] = await sql<{ code: string }[]>`select code from divisions where level = 3 and city_code = ${city} limit 1`;
  district = d!.code;
  [stores.a, stores.a2, stores.a3, stores.s] = inCity.map((s) => s.code) as [string, string, string, string];
  stores.b = b!.code;
  const facts: { holder: number; day: string; units: number }[] = [];
  for (let n = 1; n <= 400; n++) facts.push({ holder: inCity[0]!.id, day: dayOf(n), units: WEEK[weekdayOf(dayOf(n))]! });
  for (let n = 1; n <= 60 * 7; n++) {
    facts.push({ holder: inCity[1]!.id, day: dayOf(n), units: 2 }, { holder: inCity[2]!.id, day: dayOf(n), units: 2 });
    facts.push({ holder: b!.id, day: dayOf(n), units: 50 });
  }
  for (let n = 1; n <= 20; n++) facts.push({ holder: inCity[3]!.id, day: dayOf(n), units: 1 });
  // store A's pattern starts 400 days back; the city's weekly sums are read over the 60 weeks all three have
  await sql`delete from sell_through_daily where tenant_id = ${tenant} and gtin = ${gtin}`;
  await sql`
    insert into sell_through_daily (tenant_id, holder_party_id, gtin, day, units_out)
    select ${tenant}, h, ${gtin}, d::date, u from unnest(${facts.map((f) => f.holder)}::bigint[], ${facts.map((f) => f.day)}::text[],
      ${facts.map((f) => f.units)}::bigint[]) as x(h, d, u)`;
});
afterAll(async () => server?.close());

const get = (user: string, q: string) => call(user, 'GET', `/api/v1/planning/forecasts?${q.includes('asOf=') ? '' : `asOf=${AS_OF}&`}${q}`);

describe('GET /api/v1/planning/forecasts', () => {
  it('forecasts a SKU at a store daily: the weekly pattern again, with intervals around it', async () => {
    const r = await get('planner', `sku=${sku}&store=${stores.a}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ sku, gtin, granularity: 'day', store: { code: stores.a }, level: 0.95 });
    expect(r.body.history).toMatchObject({ from: dayOf(400), to: dayOf(1), periods: 400 });
    expect(r.body.periods).toHaveLength(28);
    expect(r.body.periods[0].start).toBe(AS_OF);
    expect(r.body.periods[27].start).toBe('2026-11-28');
    for (const p of r.body.periods) {
      expect(p.mean).toBeCloseTo(WEEK[weekdayOf(p.start)]!, 6);
      expect(p.lower).toBeLessThanOrEqual(p.mean);
      expect(p.upper).toBeGreaterThanOrEqual(p.mean);
    }
    expect(r.body.backtest.windows).toBe(3);
    expect(Object.keys(r.body.backtest.scores)).toEqual(expect.arrayContaining(['ses', 'ets_additive', 'croston', 'sba', 'tsb', 'theta']));
    expect(r.body.backtest.scores[r.body.model]).toBe(Math.min(...(Object.values(r.body.backtest.scores) as number[])));
    // the history the model saw, day by day, and its backtest accuracy: a fixed pattern is seasonal naive's best case
    expect(r.body.history.values).toHaveLength(400);
    expect(r.body.history.values).toEqual(Array.from({ length: 400 }, (_, i) => WEEK[weekdayOf(dayOf(400 - i))]));
    expect(r.body.accuracy).toMatchObject({ windows: 3, horizon: 28, benchmark: { name: 'seasonal_naive', mase: 0, rmsse: 0 } });
    expect(r.body.accuracy.model.name).toBe(r.body.model);
    expect(r.body.accuracy.model.mase).toBeLessThan(0.05);
  });

  it('reads only the history window asked for (days at a store, weeks in a region)', async () => {
    const d = await get('planner', `sku=${sku}&store=${stores.a}&history=70`);
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(d.body.history).toMatchObject({ from: dayOf(70), periods: 70 });
    expect(d.body.history.values).toHaveLength(70);
    const w = await get('planner', `sku=${sku}&region=${city}&history=30`);
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body.history.periods).toBe(30);
    expect(w.body.accuracy.benchmark.name).toBe('naive');
  });

  it('forecasts a SKU in a city weekly from the sums over its stores (others not counted), and the admin may too', async () => {
    const r = await get('admin', `sku=${sku}&region=${city}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ granularity: 'week', region: { code: city, level: 'city' } });
    expect(r.body.region.stores).toBeGreaterThanOrEqual(4);
    // A2 and A3 reach back 60 weeks (420 days), store A 58 (400 = 57 x 7 + 1), store S adds 1 a day to the last 3
    expect(r.body.history.periods).toBe(60);
    let storeA = 0;
    for (let n = 1; n <= 400; n++) storeA += WEEK[weekdayOf(dayOf(n))]!;
    expect(r.body.history.units).toBe(420 * 2 * 2 + storeA + 20);
    expect(r.body.periods).toHaveLength(13);
    expect(r.body.periods[1].start).toBe('2026-11-08');
    for (const p of r.body.periods) expect(p.mean).toBeGreaterThan(70);
    for (const p of r.body.periods) expect(p.mean).toBeLessThan(95);
  });

  it('exports the history and the forecast to Excel, one row per period, headers in the caller language', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/planning/forecasts?asOf=${AS_OF}&sku=${sku}&store=${stores.a}&history=70&format=xlsx`, {
      headers: { authorization: `Bearer ${tokens.planner}`, 'accept-language': 'en' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    expect(r.headers.get('content-disposition')).toContain('.xlsx');
    const rows: Record<string, string>[] = [];
    for await (const row of readTable(Buffer.from(await r.arrayBuffer()), 'xlsx')) rows.push(row.values);
    expect(rows).toHaveLength(70 + 28);
    expect(rows[0]).toMatchObject({ Kind: 'history', Day: dayOf(70), 'Units sold': String(WEEK[weekdayOf(dayOf(70))]) });
    expect(rows[70]).toMatchObject({ Kind: 'forecast', Day: AS_OF });
    expect(Number(rows[70]?.Forecast)).toBeCloseTo(WEEK[weekdayOf(AS_OF)]!, 1);
    expect(Number(rows[70]?.['Upper (95%)'])).toBeGreaterThanOrEqual(Number(rows[70]?.Forecast));
  });

  it('a province adds up the stores of all its cities', async () => {
    const r = await get('planner', `sku=${sku}&region=${province}&horizon=4&level=0.8`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.region.level).toBe('province');
    expect(r.body.level).toBe(0.8);
    expect(r.body.periods).toHaveLength(4);
  });

  it('refuses roles other than planners and the admin', async () => {
    for (const user of ['sales', 'distributor', 'store']) expect((await get(user, `sku=${sku}&store=${stores.a}`)).status).toBe(403);
  });
});

describe('bad input: problem+json with a pointer and a stable code', () => {
  const cases: [string, string, number, string, string][] = [
    ['an unknown SKU', 'sku=NO-SUCH-SKU&store=STORE_A', 404, '/query/sku', 'planning.unknown_sku'],
    ['an unknown store', 'sku=SKU&store=NO-SUCH-STORE', 404, '/query/store', 'planning.unknown_store'],
    ['an unknown region', 'sku=SKU&region=99', 404, '/query/region', 'planning.unknown_region'],
    ['a district as region', 'sku=SKU&region=DISTRICT', 404, '/query/region', 'planning.unknown_region'],
    ['both a store and a region', 'sku=SKU&store=STORE_A&region=CITY', 400, '/query/region', 'planning.store_or_region'],
    ['neither store nor region', 'sku=SKU', 400, '/query/store', 'planning.store_or_region'],
    ['a weekly horizon over a year', 'sku=SKU&region=CITY&horizon=60', 400, '/query/horizon', 'planning.horizon_range'],
    ['a weekly history over three years', 'sku=SKU&region=CITY&history=157', 400, '/query/history', 'planning.history_range'],
    ['a history window too short to learn from', 'sku=SKU&store=STORE_A&history=7', 400, '/query/history', 'field.invalid'],
    ['an as-of day before 2000', 'sku=SKU&store=STORE_A&asOf=0001-01-01', 400, '/query/asOf', 'planning.as_of_range'],
    ['too little history (20 days for 28)', 'sku=SKU&store=STORE_S', 422, '/query/horizon', 'planning.too_little_history'],
  ];
  for (const [what, q, status, pointer, code] of cases)
    it(what, async () => {
      const r = await get(
        'planner',
        q.replace('SKU', sku).replace('STORE_A', stores.a).replace('STORE_S', stores.s).replace('CITY', city).replace('DISTRICT', district),
      );
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.type).toMatch(/application\/problem\+json/);
      expect(problems(r)).toEqual([[pointer, code]]);
    });
  it('says how much history is needed and how much there is, in the caller language', async () => {
    const r = await call('planner', 'GET', `/api/v1/planning/forecasts?asOf=${AS_OF}&sku=${sku}&store=${stores.s}`, undefined, {
      'accept-language': 'en',
    });
    expect(r.body).toMatchObject({ code: 'planning.too_little_history', needed: 56, have: 20, unit: 'day' });
    expect(r.body.detail).toBe('Too little history: a horizon of 28 needs at least 56 periods (days) from the first sale; there are 20');
    const zh = await get('planner', `sku=${sku}&store=${stores.s}&horizon=7`);
    expect(zh.status).toBe(200);
  });
  it('a horizon of 0 or over 90 days is refused by the schema', async () => {
    for (const h of [0, 91]) {
      const r = await get('planner', `sku=${sku}&store=${stores.a}&horizon=${h}`);
      expect(r.status).toBe(400);
      expect(problems(r)[0]?.[0]).toBe('/query/horizon');
    }
  });
});

describe('GET /api/v1/planning/forecasts/series', () => {
  // the forecast page offered the first stores and SKUs by code, with no word of which had sales: on the demo brand
  // (100,000 stores, 200 SKUs, a history for 48 stores and 12 SKUs) the pickers opened on series with none
  it('names the store x SKU series with sales in the 91 days before asOf, best sellers first', async () => {
    const r = await call('planner', 'GET', `/api/v1/planning/forecasts/series?asOf=${AS_OF}&sku=${sku}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ from: dayOf(91), to: dayOf(1) });
    // B 50 a day; A 13 weeks of the pattern (52 a week); A2 and A3 2 a day; S 20 days of 1
    expect(r.body.items.map((x: { store: { code: string }; units: number }) => [x.store.code, x.units])).toEqual([
      [stores.b, 50 * 91],
      [stores.a, 52 * 13],
      ...[stores.a2, stores.a3].sort().map((c) => [c, 2 * 91]),
      [stores.s, 20],
    ]);
    expect(r.body.items[0]).toMatchObject({ sku, gtin, days: 91, first: dayOf(91), last: dayOf(1) });
    expect(r.body.items[0].store.name).toBeTruthy();
    expect(r.body.items[0].nameZh).toBeTruthy();

    // at one store: that store's series only; a limit keeps the best sellers
    const one = await call('planner', 'GET', `/api/v1/planning/forecasts/series?asOf=${AS_OF}&store=${stores.s}`);
    expect(one.body.items).toEqual([
      expect.objectContaining({ sku, units: 20, days: 20, store: expect.objectContaining({ code: stores.s }) }),
    ]);
    const top = await call('planner', 'GET', `/api/v1/planning/forecasts/series?asOf=${AS_OF}&sku=${sku}&limit=1`);
    expect(top.body.items.map((x: { store: { code: string } }) => x.store.code)).toEqual([stores.b]);
    // nothing sold in the window before an earlier day
    const before = await call('planner', 'GET', `/api/v1/planning/forecasts/series?asOf=${dayOf(500)}&sku=${sku}`);
    expect(before.body.items).toEqual([]);
    // an unknown SKU is named; the sales role does not forecast
    expect((await call('planner', 'GET', '/api/v1/planning/forecasts/series?sku=NOPE')).status).toBe(404);
    expect((await call('sales', 'GET', '/api/v1/planning/forecasts/series')).status).toBe(403);
  });
});

describe('forecastStoresBulk (the long run for the job queue)', () => {
  it('forecasts every store x SKU with facts, names the ones with too little history, and reports progress', async () => {
    const progress: [number, number][] = [];
    const r = await forecastStoresBulk(server.db.sql, tenant, { asOf: AS_OF, skus: [sku], workers: 0 }, (done, total) =>
      progress.push([done, total]),
    );
    expect(r.rows.map((x) => x.store).sort()).toEqual([stores.a, stores.a2, stores.a3, stores.b, stores.s].sort());
    const a = r.rows.find((x) => x.store === stores.a)!;
    expect(a.mean.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(Array.from({ length: 28 }, (_, i) => WEEK[weekdayOf(dayOf(-i))]!));
    const b = r.rows.find((x) => x.store === stores.b)!;
    for (const v of b.mean) expect(v).toBeCloseTo(50, 6);
    const s = r.rows.find((x) => x.store === stores.s)!;
    expect(s.model).toBeNull();
    expect(s.reason).toMatch(/20 points from the first sale, 56 needed/);
    expect(progress.at(-1)).toEqual([5, 5]);
  });
});
