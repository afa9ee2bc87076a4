/**
 * A truck shipped against its order: 26 pallets x 40 cases x 24 units (24,960 units) at the brand's warehouse, an
 * approved order for exactly those units, the 26 pallets scanned (HTTP): every unit counted against the order's
 * lines, one shipping event, stock and funds moved. Target < 1 s. Then the buyer's one-click receipt.
 */
import { randomUUID } from 'node:crypto';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { emit, freshDatabase, isMain } from './support.ts';

export async function run(): Promise<void> {
  const db = await freshDatabase(54358);
  const { app } = await buildApp({ sql: db.sql, loginRateLimit: 1000 });
  try {
    await loadDemo(db.sql, { stores: 1000 });
    const sql = db.sql;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    const [product] = await sql<{ id: number; sku: string; unit: string; kase: string; pallet: string }[]>`
      select p.id::int, p.sku, u.gtin as unit, c.gtin as kase, pl.gtin as pallet from products p
      join packaging_levels u on u.tenant_id = p.tenant_id and u.product_id = p.id and u.level = 'unit'
      join packaging_levels c on c.tenant_id = p.tenant_id and c.product_id = p.id and c.level = 'case'
      join packaging_levels pl on pl.tenant_id = p.tenant_id and pl.product_id = p.id and pl.level = 'pallet'
      where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 1`;
    if (!product) throw new Error('no product with three packaging levels');
    const [w] = await sql<{ id: number }[]>`select id::int from parties where tenant_id = ${tenant} and code = 'W01'`;
    const [d] = await sql<
      { code: string; id: number }[]
    >`select code, id::int from parties where tenant_id = ${tenant} and kind = 'distributor' order by code limit 1`;
    // the truck's codes at the warehouse, packed, as capture leaves them (code_state, containment, stock)
    const uri = (gtin: string, serial: string) => `'https://id.gs1.org/01/${gtin}/21/' || ${serial}`;
    const unit = uri(product.unit, `'U' || u`);
    const kase = uri(product.kase, `'C' || c`);
    const pallet = uri(product.pallet, `'P' || p`);
    const state = '(tenant_id, epc, gtin, level, lot, holder_party_id, status, last_event_time, commissioned_at)';
    await sql.unsafe(
      `insert into code_state ${state} select ${tenant}, ${unit}, '${product.unit}', 'unit', 'T1', ${w?.id}, 'commissioned', now() - interval '2 hours', now() - interval '2 hours' from generate_series(1, 24960) u`,
    );
    await sql.unsafe(
      `insert into code_state ${state} select ${tenant}, ${kase}, '${product.kase}', 'case', 'T1', ${w?.id}, 'commissioned', now() - interval '1 hour', now() - interval '2 hours' from generate_series(1, 1040) c`,
    );
    await sql.unsafe(
      `insert into code_state ${state} select ${tenant}, ${pallet}, '${product.pallet}', 'pallet', 'T1', ${w?.id}, 'commissioned', now() - interval '1 hour', now() - interval '2 hours' from generate_series(1, 26) p`,
    );
    await sql.unsafe(`insert into containment (tenant_id, child_epc, parent_epc, packed_at, pack_event_id)
      select ${tenant}, ${unit}, ${uri(product.kase, `'C' || ((u - 1) / 24 + 1)`)}, now() - interval '90 minutes', 0 from generate_series(1, 24960) u`);
    await sql.unsafe(`insert into containment (tenant_id, child_epc, parent_epc, packed_at, pack_event_id)
      select ${tenant}, ${kase}, ${uri(product.pallet, `'P' || ((c - 1) / 40 + 1)`)}, now() - interval '80 minutes', 0 from generate_series(1, 1040) c`);
    await sql`insert into stock (tenant_id, holder_party_id, gtin, lot, on_hand) values (${tenant}, ${w?.id as number}, ${product.unit}, 'T1', 24960)`;
    await sql`analyze code_state`;
    await sql`analyze containment`;
    // the order, its price and the buyer's money
    await sql`insert into price_lists (tenant_id, code, name, scope) values (${tenant}, 'BASE', '基础价', 'base')`;
    await sql`insert into price_list_items (tenant_id, price_list_id, product_id, price_fen)
      values (${tenant}, (select id from price_lists where tenant_id = ${tenant} and code = 'BASE'), ${product.id}, 300)`;
    await sql`insert into funds_accounts (tenant_id, party_id, kind, balance_fen) values (${tenant}, ${d?.id as number}, 'prepaid', 100000000),
      (${tenant}, ${d?.id as number}, 'reserved', 0), (${tenant}, ${d?.id as number}, 'external', -100000000)`;

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const token = async (username: string, password: string) => {
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', username, password }),
      });
      return ((await r.json()) as { token: string }).token;
    };
    const admin = await token('admin', 'Admin#2026');
    const post = async (auth: string, path: string, body: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await r.json()) as Record<string, unknown>;
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(json).slice(0, 400)}`);
      return json;
    };
    const placed = await post(admin, '/api/v1/orders', { buyer: d?.code, lines: [{ sku: product.sku, quantity: 24960 }] });
    if (placed.status === 'pending_approval') await post(admin, `/api/v1/orders/${placed.id}/approve`, {});
    const pallets = Array.from({ length: 26 }, (_, i) => `https://id.gs1.org/01/${product.pallet}/21/P${i + 1}`);
    let t0 = performance.now();
    const shipped = await post(admin, `/api/v1/orders/${placed.id}/shipments`, { scanId: randomUUID(), codes: pallets });
    emit('order-ship', 'truck_shipment_24960_units_ms', performance.now() - t0, 'ms');
    emit('order-ship', 'units_shipped', Number((shipped.units as Record<string, number>)[product.sku] ?? 0), 'units');
    emit('order-ship', 'order_status_shipped', shipped.status === 'shipped' ? 1 : 0, 'bool');
    t0 = performance.now();
    await post(admin, `/api/v1/orders/${placed.id}/receipts`, { scanId: randomUUID() });
    emit('order-ship', 'truck_receipt_one_click_ms', performance.now() - t0, 'ms');
    const [s] = await sql<
      { n: number }[]
    >`select coalesce(sum(on_hand), 0)::int as n from stock where tenant_id = ${tenant} and holder_party_id = ${d?.id as number}`;
    emit('order-ship', 'units_on_hand_at_buyer', s?.n ?? 0, 'units');
  } finally {
    await app.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
