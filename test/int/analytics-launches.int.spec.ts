import type { Fragment } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/connection.ts';
import { launch } from '../../src/modules/analytics/channel-reports.ts';
import { projectAll } from '../../src/modules/analytics/index.ts';
import type { Filters, View } from '../../src/modules/analytics/view.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * New-product launches: a SKU's velocity (units sold per carrying store per day) in pilot stores against every other
 * store in the viewer's scope that carries it. The launch reads the SKU's store rows from the covering index
 * an_party_day_store_sku (migration 0033) alone; here every answer is checked against the definition computed in
 * the test from the fact rows themselves, and against the same query made to read the table (index scans off):
 * pilots by province, city, district and party, a pilot with no carrying stores, a tie (pilot and comparable sell
 * alike), stores that carry the SKU without selling it, scoped viewers, and a change drained by the projector.
 */
let server: TestServer;
let tenant: number;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
const sql = () => server.db.sql;

const FROM = '2025-03-01';
const TO = '2025-03-31';
let gtin: string;
let even: string;
let unsold: string;
let stores: { id: number; province: string; city: string; district: string; parent: number | null }[];
let distributor: number;
let distributorStores: Set<number>;
/** a province with stores, none of which carries `gtin` */
let empty: string;

interface Side {
  stores: number;
  soldUnits: number;
  velocity: number;
}
interface Launch {
  pilot: Side;
  comparable: Side;
  ratio: number | null;
  series: { day: string; pilot: number; comparable: number }[];
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** The launch as its definition says, from the SKU's store rows in [from, to]: pilot and scope are per store. */
async function expected(
  sku: string,
  from: string,
  to: string,
  isPilot: (s: (typeof stores)[number]) => boolean,
  inScope: (id: number) => boolean = () => true,
): Promise<Launch> {
  const rows = await sql()<{ party_id: number; day: string; units_out: number }[]>`
    select party_id, to_char(day, 'YYYY-MM-DD') as day, units_out from an_party_day
    where tenant_id = ${tenant} and gtin = ${sku} and kind = 'store' and day between ${from}::date and ${to}::date`;
  const byId = new Map(stores.map((s) => [s.id, s]));
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  const carrying = { pilot: new Set<number>(), comparable: new Set<number>() };
  const sold = { pilot: 0, comparable: 0 };
  const series = new Map<string, { pilot: number; comparable: number }>();
  for (const r of rows) {
    const id = Number(r.party_id);
    if (!inScope(id)) continue;
    const side = isPilot(byId.get(id) as (typeof stores)[number]) ? 'pilot' : 'comparable';
    carrying[side].add(id);
    sold[side] += Number(r.units_out);
    const d = series.get(r.day) ?? { pilot: 0, comparable: 0 };
    d[side] += Number(r.units_out);
    series.set(r.day, d);
  }
  const side = (k: 'pilot' | 'comparable'): Side => ({
    stores: carrying[k].size,
    soldUnits: sold[k],
    velocity: carrying[k].size ? round(sold[k] / carrying[k].size / days, 4) : 0,
  });
  const p = side('pilot');
  const c = side('comparable');
  const per = (units: number, n: number) => (n ? round(units / n, 4) : 0);
  return {
    pilot: p,
    comparable: c,
    ratio: c.velocity > 0 ? round(p.velocity / c.velocity, 3) : null,
    series: [...series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, v]) => ({ day, pilot: per(v.pilot, p.stores), comparable: per(v.comparable, c.stores) })),
  };
}

const query = (p: Record<string, string | number>) => new URLSearchParams(Object.entries(p).map(([k, v]) => [k, String(v)])).toString();
const filters = (sku: string, region: Filters['region'] = null): Filters & { gtin: string } => ({
  tenantId: tenant,
  from: FROM,
  to: TO,
  days: 31,
  region,
  gtin: sku,
  category: null,
  party: null,
});

/** The same launch read from the table itself: no index scans, so the covering index cannot answer. */
async function fromTable(f: Filters & { gtin: string }, view: View, pilot: (tx: Sql) => Fragment): Promise<Launch> {
  return (await sql().begin(async (tx) => {
    await tx`set local enable_indexonlyscan = off`;
    await tx`set local enable_indexscan = off`;
    await tx`set local enable_bitmapscan = off`;
    return launch(tx as unknown as Sql, f, view, pilot(tx as unknown as Sql));
  })) as Launch;
}

