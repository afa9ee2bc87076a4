import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSql, type Sql } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo/load-demo.ts';
import { buildApp } from '../../src/http/app.ts';
import { loadDivisions } from '../../src/modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../../src/modules/trace/partitions.ts';
import { withDatabase } from '../support/global-setup.ts';

/**
 * An upgrade with data in it: a database at the schema the previous stop released (migrations up to 0011), holding
 * the demo brand and orders with their lines, timeline and funds as that schema wrote them, is migrated to the
 * current schema. Nothing is lost, the old orders still read, cancel and release their money, and new orders place.
 */
const PREVIOUS_RELEASE = 11;
let sql: Sql;
let name: string;
const adminUrl = () => inject('adminDatabaseUrl');

beforeAll(async () => {
  name = `tl_upgrade_${randomBytes(4).toString('hex')}`;
  const admin = createSql(adminUrl(), { max: 1 });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  sql = createSql(withDatabase(adminUrl(), name), { max: 5 });
});
afterAll(async () => {
  await sql?.end();
  const admin = createSql(adminUrl(), { max: 1 });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe('upgrading a database with data from the previous release', () => {
  it('keeps every row, and the old orders work under the new code', { timeout: 120_000 }, async () => {
    const before = await migrate(sql, { until: PREVIOUS_RELEASE });
    expect(before.at(-1)).toMatch(/^0011_/);
    await loadDivisions(sql);
    await ensureMonthlyPartitions(sql);
    await loadDemo(sql, { stores: 30 });
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    const [buyer] = await sql<
      { id: number; code: string }[]
    >`select id::int, code from parties where tenant_id = ${tenant} and kind = 'distributor' order by code limit 1`;
    const [brand] = await sql<{ id: number }[]>`select id::int from parties where tenant_id = ${tenant} and kind = 'brand' limit 1`;
    const [product] = await sql<
      { id: number; sku: string }[]
    >`select id::int, sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit 1`;
    // the rows as the 0011 schema's code wrote them: a price list, funds with a reservation, an order, its line and timeline
    await sql`insert into price_lists (tenant_id, code, name, scope) values (${tenant}, 'OLD', '旧价', 'base')`;
    await sql`insert into price_list_items (tenant_id, price_list_id, product_id, price_fen)
      select ${tenant}, id, ${product?.id as number}, 500 from price_lists where tenant_id = ${tenant} and code = 'OLD'`;
    await sql`insert into funds_accounts (tenant_id, party_id, kind, balance_fen) values
      (${tenant}, ${buyer?.id as number}, 'prepaid', 95000), (${tenant}, ${buyer?.id as number}, 'reserved', 5000),
      (${tenant}, ${buyer?.id as number}, 'external', -100000)`;
    const [order] = await sql<{ id: number }[]>`
      insert into orders (tenant_id, order_no, buyer_party_id, seller_party_id, status, total_fen, reserved_fen, idempotency_key, created_by)
      values (${tenant}, 'SO-OLD-1', ${buyer?.id as number}, ${brand?.id as number}, 'approved', 5000, 5000, 'old-key-0001', 'user:1') returning id::int`;
    await sql`insert into order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen, amount_fen, price_rule)
      values (${tenant}, ${order?.id as number}, 1, ${product?.id as number}, 10, 500, 5000, '{"code":"OLD","scope":"base"}')`;
    await sql`insert into order_events (tenant_id, order_id, kind, actor) values (${tenant}, ${order?.id as number}, 'placed', 'user:1')`;
    const counts = async () =>
      (
        await sql<{ t: string; n: number }[]>`
          select 'parties' as t, count(*)::int as n from parties union all select 'products', count(*)::int from products
          union all select 'users', count(*)::int from users union all select 'orders', count(*)::int from orders
          union all select 'order_lines', count(*)::int from order_lines union all select 'order_events', count(*)::int from order_events
          union all select 'funds_accounts', count(*)::int from funds_accounts union all select 'audit_log', count(*)::int from audit_log`
      ).reduce<Record<string, number>>((m, r) => Object.assign(m, { [r.t]: r.n }), {});
    const rowsBefore = await counts();

    const upgrade = await migrate(sql);
    expect(upgrade.length).toBeGreaterThan(0);
    expect(upgrade[0]).toMatch(/^0012_/);
    expect(await counts()).toEqual(rowsBefore);

    // the new code on the upgraded database
    const { app } = await buildApp({ sql, loginRateLimit: 1000, webhooks: { worker: false }, waitingOrders: { worker: false } });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: 'demo', username: 'admin', password: 'Admin#2026' },
      });
      const auth = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
      const old = await app.inject({ method: 'GET', url: `/api/v1/orders/${order?.id}`, headers: auth });
      expect(old.statusCode).toBe(200);
      expect(old.json()).toMatchObject({ orderNo: 'SO-OLD-1', type: 'normal', status: 'approved' });
      const cancelled = await app.inject({ method: 'POST', url: `/api/v1/orders/${order?.id}/cancel`, headers: auth, payload: {} });
      expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
      const funds = await app.inject({ method: 'GET', url: `/api/v1/funds/${buyer?.code}`, headers: auth });
      expect(funds.json()).toMatchObject({ prepaidFen: 100000, reservedFen: 0 });
      const placed = await app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { ...auth, 'idempotency-key': 'new-key-0001' },
        payload: { buyer: buyer?.code, lines: [{ sku: product?.sku, quantity: 10 }] },
      });
      expect(placed.statusCode, placed.body).toBe(201);
      // the key used before the upgrade still finds its order
      const again = await app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { ...auth, 'idempotency-key': 'old-key-0001' },
        payload: { buyer: buyer?.code, lines: [{ sku: product?.sku, quantity: 10 }] },
      });
      expect(again.json()).toMatchObject({ id: order?.id, replayed: true });
    } finally {
      await app.close();
    }
  });
});
