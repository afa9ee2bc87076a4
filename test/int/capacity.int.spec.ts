import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../src/platform/tabular/index.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * Capacity by factory and week against the demand plan. The demand comes from one plan of distributor D0001 written
 * as the plan job leaves it (its own line for SKU A: 100 units agreed, 10 a day forecast; first day Monday 2026-11-02,
 * review 7 days, horizon 21 days), so the demand plan is: week of 11-02: 100 (the order); 11-09 and 11-16: 70 each
 * (7 days × 10). A store's line (S1, 50 units) is not demand on the factories.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
let tenant: number;
let skuA: string;
let category: string;

const capacityCount = async () => Number((await server.db.sql<{ n: number }[]>`select count(*)::int as n from production_capacity`)[0]?.n);

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { worker: false } });
  const sql = server.db.sql;
  tenant = Number((await sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
  const [a] = await sql<{ id: number; sku: string; category: string }[]>`
    select id::int, sku, category from products where tenant_id = ${tenant} and status = 'active' order by sku limit 1`;
  skuA = a?.sku as string;
  category = a?.category as string;
  const [d] = await sql<{ id: number; brand: number }[]>`
    select id::int, (select id::int from parties where tenant_id = ${tenant} and kind = 'brand' limit 1) as brand
    from parties where tenant_id = ${tenant} and code = 'D0001'`;
  const [s] = await sql<
    { id: number }[]
  >`select id::int from parties where tenant_id = ${tenant} and parent_id = ${d?.id as number} and kind = 'store' limit 1`;
  const [plan] = await sql<{ id: number }[]>`
    insert into replenishment_plans (tenant_id, distributor_id, status, service_level, horizon_days, review_days, history_days, as_of, forecaster, created_by)
    values (${tenant}, ${d?.id as number}, 'accepted', 0.95, 21, 7, 28, '2026-11-02', 'sell_through_mean', 'user:1') returning id::int`;
  await sql`
    insert into replenishment_plan_lines (tenant_id, plan_id, line_no, party_id, seller_party_id, product_id, mean_daily, sd_daily, lead_time_days,
      demand_lr, demand_horizon, safety_stock, order_up_to, on_hand, in_transit, on_order, suggested_qty, adjusted_qty)
    values (${tenant}, ${plan?.id as number}, 1, ${d?.id as number}, ${d?.brand as number}, ${a?.id as number}, 10, 0, 2, 90, 210, 0, 90, 0, 0, 0, 90, 100),
           (${tenant}, ${plan?.id as number}, 2, ${s?.id as number}, ${d?.id as number}, ${a?.id as number}, 3, 0, 1, 24, 63, 0, 24, 0, 0, 0, 50, null)`;
});
afterAll(async () => server?.close());