async function get(user: string, p: Record<string, string | number>): Promise<Launch> {
  const r = await call(user, 'GET', `/api/v1/analytics/launches?${query({ from: FROM, to: TO, ...p })}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const { pilot, comparable, ratio, series } = r.body as Launch;
  return { pilot, comparable, ratio, series };
}

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, analytics: { projector: false } });
  const [t] = await sql()<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const skus = await sql()<{ gtin: string }[]>`select gtin from products where tenant_id = ${tenant} order by sku limit 3`;
  [gtin, even, unsold] = skus.map((s) => s.gtin) as [string, string, string];
  stores = (
    await sql()<{ id: number; province_code: string; city_code: string; district_code: string; parent_id: number | null }[]>`
      select id, province_code, city_code, district_code, parent_id from parties
      where tenant_id = ${tenant} and kind = 'store' order by id`
  ).map((r) => ({
    id: Number(r.id),
    province: r.province_code,
    city: r.city_code,
    district: r.district_code,
    parent: r.parent_id == null ? null : Number(r.parent_id),
  }));
  const [d] = await sql()<{ party_id: number }[]>`select party_id from users where tenant_id = ${tenant} and username = 'distributor'`;
  distributor = Number(d?.party_id);
  distributorStores = new Set(
    (
      await sql()<{ id: number }[]>`
        select id from parties where tenant_id = ${tenant} and kind = 'store' and (parent_id = ${distributor} or ${distributor} = any(ancestors))`
    ).map((r) => Number(r.id)),
  );
  const [e] = await sql()<{ code: string }[]>`
    select province_code as code from parties where tenant_id = ${tenant} and kind = 'store' and province_code is not null
      and not (province_code = any(${['11', '13', ...new Set(stores.filter((x) => distributorStores.has(x.id)).map((x) => x.province))]}::text[]))
    group by 1 order by count(*), 1 limit 1`;
  empty = e?.code as string;
  // `gtin`: two stores in three carry it (none in the province `empty`), on 1-5 days of March (some of those days with 0 units sold: carried, not
  // sold), plus rows before and after March; a distributor's rows (never a store). `even`: every store sells 2 units
  // on the same three days (pilot and comparable tie). `unsold`: no store row at all.
  await sql()`
    insert into an_party_day (tenant_id, party_id, gtin, day, kind, province_code, city_code, category, units_out, received_in)
    select p.tenant_id, p.id, ${gtin}, d.day, p.kind, coalesce(p.province_code, ''), coalesce(p.city_code, ''), 'X',
      case when p.kind <> 'store' then 500 else (p.id * 3 + extract(day from d.day)::int) % 4 end, (p.id + 1) % 3
    from parties p
    cross join lateral (
      select distinct (date '2025-02-26' + ((p.id * 7 + k * 11) % 40)::int) as day from generate_series(0, (p.id % 5)::int) k) d
    where p.tenant_id = ${tenant} and p.kind in ('store', 'distributor') and p.id % 3 <> 0 and p.province_code is distinct from ${empty}`;
  await sql()`
    insert into an_party_day (tenant_id, party_id, gtin, day, kind, province_code, city_code, category, units_out)
    select p.tenant_id, p.id, ${even}, d, 'store', coalesce(p.province_code, ''), coalesce(p.city_code, ''), 'X', 2
    from parties p cross join unnest(array['2025-03-03', '2025-03-10', '2025-03-17']::date[]) d
    where p.tenant_id = ${tenant} and p.kind = 'store'`;
  await sql()`vacuum analyze an_party_day`;
});

afterAll(async () => {
  await server?.close();
});

describe('launches', () => {
  it('has a dataset with carrying stores that sold nothing, and stores on both sides', async () => {
    const [r] = await sql()<{ zero: number; selling: number }[]>`
      select count(distinct party_id) filter (where units_out = 0)::int as zero, count(distinct party_id) filter (where units_out > 0)::int as selling
      from an_party_day where tenant_id = ${tenant} and gtin = ${gtin} and kind = 'store' and day between ${FROM} and ${TO}`;
    expect(r?.zero).toBeGreaterThan(5);
    expect(r?.selling).toBeGreaterThan(20);
    expect(new Set(stores.map((s) => s.province)).size).toBeGreaterThan(1);
  });

  it('reads the covering index alone', async () => {
    const plan = await sql().unsafe(
      `explain (costs off) select t.day, t.province_code, t.city_code, t.party_id, t.units_out from an_party_day t
       where t.tenant_id = $1 and t.gtin = $2 and t.kind = 'store' and t.day between $3::date and $4::date`,
      [tenant, gtin, FROM, TO],
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('Index Only Scan using an_party_day_store_sku');
  });

  it('compares a province, a city, a district and a party with every other store, as the definition and the table say', async () => {
    const s = stores.find((x) => x.district) as (typeof stores)[number];
    const cases: [Record<string, string | number>, (x: (typeof stores)[number]) => boolean, Filters['region'], (tx: Sql) => Fragment][] = [
      [
        { region: s.province },
        (x) => x.province === s.province,
        { code: s.province, level: 1 } as never,
        (tx) => tx`t.province_code = ${s.province}`,
      ],
      [{ region: s.city }, (x) => x.city === s.city, { code: s.city, level: 2 } as never, (tx) => tx`t.city_code = ${s.city}`],
      [
        { region: s.district },
        (x) => x.district === s.district,
        { code: s.district, level: 3 } as never,
        (tx) => tx`t.party_id in (select id from parties where tenant_id = ${tenant} and district_code = ${s.district})`,
      ],
      [
        { party: distributor },
        (x) => distributorStores.has(x.id),
        null,
        (tx) => tx`t.party_id = any(${[distributor, ...distributorStores]}::bigint[])`,
      ],
    ];
    for (const [p, isPilot, region, pilot] of cases) {
      const want = await expected(gtin, FROM, TO, isPilot);
      expect(want.pilot.stores, JSON.stringify(p)).toBeGreaterThan(0);
      expect(want.comparable.stores).toBeGreaterThan(0);
      const got = await get('admin', { gtin, ...p });
      expect(got, JSON.stringify(p)).toEqual(want);
      expect(await fromTable(filters(gtin, region), { mode: 'tenant', provinces: null, cities: null }, pilot)).toEqual(want);
    }
  });

  it('answers a pilot with no carrying store: no stores, velocity 0, ratio 0', async () => {
    expect(stores.filter((x) => x.province === empty).length).toBeGreaterThan(0);
    const got = await get('admin', { gtin, region: empty });
    expect(got.pilot).toEqual({ stores: 0, soldUnits: 0, velocity: 0 });
    expect(got.comparable.stores).toBeGreaterThan(0);
    expect(got.ratio).toBe(0);
    expect(got.series.every((d) => d.pilot === 0)).toBe(true);
    expect(got).toEqual(await expected(gtin, FROM, TO, (x) => x.province === empty));
    // nobody carries the SKU: both sides empty, no ratio, no series
    expect(await get('admin', { gtin: unsold, region: stores[0]?.province as string })).toEqual({
      pilot: { stores: 0, soldUnits: 0, velocity: 0 },
      comparable: { stores: 0, soldUnits: 0, velocity: 0 },
      ratio: null,
      series: [],
    });
  });

  it('answers a tie: pilot and comparable stores selling alike have the same velocity and series', async () => {
    const province = stores[0]?.province as string;
    const got = await get('admin', { gtin: even, region: province });
    expect(got).toEqual(await expected(even, FROM, TO, (x) => x.province === province));
    expect(got.pilot.velocity).toBe(got.comparable.velocity);
    expect(got.ratio).toBe(1);
    expect(got.series).toEqual(['2025-03-03', '2025-03-10', '2025-03-17'].map((day) => ({ day, pilot: 2, comparable: 2 })));
  });

  it("compares only inside the viewer's scope: a sales rep's provinces, a distributor's stores", async () => {
    const rep = new Set(stores.filter((x) => x.province === '11' || x.province === '13').map((x) => x.id));
    const repPilot = stores.find((x) => rep.has(x.id)) as (typeof stores)[number];
    const asRep = await get('sales', { gtin, region: repPilot.city });
    expect(asRep).toEqual(
      await expected(
        gtin,
        FROM,
        TO,
        (x) => x.city === repPilot.city,
        (id) => rep.has(id),
      ),
    );
    expect(asRep.comparable.stores).toBeGreaterThan(0);

    const mine = stores.find((x) => distributorStores.has(x.id) && x.city) as (typeof stores)[number];
    const asDistributor = await get('distributor', { gtin, region: mine.city });
    expect(asDistributor).toEqual(
      await expected(
        gtin,
        FROM,
        TO,
        (x) => x.city === mine.city,
        (id) => distributorStores.has(id),
      ),
    );
  });

  it('follows the projector: a sale drained into the facts shows in the next answer', async () => {
    const s = stores.find((x) => x.id % 3 === 0) as (typeof stores)[number];
    const before = await get('admin', { gtin, region: s.province });
    await sql()`
      insert into analytics_changes (tenant_id, day, party_id, gtin, units_out) values (${tenant}, '2025-03-15', ${s.id}, ${gtin}, 7)`;
    await projectAll(sql());
    const after = await get('admin', { gtin, region: s.province });
    expect(after.pilot.stores).toBe(before.pilot.stores + 1);
    expect(after.pilot.soldUnits).toBe(before.pilot.soldUnits + 7);
    expect(after).toEqual(await expected(gtin, FROM, TO, (x) => x.province === s.province));
  });
});
