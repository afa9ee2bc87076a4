import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectAll } from '../../src/modules/analytics/index.ts';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { businessToday } from '../../src/modules/inventory/sell-through.ts';
import { readTable, type TableRow, XLSX_TYPE } from '../../src/platform/tabular/index.ts';
import { apiClient } from '../support/api-client.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';
import { captureOverHttp } from '../support/epcis.ts';

/**
 * Channel analytics as the brand and its channel read it: events captured and orders placed through the product
 * become facts (checked row by row against direct counts of the source tables), every dashboard answers what a
 * direct count says inside the viewer's data scope, exports to Excel, and bad filters are refused with a pointer
 * and a stable code.
 */
let server: TestServer;
let tenant: number;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const today = businessToday(new Date());
let gtin: string;
let sku: string;
let category: string;
let serials: string[];
const P: Record<'F' | 'D' | 'S1' | 'D2' | 'S2', { id: number; code: string; gln: string; province: string; city: string }> = {} as never;

const sql = () => server.db.sql;
const q = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries({ from: today, to: today, ...params }).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  ).toString();

async function party(where: string) {
  const rows = await sql().unsafe(
    `select p.id, p.code, p.gln, p.province_code, p.city_code from parties p where p.tenant_id = $1 and p.gln is not null and ${where} order by p.code limit 1`,
    [tenant],
  );
  const r = rows[0];
  if (!r) throw new Error(`no party where ${where}`);
  return {
    id: Number(r.id),
    code: String(r.code),
    gln: String(r.gln),
    province: String(r.province_code ?? ''),
    city: String(r.city_code ?? ''),
  };
}

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, analytics: { projector: false } });
  const [t] = await sql()<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const [p] = await sql()<{ gtin: string; sku: string; category: string }[]>`
    select gtin, sku, category from products where tenant_id = ${tenant} and status = 'active' order by sku desc limit 1`;
  gtin = p?.gtin as string;
  sku = p?.sku as string;
  category = p?.category as string;
  P.F = await party(`p.code = 'F01'`);
  P.D = await party(`p.id = (select party_id from users where tenant_id = p.tenant_id and username = 'distributor')`);
  P.S1 = await party(`p.kind = 'store' and p.parent_id = ${P.D.id}`);
  P.D2 = await party(
    `p.kind = 'distributor' and not (${P.D.id} = any(p.ancestors)) and p.id <> ${P.D.id} and p.province_code <> '${P.D.province}'
     and exists (select 1 from parties s where s.parent_id = p.id and s.kind = 'store' and s.gln is not null)`,
  );
  P.S2 = await party(`p.kind = 'store' and p.parent_id = ${P.D2.id}`);

  const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
  // real codes of a batch (a consumer's scan of a code the brand never made is not a sale)
  const admin = await loginAs(server.baseUrl, 'admin');
  const keys = await new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64')).keyring(sql(), tenant);
  const batch = await call('admin', 'POST', '/api/v1/code-batches', { gtin, quantity: 60 });
  expect(batch.status, JSON.stringify(batch.body)).toBe(201);
  serials = serialsFor(keys, { gtin, keyVersion: batch.body.keyVersion, batchNo: batch.body.batchNo }, 0, 60);
  const units = (prefix: 'A' | 'B', from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `https://id.gs1.org/01/${gtin}/21/${serials[(prefix === 'A' ? 0 : 40) + from + i]}`);
  // The events happened in the last half hour, but never before the business day's midnight (Asia/Shanghai, 16:00
  // UTC): the dashboards below are asked about today, and so are the orders and scans made at the real present.
  const midnight = Date.parse(`${today}T00:00:00+08:00`);
  if (Date.now() - midnight < 30_000) await new Promise((r) => setTimeout(r, 30_000 - (Date.now() - midnight)));
  let minute = 0;
  const now = Math.max(Date.now() - 30 * 60_000, midnight);
  const step = (epcs: string[], bizStep: string, where: string, to?: string) => ({
    type: 'ObjectEvent',
    eventTime: new Date(now + minute++ * 1_000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    epcList: epcs,
    action: bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
    bizStep,
    bizLocation: at(where),
    ...(bizStep === 'commissioning' ? { ilmd: { 'cbvmda:lotNumber': 'AN1' } } : {}),
    ...(to ? { destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${to}` }] } : {}),
  });
  const capture = (...events: object[]) => captureOverHttp(server.baseUrl, admin, events);
  await capture(step(units('A', 0, 40), 'commissioning', P.F.gln), step(units('B', 0, 20), 'commissioning', P.F.gln));
  // the factory ships 30 to D (D receives 25 of them) and 20 to D2
  await capture(step(units('A', 0, 30), 'shipping', P.F.gln, P.D.gln), step(units('B', 0, 20), 'shipping', P.F.gln, P.D2.gln));
  await capture(step(units('A', 0, 25), 'receiving', P.D.gln), step(units('B', 0, 20), 'receiving', P.D2.gln));
  // D ships 10 to its store S1 and 2 to S2 (another distributor's store, elsewhere: diversion); D2 ships 8 to S2
  await capture(
    step(units('A', 0, 10), 'shipping', P.D.gln, P.S1.gln),
    step(units('A', 10, 2), 'shipping', P.D.gln, P.S2.gln),
    step(units('B', 0, 8), 'shipping', P.D2.gln, P.S2.gln),
  );
  await capture(
    step(units('A', 0, 10), 'receiving', P.S1.gln),
    step(units('A', 10, 2), 'receiving', P.S2.gln),
    step(units('B', 0, 8), 'receiving', P.S2.gln),
  );
  // S1 sells 6, S2 sells 3
  await capture(step(units('A', 0, 6), 'retail_selling', P.S1.gln), step(units('B', 0, 3), 'retail_selling', P.S2.gln));
  // consumers scan two of S1's sold units, one of them twice
  for (const serial of [serials[0], serials[1], serials[1]])
    await fetch(`${server.baseUrl}/01/${gtin}/21/${serial}`, { headers: { accept: 'text/html' } });

  // orders: D orders 12 from the brand, and 5 more that it cancels
  await call('admin', 'POST', '/api/v1/price-lists', { code: 'AN', name: '分析', scope: 'base', items: [{ sku, priceFen: 1500 }] });
  await call('admin', 'POST', '/api/v1/funds/deposits', { party: P.D.code, amountFen: 10_000_000 });
  const kept = await call('distributor', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: 12 }] });
  expect(kept.status, JSON.stringify(kept.body)).toBe(201);
  const dropped = await call('distributor', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: 5 }] });
  expect(dropped.status, JSON.stringify(dropped.body)).toBe(201);
  const cancel = await call('distributor', 'POST', `/api/v1/orders/${dropped.body.id}/cancel`, { reason: 'test' });
  expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);

  await projectAll(sql());
}, 120_000);
afterAll(async () => server?.close());

describe('the facts', () => {
  it('has nothing left to project once the projector has run', async () => {
    const r = await call('admin', 'GET', '/api/v1/analytics/freshness');
    expect(r.body).toMatchObject({ pending: 0, oldestMs: null });
  });

  it('counts units out per party, SKU and day exactly as the sell-through rollup does', async () => {
    const source = await sql()<{ party: number; gtin: string; day: string; n: number }[]>`
      select holder_party_id::int as party, gtin::text, day::text, units_out::int as n from sell_through_daily
      where tenant_id = ${tenant} and units_out <> 0 order by 1, 2, 3`;
    const facts = await sql()<{ party: number; gtin: string; day: string; n: number }[]>`
      select party_id::int as party, gtin::text, day::text, units_out::int as n from an_party_day
      where tenant_id = ${tenant} and units_out <> 0 order by 1, 2, 3`;
    expect(facts).toEqual(source);
    const mine = facts.filter((f) => f.gtin === gtin && f.day === today);
    expect(Object.fromEntries(mine.map((f) => [f.party, f.n]))).toMatchObject({
      [P.F.id]: 50,
      [P.D.id]: 12,
      [P.D2.id]: 8,
      [P.S1.id]: 6,
      [P.S2.id]: 3,
    });
  });

  it('counts units shipped toward and received by each party', async () => {
    const rows = await sql()<{ party: number; shipped: number; received: number }[]>`
      select party_id::int as party, sum(shipped_in)::int as shipped, sum(received_in)::int as received from an_party_day
      where tenant_id = ${tenant} and gtin = ${gtin} and day = ${today} group by 1`;
    const by = Object.fromEntries(rows.map((r) => [r.party, { shipped: r.shipped, received: r.received }]));
    expect(by[P.D.id]).toEqual({ shipped: 30, received: 25 });
    expect(by[P.D2.id]).toEqual({ shipped: 20, received: 20 });
    expect(by[P.S1.id]).toEqual({ shipped: 10, received: 10 });
    expect(by[P.S2.id]).toEqual({ shipped: 10, received: 10 });
  });

  it('keeps stock by city and level equal to the stock projection', async () => {
    const source = await sql()<{ city: string; kind: string; gtin: string; on_hand: number; in_transit: number }[]>`
      select coalesce(p.city_code, '') as city, p.kind, s.gtin::text, sum(s.on_hand)::int as on_hand, sum(s.in_transit_in)::int as in_transit
      from stock s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
      where s.tenant_id = ${tenant} group by 1, 2, 3 having sum(s.on_hand) <> 0 or sum(s.in_transit_in) <> 0 order by 1, 2, 3`;
    const facts = await sql()<{ city: string; kind: string; gtin: string; on_hand: number; in_transit: number }[]>`
      select city_code as city, kind, gtin::text, on_hand::int, in_transit::int from an_stock_city
      where tenant_id = ${tenant} and (on_hand <> 0 or in_transit <> 0) order by 1, 2, 3`;
    expect(facts).toEqual(source);
  });

  it('counts orders placed less the cancelled ones, by buyer and SKU', async () => {
    const [source] = await sql()<{ units: number; fen: number }[]>`
      select coalesce(sum(l.quantity), 0)::int as units, coalesce(sum(l.amount_fen), 0)::int as fen from orders o
      join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
      where o.tenant_id = ${tenant} and o.buyer_party_id = ${P.D.id} and o.status not in ('cancelled', 'rejected')`;
    const [facts] = await sql()<{ units: number; fen: number }[]>`
      select sum(ordered_units)::int as units, sum(ordered_fen)::int as fen from an_party_day where tenant_id = ${tenant} and party_id = ${P.D.id}`;
    expect(source).toEqual({ units: 12, fen: 12 * 1500 });
    expect(facts).toEqual(source);
  });

  it('counts consumer scans of genuine units for the store that sold them', async () => {
    const [source] = await sql()<{ n: number }[]>`
      select count(*)::int as n from consumer_scans s join code_now c on c.tenant_id = s.tenant_id and c.epc = s.epc
      where s.tenant_id = ${tenant} and c.holder_party_id = ${P.S1.id} and s.verdict like 'genuine%'`;
    const [facts] = await sql()<{ n: number }[]>`
      select coalesce(sum(scans), 0)::int as n from an_party_day where tenant_id = ${tenant} and party_id = ${P.S1.id}`;
    expect(source?.n).toBe(3);
    expect(facts?.n).toBe(source?.n);
  });

  it('counts diversion alerts by distributor and by where the code turned up', async () => {
    const source = await sql()<{ distributor: number; n: number }[]>`
      select distributor_id::int as distributor, count(*)::int as n from diversion_alerts where tenant_id = ${tenant} group by 1 order by 1`;
    const facts = await sql()<{ distributor: number; n: number }[]>`
      select distributor_id::int as distributor, sum(alerts)::int as n from an_diversion_day where tenant_id = ${tenant} group by 1 order by 1`;
    expect(facts).toEqual(source);
    expect(source.find((s) => s.distributor === P.D.id)?.n).toBe(2);
    const [monthly] = await sql()<{ n: number }[]>`
      select sum(diversions)::int as n from an_party_month where tenant_id = ${tenant} and party_id = ${P.D.id}`;
    expect(monthly?.n).toBe(2);
  });

  it('adds up to the same figures at every grain', async () => {
    const total = (table: string, extra = '') =>
      sql().unsafe(
        `select coalesce(sum(units_out), 0)::int as out, coalesce(sum(shipped_in), 0)::int as shipped, coalesce(sum(received_in), 0)::int as received,
           coalesce(sum(ordered_fen), 0)::int as fen, coalesce(sum(scans), 0)::int as scans
         from ${table} where tenant_id = $1 ${extra}`,
        [tenant],
      );
    const [a] = await total('an_party_day');
    for (const t of ['an_city_day', 'an_province_day', 'an_province_cat_day', 'an_province_sku_day', 'an_party_month'])
      expect(await total(t), t).toEqual([a]);
    // the distributor grain holds D's own figures and those of its stores
    const [d] = await total('an_dist_day', `and distributor_id = ${P.D.id}`);
    const [direct] = await total(
      'an_party_day',
      `and party_id in (select id from parties where tenant_id = ${tenant} and (id = ${P.D.id} or ${P.D.id} = any(ancestors)))`,
    );
    expect(d).toEqual(direct);
  });
});

describe('the dashboards', () => {
  const sellOut = async (where: string) => {
    const [r] = await sql().unsafe(
      `select coalesce(sum(t.units_out), 0)::int as n from sell_through_daily t join parties p on p.tenant_id = t.tenant_id and p.id = t.holder_party_id
       where t.tenant_id = $1 and p.kind = 'store' and t.day = $2 and ${where}`,
      [tenant, today],
    );
    return Number(r?.n);
  };

  it('gives the brand the channel overview with the next level down, and drills from province to city to party', async () => {
    const all = await call('admin', 'GET', `/api/v1/analytics/overview?${q({})}`);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.totals.sellOutUnits).toBe(await sellOut('true'));
    expect(all.body.totals.sellInFen).toBeGreaterThanOrEqual(12 * 1500);
    const province = all.body.breakdown.find((b: { code: string }) => b.code === P.S1.province);
    expect(province).toMatchObject({ level: 'province', sellOutUnits: await sellOut(`p.province_code = '${P.S1.province}'`) });

    const cities = await call('admin', 'GET', `/api/v1/analytics/overview?${q({ region: P.S1.province, gtin })}`);
    expect(cities.body.breakdown.every((b: { level: string }) => b.level === 'city')).toBe(true);
    expect(cities.body.breakdown.find((b: { code: string }) => b.code === P.S1.city)?.sellOutUnits).toBe(
      6 + (P.S2.city === P.S1.city ? 3 : 0),
    );

    const parties = await call('admin', 'GET', `/api/v1/analytics/overview?${q({ region: P.S1.city, gtin })}`);
    expect(parties.body.breakdown.find((b: { partyId: number }) => b.partyId === P.S1.id)).toMatchObject({
      level: 'party',
      sellOutUnits: 6,
    });

    const d = await call('admin', 'GET', `/api/v1/analytics/overview?${q({ party: P.D.id, gtin })}`);
    expect(d.body.totals).toMatchObject({
      sellInUnits: 30,
      sellInReceived: 25,
      sellThroughUnits: 12,
      sellOutUnits: 6,
      consumerScans: 3,
      sellInFen: 18000,
    });
    expect(d.body.series).toEqual([expect.objectContaining({ day: today, sellOutUnits: 6 })]);
  });

  it('narrows to a category as a direct count over its products does', async () => {
    const r = await call('admin', 'GET', `/api/v1/analytics/overview?${q({ category, party: P.D.id })}`);
    const [direct] = await sql()<{ n: number }[]>`
      select coalesce(sum(t.units_out), 0)::int as n from sell_through_daily t
      join products pr on pr.tenant_id = t.tenant_id and pr.gtin = t.gtin and pr.category = ${category}
      where t.tenant_id = ${tenant} and t.day = ${today}
        and t.holder_party_id in (select id from parties where tenant_id = ${tenant} and kind = 'store' and ${P.D.id} = any(ancestors))`;
    expect(r.body.totals.sellOutUnits).toBe(direct?.n);
    expect(r.body.totals.sellOutUnits).toBeGreaterThanOrEqual(6);
  });

  it('shows a distributor only itself and its stores, and refuses another distributor as unknown', async () => {
    const mine = await call('distributor', 'GET', `/api/v1/analytics/overview?${q({ gtin })}`);
    expect(mine.status).toBe(200);
    expect(mine.body.totals).toMatchObject({ sellThroughUnits: 12, sellOutUnits: 6, sellInUnits: 30 });
    const whole = await call('distributor', 'GET', `/api/v1/analytics/overview?${q({})}`);
    const subtree = `p.id in (select id from parties where tenant_id = ${tenant} and (id = ${P.D.id} or ${P.D.id} = any(ancestors)))`;
    expect(whole.body.totals.sellOutUnits).toBe(await sellOut(subtree));
    for (const path of ['overview', 'stock', 'map', 'flows', 'scorecards', 'store-rankings']) {
      const other = await call('distributor', 'GET', `/api/v1/analytics/${path}?${q({ party: P.D2.id })}`);
      expect(other.status, path).toBe(400);
      expect(other.body.errors).toEqual([expect.objectContaining({ pointer: '/query/party', code: 'analytics.unknown_party' })]);
    }
    const ranks = await call('distributor', 'GET', `/api/v1/analytics/store-rankings?${q({})}`);
    expect(ranks.body.items.map((i: { partyId: number }) => i.partyId)).not.toContain(P.S2.id);
    const cards = await call('distributor', 'GET', `/api/v1/analytics/scorecards?${q({})}`);
    expect(cards.body.items.map((i: { partyId: number }) => i.partyId)).toEqual([P.D.id]);
  });

  it('gives stock and days of supply per level as the stock projection and the sell-through say', async () => {
    const r = await call('admin', 'GET', `/api/v1/analytics/stock?${q({ gtin })}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const levels = Object.fromEntries(r.body.levels.map((l: { level: string }) => [l.level, l]));
    const [store] = await sql()<{ n: number }[]>`
      select coalesce(sum(s.on_hand), 0)::int as n from stock s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
      where s.tenant_id = ${tenant} and s.gtin = ${gtin} and p.kind = 'store'`;
    expect(levels.store.onHand).toBe(store?.n);
    expect(levels.store.dailyOut).toBeCloseTo(9 / 28, 6);
    expect(levels.store.daysOfSupply).toBeCloseTo(Math.round(((store?.n ?? 0) / (9 / 28)) * 10) / 10, 6);
    expect(levels.distributor).toMatchObject({ onHand: 25 - 12 + 20 - 8, inTransit: 5 });
    // the stock is now's, so the outflow it is divided by is the 28 days up to today, and the answer says so
    const windowFrom = new Date(Date.parse(`${today}T00:00:00Z`) - 27 * 86_400_000).toISOString().slice(0, 10);
    expect(r.body.basis).toMatchObject({ dailyOutFrom: windowFrom, dailyOutTo: today, days: 28 });
    // a past period does not divide today's stock by that period's outflow (it gave no outflow, so no days of supply)
    const pastTo = new Date(Date.parse(`${today}T00:00:00Z`) - 60 * 86_400_000).toISOString().slice(0, 10);
    const past = await call('admin', 'GET', `/api/v1/analytics/stock?${q({ gtin, from: pastTo, to: pastTo })}`);
    expect(past.status, JSON.stringify(past.body)).toBe(200);
    expect(past.body.basis).toMatchObject({ dailyOutFrom: windowFrom, dailyOutTo: today });
    expect(past.body.levels).toEqual(r.body.levels);
    const d = await call('distributor', 'GET', `/api/v1/analytics/stock?${q({ gtin })}`);
    expect(Object.fromEntries(d.body.levels.map((l: { level: string; onHand: number }) => [l.level, l.onHand]))).toEqual({
      distributor: 13,
      store: 4,
    });
  });

  it('maps sales, scans, stock and diversion alerts by province', async () => {
    const r = await call('admin', 'GET', `/api/v1/analytics/map?${q({ gtin })}`);
    expect(r.status).toBe(200);
    const s1 = r.body.rows.find((x: { code: string }) => x.code === P.S1.province);
    expect(s1.sellOutUnits).toBe(6 + (P.S2.province === P.S1.province ? 3 : 0));
    const alerts = await sql()<{ province: string; n: number }[]>`
      select left(coalesce(actual_division, ''), 2) as province, count(*)::int as n from diversion_alerts where tenant_id = ${tenant} group by 1`;
    for (const a of alerts) expect(r.body.rows.find((x: { code: string }) => x.code === a.province)?.diversionAlerts).toBe(a.n);
  });

  it('shows the flow of ordered goods, scorecards with scan compliance, store rankings and a launch', async () => {
    const flows = await call('admin', 'GET', `/api/v1/analytics/flows?${q({})}`);
    expect(flows.status).toBe(200);
    const toD = flows.body.links.find((l: { target: string }) => l.target === `p${P.D.id}`);
    expect(toD).toMatchObject({ orderedUnits: 12, orderedFen: 18000 });

    // by month (party x month) the same as by SKU: only this SKU moved through D this month
    const monthly = await call('admin', 'GET', `/api/v1/analytics/scorecards?${q({ party: P.D.id })}`);
    expect(monthly.body.items).toEqual([expect.objectContaining({ partyId: P.D.id, shippedUnits: 12, receivedDownstream: 10 })]);
    const cards = await call('admin', 'GET', `/api/v1/analytics/scorecards?${q({ gtin })}`);
    const d = cards.body.items.find((i: { partyId: number }) => i.partyId === P.D.id);
    // D shipped 12, its own store S1 received 10 of them (the 2 sent to S2 are not D's downstream)
    expect(d).toMatchObject({ shippedUnits: 12, receivedDownstream: 10, scanCompliance: 0.8333, diversionAlerts: 2, sellInFen: 18000 });

    const ranks = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${q({ gtin, limit: 10 })}`);
    expect(ranks.body.items.slice(0, 2)).toEqual([
      expect.objectContaining({ rank: 1, partyId: P.S1.id, sellOutUnits: 6, consumerScans: 3 }),
      expect.objectContaining({ rank: 2, partyId: P.S2.id, sellOutUnits: 3 }),
    ]);

    const launch = await call('admin', 'GET', `/api/v1/analytics/launches?${q({ gtin, region: P.S1.province })}`);
    expect(launch.status, JSON.stringify(launch.body)).toBe(200);
    expect(launch.body.pilot).toEqual({ stores: 1, soldUnits: 6, velocity: 6 });
    expect(launch.body.comparable).toEqual({ stores: 1, soldUnits: 3, velocity: 3 });
    expect(launch.body.ratio).toBe(2);
  });

  it('exports each dashboard’s table to Excel', async () => {
    for (const path of ['overview', 'stock', 'map', 'flows', 'scorecards', 'store-rankings', 'launches']) {
      const r = await fetch(`${server.baseUrl}/api/v1/analytics/${path}?${q({ gtin, region: P.S1.province, format: 'xlsx' })}`, {
        headers: { authorization: `Bearer ${tokens.admin}`, 'accept-language': 'en' },
      });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toContain(XLSX_TYPE);
      const json = await call('admin', 'GET', `/api/v1/analytics/${path}?${q({ gtin, region: P.S1.province })}`);
      const rows: TableRow[] = [];
      for await (const row of readTable(Buffer.from(await r.arrayBuffer()), 'xlsx')) rows.push(row);
      const expected = {
        overview: 'breakdown',
        stock: 'levels',
        map: 'rows',
        flows: 'links',
        scorecards: 'items',
        'store-rankings': 'items',
        launches: 'series',
      }[path] as string;
      expect(rows.length, path).toBe(json.body[expected].length);
      // money in yuan, as the console shows it (the API keeps fen)
      if (path === 'scorecards') {
        const first = json.body.items[0] as { sellInFen: number };
        expect(Number(rows[0]?.values['Sell-in ordered (yuan)']), path).toBe(first.sellInFen / 100);
        expect(first.sellInFen).toBeGreaterThan(0);
      }
      // the words a reader knows, as the console shows them: levels and kinds translated (they were the API's
      // 'province', 'warehouse'), daily out to one decimal (it was 1651.357142857143), the city by name (it was 1101)
      const values = (key: string) => rows.map((x) => String(x.values[key] ?? ''));
      if (path === 'overview') {
        expect(values('Level').length, path).toBeGreaterThan(0);
        for (const v of values('Level')) expect(['Province', 'City', 'Brand', 'Factory', 'Warehouse', 'Distributor', 'Store']).toContain(v);
      }
      if (path === 'stock') {
        expect(values('Level').length, path).toBeGreaterThan(0);
        for (const v of values('Level')) expect(['Brand', 'Factory', 'Warehouse', 'Distributor', 'Store']).toContain(v);
        for (const v of values('Daily out, 28 days to today (units)')) expect(v).toMatch(/^\d+(\.\d)?$/);
      }
      if (path === 'store-rankings') {
        expect(values('City').length, path).toBeGreaterThan(0);
        for (const v of values('City')) expect(v).toMatch(/^[A-Za-z]/);
      }
    }
    // in Chinese, the Chinese words
    const zh = await fetch(`${server.baseUrl}/api/v1/analytics/overview?${q({ format: 'xlsx' })}`, {
      headers: { authorization: `Bearer ${tokens.admin}`, 'accept-language': 'zh-CN' },
    });
    const zhRows: TableRow[] = [];
    for await (const row of readTable(Buffer.from(await zh.arrayBuffer()), 'xlsx')) zhRows.push(row);
    expect(zhRows.length).toBeGreaterThan(0);
    for (const row of zhRows) expect(row.values.层级).toBe('省份');
    expect(zhRows[0]?.values['订货金额（元）']).toBeDefined();
  });
});

describe('bad filters', () => {
  const refused = [
    ['an unknown region', { region: '999999' }, '/query/region', 'analytics.unknown_region'],
    ['an unknown SKU', { gtin: '09999999999999' }, '/query/gtin', 'analytics.unknown_sku'],
    ['an unknown category', { category: 'no-such-category' }, '/query/category', 'analytics.unknown_category'],
    ['a range that ends before it starts', { from: '2026-05-02', to: '2026-05-01' }, '/query/to', 'analytics.range_reversed'],
    ['a range longer than a year', { from: '2025-01-01', to: '2026-01-02' }, '/query/to', 'analytics.range_too_long'],
    ['an unknown party', { party: 999999999 }, '/query/party', 'analytics.unknown_party'],
  ] as const;
  for (const [what, params, pointer, code] of refused) {
    it(`refuses ${what} with problem+json, a pointer and a stable code`, async () => {
      for (const path of ['overview', 'stock', 'map', 'flows', 'scorecards', 'store-rankings']) {
        const r = await call('admin', 'GET', `/api/v1/analytics/${path}?${q(params)}`);
        expect(r.status, path).toBe(400);
        expect(r.type).toContain('application/problem+json');
        expect(r.body.errors, path).toEqual([expect.objectContaining({ pointer, code })]);
      }
    });
  }

  it('refuses a launch without a product or without a pilot', async () => {
    const noSku = await call('admin', 'GET', `/api/v1/analytics/launches?${q({ region: P.S1.province })}`);
    expect(noSku.body.errors).toEqual([expect.objectContaining({ pointer: '/query/gtin', code: 'analytics.launch_needs_sku' })]);
    const noPilot = await call('admin', 'GET', `/api/v1/analytics/launches?${q({ gtin })}`);
    expect(noPilot.body.errors).toEqual([expect.objectContaining({ pointer: '/query/region', code: 'analytics.launch_needs_pilot' })]);
  });

  it('refuses a malformed region or date at the boundary', async () => {
    const r = await call('admin', 'GET', `/api/v1/analytics/overview?${q({ region: '44x' })}`);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].pointer).toBe('/query/region');
  });
});
