import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeRankings } from '../../src/modules/analytics/channel-reports.ts';
import { projectAll } from '../../src/modules/analytics/index.ts';
import type { Filters, View } from '../../src/modules/analytics/view.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * Store rankings: the brand's national ranking of one month reads the kept order of the stores' month rows
 * (index an_party_month_store_top, migration 0031) and answers exactly what the aggregate answers, ties included;
 * every narrower request (a distributor's or a sales rep's scope, a region, several months) reads the aggregate.
 * Both are checked against a ranking computed here from the month rows themselves.
 */
let server: TestServer;
let tenant: number;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const sql = () => server.db.sql;

const FEB = { from: '2025-02-01', to: '2025-02-28' };
const MAR = { from: '2025-03-01', to: '2025-03-31' };
let distributorStores: Set<number>;
let stores: { id: number; province: string; city: string; parent: number | null }[];

interface Rank {
  partyId: number;
  sellOutUnits: number;
  consumerScans: number;
  receivedUnits: number;
  cityCode: string;
}

/** The ranking as its definition says, from the store month rows inside [from, to] and a set of stores. */
async function expected(from: string, to: string, inScope: (id: number) => boolean, limit: number): Promise<Rank[]> {
  const rows = await sql()<{ party_id: number; city_code: string; units_out: number; scans: number; received_in: number }[]>`
    select party_id, city_code, units_out, scans, received_in from an_party_month
    where tenant_id = ${tenant} and kind = 'store' and month between ${from}::date and ${to}::date`;
  const by = new Map<number, Rank>();
  for (const r of rows) {
    const id = Number(r.party_id);
    if (!inScope(id)) continue;
    const x = by.get(id) ?? { partyId: id, sellOutUnits: 0, consumerScans: 0, receivedUnits: 0, cityCode: r.city_code };
    x.sellOutUnits += Number(r.units_out);
    x.consumerScans += Number(r.scans);
    x.receivedUnits += Number(r.received_in);
    by.set(id, x);
  }
  return [...by.values()]
    .sort((a, b) => b.sellOutUnits - a.sellOutUnits || b.consumerScans - a.consumerScans || a.partyId - b.partyId)
    .slice(0, limit);
}

const picked = (items: (Rank & { rank: number })[]) =>
  items.map(({ partyId, sellOutUnits, consumerScans, receivedUnits, cityCode }) => ({
    partyId,
    sellOutUnits,
    consumerScans,
    receivedUnits,
    cityCode,
  }));

const query = (p: Record<string, string | number>) => new URLSearchParams(Object.entries(p).map(([k, v]) => [k, String(v)])).toString();

const wholeTenant = (): View => ({ mode: 'tenant', provinces: null, cities: null });
const filters = (from: string, to: string): Filters => ({
  tenantId: tenant,
  from,
  to,
  days: (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1,
  region: null,
  gtin: null,
  category: null,
  party: null,
});

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, analytics: { projector: false } });
  const [t] = await sql()<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  stores = (
    await sql()<{ id: number; province_code: string; city_code: string; parent_id: number | null }[]>`
      select id, province_code, city_code, parent_id from parties where tenant_id = ${tenant} and kind = 'store' order by id`
  ).map((r) => ({
    id: Number(r.id),
    province: r.province_code,
    city: r.city_code,
    parent: r.parent_id == null ? null : Number(r.parent_id),
  }));
  const [d] = await sql()<{ party_id: number }[]>`select party_id from users where tenant_id = ${tenant} and username = 'distributor'`;
  const dist = Number(d?.party_id);
  distributorStores = new Set(
    (
      await sql()<{ id: number }[]>`
        select id from parties where tenant_id = ${tenant} and kind = 'store' and (parent_id = ${dist} or ${dist} = any(ancestors))`
    ).map((r) => Number(r.id)),
  );
  // a month of facts with many ties (units sold 0-3, scans 0-2), the distributor's stores near the bottom (so the
  // national top N holds few of them), a distributor outselling every store (not a store: never ranked), and
  // a second month with other figures
  await sql()`
    insert into an_party_month (tenant_id, party_id, month, kind, province_code, city_code, parent_id, units_out, scans, received_in)
    select p.tenant_id, p.id, m.month, p.kind, coalesce(p.province_code, ''), coalesce(p.city_code, ''), p.parent_id,
      case when p.kind <> 'store' then 1000
           when p.id = any(${[...distributorStores]}::bigint[]) then (p.id * 7 + m.k) % 2
           else (p.id * 7 + m.k) % 4 end,
      (p.id / 4 + m.k) % 3, (p.id + m.k) % 5
    from parties p cross join (values (${FEB.from}::date, 0), (${MAR.from}::date, 1)) m(month, k)
    where p.tenant_id = ${tenant} and p.kind in ('store', 'distributor')
    on conflict (tenant_id, party_id, month) do nothing`;
});