describe('capacity', () => {
  it('refuses bad rows, naming each, and writes none of them', async () => {
    const r = await call('planner', 'PUT', '/api/v1/planning/capacity', {
      rows: [
        { factory: 'F01', week: '2026-11-02', sku: skuA, capacity: 80 },
        { factory: 'NOPE', week: '2026-11-02', sku: skuA, capacity: 1 },
        { factory: 'F01', week: '2026-11-03', sku: skuA, capacity: 1 },
        { factory: 'F01', week: '2026-11-09', sku: skuA, category, capacity: 1 },
        { factory: 'F01', week: '2026-11-09', sku: 'NO-SKU', capacity: 1 },
        { factory: 'D0001', week: '2026-11-09', category: 'no-line', capacity: 1 },
        { factory: 'F01', week: '2026-11-02', sku: skuA, capacity: 5 },
      ],
    });
    expect(r.status).toBe(400);
    expect(problems(r)).toEqual([
      ['/body/rows/1/factory', 'capacity.unknown_factory'],
      ['/body/rows/2/week', 'capacity.not_monday'],
      ['/body/rows/3/sku', 'field.invalid'],
      ['/body/rows/4/sku', 'plans.unknown_sku'],
      ['/body/rows/5/factory', 'capacity.unknown_factory'],
      ['/body/rows/5/category', 'capacity.unknown_category'],
      ['/body/rows/6', 'capacity.duplicate'],
    ]);
    const negative = await call('planner', 'PUT', '/api/v1/planning/capacity', {
      rows: [{ factory: 'F01', week: '2026-11-02', sku: skuA, capacity: -1 }],
    });
    expect(problems(negative)).toEqual([['/body/rows/0/capacity', 'field.invalid']]);
    const tooMany = await call('planner', 'PUT', '/api/v1/planning/capacity', {
      rows: Array.from({ length: 5001 }, () => ({ factory: 'F01', week: '2026-11-02', sku: skuA, capacity: 1 })),
    });
    expect(problems(tooMany)).toEqual([['/body/rows', 'field.invalid']]);
    const emptyFile = await fetch(`${server.baseUrl}/api/v1/planning/capacity/import?format=csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.planner}`, 'content-type': 'text/csv' },
      body: 'factory,week,sku,capacity\n',
    });
    expect(emptyFile.status).toBe(400);
    expect(((await emptyFile.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('capacity.import_empty');
    expect(
      (
        await call('distributor', 'PUT', '/api/v1/planning/capacity', {
          rows: [{ factory: 'F01', week: '2026-11-02', sku: skuA, capacity: 1 }],
        })
      ).status,
    ).toBe(403);
    expect(await capacityCount()).toBe(0);
  });

  it('takes capacity as JSON and from a file, and reports where demand exceeds it by factory and week', async () => {
    const put = await call('planner', 'PUT', '/api/v1/planning/capacity', {
      rows: [
        { factory: 'F01', week: '2026-11-02', sku: skuA, capacity: 80 },
        { factory: 'F01', week: '2026-11-09', sku: skuA, capacity: 100 },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const bad = await fetch(`${server.baseUrl}/api/v1/planning/capacity/import?format=csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.planner}`, 'content-type': 'text/csv' },
      body: `工厂,周,sku,产能\nF01,2026-11-16,${skuA},50\nF01,2026-11-17,${skuA},x\n`,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual(['/file/rows/3/capacity']);
    const imp = await fetch(`${server.baseUrl}/api/v1/planning/capacity/import?format=csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.planner}`, 'content-type': 'text/csv' },
      body: `工厂,周,sku,产能\nF01,2026-11-16,${skuA},50\n`,
    });
    expect(imp.status, await imp.clone().text()).toBe(200);
    expect(await capacityCount()).toBe(3);

    const demand = await call('planner', 'GET', '/api/v1/planning/demand-plan?from=2026-11-02&to=2026-11-22');
    expect(demand.body.items.map((d: { week: string; total: number }) => [d.week, d.total])).toEqual([
      ['2026-11-02', 100],
      ['2026-11-09', 70],
      ['2026-11-16', 70],
    ]);
    const report = await call('planner', 'GET', '/api/v1/planning/capacity/report?from=2026-11-02&to=2026-11-22');
    expect(report.status).toBe(200);
    expect(report.body.items.map((r: Record<string, unknown>) => [r.week, r.factory, r.item, r.capacity, r.demand, r.shortfall])).toEqual([
      ['2026-11-02', 'F01', skuA, 80, 100, 20],
      ['2026-11-09', 'F01', skuA, 100, 70, 0],
      ['2026-11-16', 'F01', skuA, 50, 70, 20],
    ]);
    expect(report.body.totals.map((t: { shortfall: number }) => t.shortfall)).toEqual([20, 0, 20]);
    const short = await call('planner', 'GET', '/api/v1/planning/capacity/report?from=2026-11-02&to=2026-11-22&onlyShort=true');
    expect(short.body.items.map((r: { week: string }) => r.week)).toEqual(['2026-11-02', '2026-11-16']);
  });

  it('exports the report to Excel', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/planning/capacity/report?from=2026-11-02&to=2026-11-22&format=xlsx`, {
      headers: { authorization: `Bearer ${tokens.planner}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    const rows = [];
    for await (const row of readTable(Buffer.from(await r.arrayBuffer()), 'xlsx')) rows.push(row.values);
    // the weeks named as the page names them (ISO weeks), not by their Mondays
    expect(rows.map((v) => [v['周 week'], v['工厂 factory'], v['缺口 shortfall']])).toEqual([
      ['2026年第45周', 'F01', '20'],
      ['2026年第46周', 'F01', '0'],
      ['2026年第47周', 'F01', '20'],
    ]);
    const en = await fetch(`${server.baseUrl}/api/v1/planning/capacity/report?from=2026-11-02&to=2026-11-22&format=xlsx`, {
      headers: { authorization: `Bearer ${tokens.planner}`, 'accept-language': 'en' },
    });
    const weeks = [];
    for await (const row of readTable(Buffer.from(await en.arrayBuffer()), 'xlsx')) weeks.push(row.values['周 week']);
    expect(weeks).toEqual(['2026-W45', '2026-W46', '2026-W47']);
  });

  it('refuses a range backwards or over two years, and keeps capacity from channel partners', async () => {
    expect(problems(await call('planner', 'GET', '/api/v1/planning/capacity/report?from=2026-11-22&to=2026-11-02'))).toEqual([
      ['/query/to', 'capacity.range'],
    ]);
    expect(problems(await call('planner', 'GET', '/api/v1/planning/capacity/report?from=2026-01-05&to=2028-11-02'))).toEqual([
      ['/query/to', 'capacity.range'],
    ]);
    expect((await call('distributor', 'GET', '/api/v1/planning/capacity/report?from=2026-11-02&to=2026-11-22')).status).toBe(403);
    expect((await call('store', 'GET', '/api/v1/planning/capacity?from=2026-11-02&to=2026-11-22')).status).toBe(403);
  });
});
