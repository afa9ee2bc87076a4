/**
 * Channel dashboards over one year of daily facts for the whole demo brand (100,000 stores, 200 SKUs), every
 * query through the HTTP API with realistic filters and each viewer's scope. Target: p95 under 200 ms.
 *
 * The facts are generated directly in SQL (not through a year of captures): each store carries 20-40 of the 200
 * SKUs and sells each of them on BENCH_DAYS_PER_SKU days of the year (default 10), receiving deliveries on a
 * quarter of those; each distributor moves each SKU on 40 days. The coarser grains are then aggregated from
 * that drill-down grain exactly as the projector would have added them. Row counts are printed.
 *
 * BENCH_STORES (default 100000) and BENCH_REPEAT (requests per query, default 40) size a shorter run.
 */
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const YEAR_START = '2025-12-01';
const YEAR_END = '2026-11-30';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function run(): Promise<void> {
  const stores = Number(process.env.BENCH_STORES ?? 100_000);
  const daysPerSku = Number(process.env.BENCH_DAYS_PER_SKU ?? 10);
  const repeat = Number(process.env.BENCH_REPEAT ?? 40);
  const db = await freshDatabase(Number(process.env.BENCH_PORT ?? 54373));
  const sql = db.sql;
  const { app } = await buildApp({ sql, loginRateLimit: 10_000, logger: false, webhooks: { worker: false } });
  try {
    await loadDemo(sql, { stores });
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    const started = performance.now();
    await generateFacts(sql, tenant, daysPerSku);
    emit('analytics-dashboard', 'fact_generation_s', (performance.now() - started) / 1000, 's');
    for (const table of [
      'an_party_day',
      'an_city_day',
      'an_province_day',
      'an_province_cat_day',
      'an_province_sku_day',
      'an_dist_day',
      'an_party_month',
      'an_stock_city',
      'an_flow_month',
      'an_flow_sku_month',
      'an_diversion_day',
    ]) {
      const [c] = await sql.unsafe(`select count(*)::bigint as n from ${table}`);
      emit('analytics-dashboard', `rows_${table}`, Number(c?.n), 'rows');
    }

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = async (username: string) => {
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', username, password: username === 'admin' ? 'Admin#2026' : 'Demo#2026' }),
      });
      return ((await r.json()) as { token: string }).token;
    };
    const tokens = {
      admin: await login('admin'),
      distributor: await login('distributor'),
      sales: await login('sales'),
      store: await login('store'),
    };
    const provinces = (
      await sql<{ code: string }[]>`
        select province_code as code from parties where tenant_id = ${tenant} and kind = 'store' group by 1 order by count(*) desc limit 10`
    ).map((r) => r.code);
    const cities = (
      await sql<{ code: string }[]>`
        select city_code as code from parties where tenant_id = ${tenant} and kind = 'store' group by 1 order by count(*) desc limit 10`
    ).map((r) => r.code);
    const gtins = (await sql<{ gtin: string }[]>`select gtin from products where tenant_id = ${tenant} order by sku`).map((r) => r.gtin);
    const categories = (await sql<{ code: string }[]>`select code from product_categories where tenant_id = ${tenant} order by code`).map(
      (r) => r.code,
    );
    const distributors = (
      await sql<{ id: number }[]>`select id from parties where tenant_id = ${tenant} and kind = 'distributor' order by id limit 50`
    ).map((r) => Number(r.id));
    const months = ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'];
    const monthRange = (i: number) => {
      const m = months[i % months.length] as string;
      const end = new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0)).toISOString().slice(0, 10);
      return { from: `${m}-01`, to: end };
    };
    const last = (days: number, i: number) => {
      const to = new Date(Date.parse(`${YEAR_END}T00:00:00Z`) - (i % 20) * 86_400_000);
      return { from: new Date(to.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
    };
    const pick = <T>(a: T[], i: number) => a[i % a.length] as T;

    type Q = { name: string; user: keyof typeof tokens; path: string; params: (i: number) => Record<string, string | number> };
    const queries: Q[] = [
      { name: 'overview_national_year', user: 'admin', path: 'overview', params: () => ({ from: YEAR_START, to: YEAR_END }) },
      { name: 'overview_national_30d', user: 'admin', path: 'overview', params: (i) => last(30, i) },
      {
        name: 'overview_category_year',
        user: 'admin',
        path: 'overview',
        params: (i) => ({ from: YEAR_START, to: YEAR_END, category: pick(categories, i) }),
      },
      { name: 'overview_province_90d', user: 'admin', path: 'overview', params: (i) => ({ ...last(90, i), region: pick(provinces, i) }) },
      {
        name: 'overview_province_sku_90d',
        user: 'admin',
        path: 'overview',
        params: (i) => ({ ...last(90, i), region: pick(provinces, i), gtin: pick(gtins, i * 7) }),
      },
      {
        name: 'overview_sku_year',
        user: 'admin',
        path: 'overview',
        params: (i) => ({ from: YEAR_START, to: YEAR_END, gtin: pick(gtins, i * 7) }),
      },
      { name: 'overview_city_30d', user: 'admin', path: 'overview', params: (i) => ({ ...last(30, i), region: pick(cities, i) }) },
      { name: 'overview_city_month', user: 'admin', path: 'overview', params: (i) => ({ ...monthRange(i), region: pick(cities, i) }) },
      {
        name: 'overview_distributor_drill_year',
        user: 'admin',
        path: 'overview',
        params: (i) => ({ from: YEAR_START, to: YEAR_END, party: pick(distributors, i) }),
      },
      { name: 'overview_as_distributor_year', user: 'distributor', path: 'overview', params: () => ({ from: YEAR_START, to: YEAR_END }) },
      { name: 'overview_as_sales_rep_90d', user: 'sales', path: 'overview', params: (i) => last(90, i) },
      { name: 'overview_as_store_year', user: 'store', path: 'overview', params: () => ({ from: YEAR_START, to: YEAR_END }) },
      { name: 'stock_national', user: 'admin', path: 'stock', params: (i) => last(30, i) },
      {
        name: 'stock_province_sku',
        user: 'admin',
        path: 'stock',
        params: (i) => ({ ...last(30, i), region: pick(provinces, i), gtin: pick(gtins, i * 7) }),
      },
      { name: 'stock_as_distributor', user: 'distributor', path: 'stock', params: (i) => last(30, i) },
      { name: 'map_national_30d', user: 'admin', path: 'map', params: (i) => last(30, i) },
      { name: 'map_national_year', user: 'admin', path: 'map', params: () => ({ from: YEAR_START, to: YEAR_END }) },
      { name: 'map_province_90d', user: 'admin', path: 'map', params: (i) => ({ ...last(90, i), region: pick(provinces, i) }) },
      { name: 'flows_national_year', user: 'admin', path: 'flows', params: () => ({ from: YEAR_START, to: YEAR_END }) },
      {
        name: 'flows_sku_year',
        user: 'admin',
        path: 'flows',
        params: (i) => ({ from: YEAR_START, to: YEAR_END, gtin: pick(gtins, i * 7) }),
      },
      { name: 'scorecards_national_month', user: 'admin', path: 'scorecards', params: (i) => monthRange(i) },
      { name: 'scorecards_national_year', user: 'admin', path: 'scorecards', params: () => ({ from: YEAR_START, to: YEAR_END }) },
      {
        name: 'scorecards_category_month',
        user: 'admin',
        path: 'scorecards',
        params: (i) => ({ ...monthRange(i), category: pick(categories, i) }),
      },
      { name: 'store_rankings_national_month', user: 'admin', path: 'store-rankings', params: (i) => monthRange(i) },
      {
        name: 'store_rankings_province_month',
        user: 'admin',
        path: 'store-rankings',
        params: (i) => ({ ...monthRange(i), region: pick(provinces, i) }),
      },
      {
        name: 'store_rankings_city_30d',
        user: 'admin',
        path: 'store-rankings',
        params: (i) => ({ ...last(30, i), region: pick(cities, i) }),
      },
      {
        name: 'store_rankings_as_distributor_year',
        user: 'distributor',
        path: 'store-rankings',
        params: () => ({ from: YEAR_START, to: YEAR_END }),
      },
      {
        name: 'launch_sku_province_90d',
        user: 'admin',
        path: 'launches',
        params: (i) => ({ ...last(90, i), gtin: pick(gtins, i * 7), region: pick(provinces, i) }),
      },
      {
        name: 'export_xlsx_overview_province',
        user: 'admin',
        path: 'overview',
        params: (i) => ({ ...last(90, i), region: pick(provinces, i), format: 'xlsx' }),
      },
    ];
    const all: number[] = [];
    for (const q of queries) {
      const times: number[] = [];
      for (let i = -3; i < repeat; i++) {
        const params = new URLSearchParams(Object.entries(q.params(Math.abs(i))).map(([k, v]) => [k, String(v)]));
        // timed: the request alone, under the server's own settings (the generation's larger work_mem was reset)
        const t0 = performance.now();
        const r = await fetch(`${url}/api/v1/analytics/${q.path}?${params}`, { headers: { authorization: `Bearer ${tokens[q.user]}` } });
        await r.arrayBuffer();
        const ms = performance.now() - t0;
        if (r.status !== 200) throw new Error(`${q.name}: ${r.status}`);
        if (i >= 0) times.push(ms);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      emit('analytics-dashboard', `${q.name}_p50_ms`, percentile(times, 50), 'ms');
      emit('analytics-dashboard', `${q.name}_p95_ms`, percentile(times, 95), 'ms');
    }
    all.sort((a, b) => a - b);
    emit('analytics-dashboard', 'all_queries_p50_ms', percentile(all, 50), 'ms');
    emit('analytics-dashboard', 'all_queries_p95_ms', percentile(all, 95), 'ms');
  } finally {
    await app.close();
    await db.close();
  }
}

/** A year of facts at the drill-down grain, then every coarser grain aggregated from it. */
export async function generateFacts(sql: import('../src/db/connection.ts').Sql, tenant: number, daysPerSku: number): Promise<void> {
  const t0 = performance.now();
  // the one-off aggregations of tens of millions of rows: in memory, not in spilled sorts
  await sql.unsafe(`alter system set work_mem = '512MB'`);
  await sql.unsafe(`alter system set maintenance_work_mem = '1GB'`);
  await sql.unsafe('select pg_reload_conf()');
  const step = (what: string) => console.error(`[analytics-dashboard] ${what} at ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // the drill-down grain is written without its indexes (every one the migrations made), built once afterwards
  const drillIndexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes where tablename = 'an_party_day' and indexname not like '%_pkey'`;
  await sql.unsafe('alter table an_party_day drop constraint an_party_day_pkey');
  for (const i of drillIndexes) await sql.unsafe(`drop index ${i.name}`);
  await sql.unsafe(`create unlogged table bench_sku as
    select (row_number() over (order by sku) - 1)::int as i, gtin, category from products where tenant_id = ${tenant}`);
  // stores: 20-40 SKUs each (i = (id*7 + j*37) mod 200 are distinct), each sold on `daysPerSku` days spread over the year
  await sql.unsafe(`
    insert into an_party_day (tenant_id, party_id, gtin, day, kind, province_code, city_code, category, units_out, scans, shipped_in, received_in)
    select ${tenant}, s.id, k.gtin, date '${YEAR_START}' + ((s.id * 13 + k.i * 31 + m * 53) % 365)::int, 'store',
      coalesce(s.province_code, ''), coalesce(s.city_code, ''), k.category,
      1 + (s.id + k.i + m) % 6, ((s.id + k.i + m) % 6) / 3,
      case when m % 4 = 0 then 12 else 0 end, case when m % 4 = 0 then 12 else 0 end
    from parties s
    cross join lateral generate_series(0, 19 + (s.id % 21)::int) j
    join bench_sku k on k.i = ((s.id * 7 + j * 37) % 200)::int
    cross join generate_series(0, ${daysPerSku - 1}) m
    where s.tenant_id = ${tenant} and s.kind = 'store'`);
  // distributors: every SKU on 60 days
  await sql.unsafe(`
    insert into an_party_day (tenant_id, party_id, gtin, day, kind, province_code, city_code, category,
      units_out, shipped_in, received_in, ordered_units, ordered_fen, receipts, receipt_minutes, diversions, rebates_fen)
    select ${tenant}, d.id, k.gtin, date '${YEAR_START}' + ((d.id * 11 + k.i * 17 + m * 6) % 365)::int, 'distributor',
      coalesce(d.province_code, ''), coalesce(d.city_code, ''), k.category,
      200 + (d.id + m) % 50, 240, 236, 240, 240 * 1500, case when m % 10 = 0 then 1 else 0 end, case when m % 10 = 0 then 2880 else 0 end,
      case when (d.id + k.i + m) % 97 = 0 then 1 else 0 end, case when m % 5 = 0 then 3000 else 0 end
    from parties d cross join bench_sku k cross join generate_series(0, ${Number(process.env.BENCH_DIST_DAYS ?? 40) - 1}) m
    where d.tenant_id = ${tenant} and d.kind = 'distributor'`);
  step('drill-down grain written');
  await sql.unsafe('alter table an_party_day add primary key (tenant_id, party_id, gtin, day)');
  for (const i of drillIndexes) await sql.unsafe(i.def);
  step('drill-down grain indexed');
  // the coarser grains are written without their secondary indexes, which are built once afterwards
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes
    where tablename in ('an_city_day', 'an_province_day', 'an_party_month') and indexname not like '%_pkey'`;
  for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);
  const M = 'ordered_units, ordered_fen, shipped_in, received_in, units_out, scans, diversions, receipts, receipt_minutes, rebates_fen';
  const S = M.split(', ')
    .map((m) => `sum(${m})`)
    .join(', ');
  const SB = M.split(', ')
    .map((m) => `sum(t.${m})`)
    .join(', ');
  await sql.unsafe(`insert into an_city_day (tenant_id, city_code, kind, gtin, day, province_code, category, ${M})
    select tenant_id, city_code, kind, gtin, day, max(province_code), max(category), ${S} from an_party_day group by 1, 2, 3, 4, 5`);
  await sql.unsafe(`insert into an_province_cat_day (tenant_id, category, province_code, kind, day, ${M})
    select tenant_id, category, province_code, kind, day, ${S} from an_city_day group by 1, 2, 3, 4, 5`);
  await sql.unsafe(`insert into an_province_day (tenant_id, province_code, kind, day, ${M})
    select tenant_id, province_code, kind, day, ${S} from an_province_cat_day group by 1, 2, 3, 4`);
  await sql.unsafe(`insert into an_party_month (tenant_id, party_id, month, kind, province_code, city_code, parent_id, ${M})
    select t.tenant_id, t.party_id, date_trunc('month', t.day)::date, max(t.kind), max(t.province_code), max(t.city_code), max(p.parent_id), ${SB}
    from an_party_day t join parties p on p.tenant_id = t.tenant_id and p.id = t.party_id group by 1, 2, 3`);
  await sql.unsafe(`update an_party_month d set child_received = x.r
    from (select parent_id, month, sum(received_in) as r from an_party_month where parent_id is not null group by 1, 2) x
    where d.tenant_id = ${tenant} and d.party_id = x.parent_id and d.month = x.month`);
  await sql.unsafe(`insert into an_province_sku_day (tenant_id, gtin, province_code, kind, day, category, ${M})
    select tenant_id, gtin, province_code, kind, day, max(category), ${S} from an_city_day group by 1, 2, 3, 4, 5`);
  // each party's distributors (itself, its parent, the one above), as a small table to hash-join
  await sql.unsafe(`create unlogged table bench_up as
    select p.id as party_id, d.id as distributor_id,
      case when d.id = p.id then 'self' when d.id = p.parent_id then 'child' else 'below' end as relation
    from parties p join parties d on d.tenant_id = p.tenant_id and d.id = any(p.ancestors || p.id) and d.kind = 'distributor'
    where p.tenant_id = ${tenant}`);
  await sql.unsafe('analyze bench_up');
  await sql.unsafe(`insert into an_dist_day (tenant_id, distributor_id, relation, kind, category, day, ${M})
    select t.tenant_id, u.distributor_id, u.relation, t.kind, t.category, t.day, ${SB}
    from an_party_day t join bench_up u on u.party_id = t.party_id
    group by 1, 2, 3, 4, 5, 6`);
  await sql.unsafe('drop table bench_up');
  for (const i of indexes) await sql.unsafe(i.def);
  step('region and distributor grains aggregated');
  await sql.unsafe(`insert into an_stock_city (tenant_id, city_code, kind, gtin, province_code, category, on_hand, in_transit)
    select tenant_id, city_code, kind, gtin, max(province_code), max(category), count(*) * 6, count(*) from an_party_day
    where day = date '${YEAR_END}' - ((party_id + length(gtin)) % 30)::int group by 1, 2, 3, 4`);
  const warehouse = `(select min(id) from parties where tenant_id = ${tenant} and kind in ('warehouse', 'factory'))`;
  for (const [table, key] of [
    ['an_flow_month', 'category'],
    ['an_flow_sku_month', 'gtin'],
  ] as const) {
    await sql.unsafe(`insert into ${table} (tenant_id, month, seller_party_id, buyer_key, buyer_province, ${key}, ordered_units, ordered_fen, shipped, received)
      select t.tenant_id, date_trunc('month', t.day)::date, ${warehouse}, t.party_id, t.province_code, t.${key},
        sum(t.ordered_units), sum(t.ordered_fen), sum(t.shipped_in), sum(t.received_in)
      from an_party_day t where t.kind = 'distributor' group by 1, 2, 3, 4, 5, 6`);
    await sql.unsafe(`insert into ${table} (tenant_id, month, seller_party_id, buyer_key, buyer_province, ${key}, ordered_units, ordered_fen, shipped, received)
      select t.tenant_id, date_trunc('month', t.day)::date, p.parent_id, 0, t.province_code, t.${key},
        0, 0, sum(t.shipped_in), sum(t.received_in)
      from an_party_day t join parties p on p.tenant_id = t.tenant_id and p.id = t.party_id
      where t.kind = 'store' and p.parent_id is not null group by 1, 2, 3, 4, 5, 6`);
  }
  await sql.unsafe(`insert into an_diversion_day (tenant_id, day, province_code, city_code, distributor_id, alerts)
    select ${tenant}, t.day, max(t.province_code), t.city_code, t.party_id, sum(t.diversions) from an_party_day t
    where t.kind = 'distributor' and t.diversions > 0 group by 1, 2, 4, 5`);
  await sql.unsafe('drop table bench_sku');
  await sql.unsafe('alter system reset work_mem');
  await sql.unsafe('alter system reset maintenance_work_mem');
  await sql.unsafe('select pg_reload_conf()');
  await sql.unsafe('vacuum analyze');
  step('analyzed');
}

if (isMain(import.meta.url)) await run();