afterAll(async () => {
  await server?.close();
});

describe('store rankings', () => {
  it('has a dataset with ties on units and scans, and more stores than a page', async () => {
    const all = await expected(FEB.from, FEB.to, () => true, 100_000);
    expect(all.length).toBe(stores.length);
    expect(stores.length).toBeGreaterThan(60);
    const pairs = all.slice(1).map((r, i) => [all[i] as Rank, r] as const);
    const sameUnits = pairs.filter(([a, b]) => a.sellOutUnits === b.sellOutUnits);
    // ties on units broken by scans, and ties on both broken by the party id
    expect(sameUnits.filter(([a, b]) => a.consumerScans !== b.consumerScans).length).toBeGreaterThan(3);
    expect(sameUnits.filter(([a, b]) => a.consumerScans === b.consumerScans).length).toBeGreaterThan(10);
  });

  it("reads the brand's national ranking of a month from the kept order, identical to the aggregate", async () => {
    for (const limit of [1, 7, 50, 500]) {
      const r = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, limit })}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.grain).toBe('an_party_month_store_top');
      const exact = await storeRankings(sql(), filters(FEB.from, FEB.to), wholeTenant(), limit, { exact: true });
      expect(exact.grain).toBe('an_party_month');
      expect(r.body.items).toEqual(exact.items);
      expect(picked(r.body.items)).toEqual(await expected(FEB.from, FEB.to, () => true, limit));
      expect(r.body.items.map((i: { rank: number }) => i.rank)).toEqual(r.body.items.map((_: unknown, i: number) => i + 1));
    }
  });

  it('ranks only the stores a distributor sees, though the national top holds few of them', async () => {
    const national = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, limit: 20 })}`);
    const nationalMine = national.body.items.filter((i: Rank) => distributorStores.has(i.partyId)).length;
    const want = await expected(FEB.from, FEB.to, (id) => distributorStores.has(id), 20);
    expect(nationalMine).toBeLessThan(want.length);
    const r = await call('distributor', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, limit: 20 })}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.grain).toBe('an_party_month');
    expect(want.length).toBe(20);
    expect(picked(r.body.items)).toEqual(want);
  });

  it("ranks a sales rep's territories, a province and several months by the aggregate", async () => {
    const inProvinces = (codes: string[]) => {
      const ids = new Set(stores.filter((s) => codes.includes(s.province)).map((s) => s.id));
      return (id: number) => ids.has(id);
    };
    const rep = await call('sales', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, limit: 30 })}`);
    expect(rep.status, JSON.stringify(rep.body)).toBe(200);
    expect(rep.body.grain).toBe('an_party_month');
    expect(rep.body.items.length).toBeGreaterThan(0);
    expect(picked(rep.body.items)).toEqual(await expected(FEB.from, FEB.to, inProvinces(['11', '13']), 30));

    const province = stores[0]?.province as string;
    const one = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, region: province, limit: 30 })}`);
    expect(one.body.grain).toBe('an_party_month');
    expect(picked(one.body.items)).toEqual(await expected(FEB.from, FEB.to, inProvinces([province]), 30));

    const two = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ from: FEB.from, to: MAR.to, limit: 40 })}`);
    expect(two.body.grain).toBe('an_party_month');
    expect(picked(two.body.items)).toEqual(await expected(FEB.from, MAR.to, () => true, 40));

    const days = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ from: FEB.from, to: '2025-02-27' })}`);
    expect(days.body.grain).toBe('an_party_day');
  });

  it('follows the projector: a store that sells more moves up in the next pass', async () => {
    const before = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, limit: 500 })}`);
    const last = before.body.items.at(-1) as Rank;
    const top = before.body.items[0] as Rank;
    const [g] = await sql()<{ gtin: string }[]>`select gtin from products where tenant_id = ${tenant} order by sku limit 1`;
    // what a sell-scan's statement trigger appends: units out of the store on a day of February
    await sql()`
      insert into analytics_changes (tenant_id, day, party_id, gtin, units_out)
      values (${tenant}, '2025-02-10', ${last.partyId}, ${g?.gtin as string}, ${top.sellOutUnits + 1})`;
    await projectAll(sql());
    const after = await call('admin', 'GET', `/api/v1/analytics/store-rankings?${query({ ...FEB, limit: 5 })}`);
    expect(after.body.grain).toBe('an_party_month_store_top');
    expect(after.body.items[0]).toMatchObject({ rank: 1, partyId: last.partyId, sellOutUnits: last.sellOutUnits + top.sellOutUnits + 1 });
    expect(picked(after.body.items)).toEqual(await expected(FEB.from, FEB.to, () => true, 5));
    const exact = await storeRankings(sql(), filters(FEB.from, FEB.to), wholeTenant(), 5, { exact: true });
    expect(after.body.items).toEqual(exact.items);
  });
});
