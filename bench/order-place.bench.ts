/**
 * Order placement (lines checked, priced with their rule, stock checked, funds reserved, approval rules, one
 * transaction) by 200 concurrent clients, with 500 distributors and 5,000 stores ordering at random: first as fast
 * as the clients can (throughput, target >= 1,000 orders/s), then paced at 1,000 orders/s between them (latency at
 * that load, target p99 < 50 ms). Then the checks of the whole load run: every acknowledged order stored once, no
 * account overdrawn, the ledger balanced, no stock negative. And price resolution of 10,000 lines (target
 * < 100 ms). Sizes: ORDER_SECONDS per run (default 20; the load run is 60), ORDER_CONNECTIONS (default
 * 200), ORDER_RATE (default 1000).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { placementStats } from '../src/modules/orders/placement.ts';
import { resolvePrices } from '../src/modules/orders/pricing.ts';
import { emit, freshDatabase, isMain, resetServerStatements, serverStatements } from './support.ts';

const run$ = promisify(execFile);

export async function run(): Promise<void> {
  const seconds = Number(process.env.ORDER_SECONDS ?? 20);
  const connections = Number(process.env.ORDER_CONNECTIONS ?? 200);
  const rate = Number(process.env.ORDER_RATE ?? 1000);
  const db = await freshDatabase(54359);
  const { app } = await buildApp({ sql: db.sql, loginRateLimit: 1000 });
  const setupFile = path.join(os.tmpdir(), `order-bench-${process.pid}.json`);
  try {
    await loadDemo(db.sql, { stores: 5000 });
    const sql = db.sql;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
    const tenant = Number(t?.id);
    // a base price list of every product, and money: each customer has prepaid funds and a credit limit
    await sql`insert into price_lists (tenant_id, code, name, scope) values (${tenant}, 'BASE', '基础价', 'base')`;
    await sql`insert into price_list_items (tenant_id, price_list_id, product_id, price_fen)
      select ${tenant}, (select id from price_lists where tenant_id = ${tenant} and code = 'BASE'), id, list_price_fen from products where tenant_id = ${tenant}`;
    await sql`insert into funds_accounts (tenant_id, party_id, kind, balance_fen, credit_limit_fen)
      select ${tenant}, p.id, k.kind, case when k.kind = 'prepaid' then 50000000 when k.kind = 'external' then -50000000 else 0 end,
        case when k.kind = 'prepaid' then 10000000 else 0 end
      from parties p cross join (values ('prepaid'), ('reserved'), ('external')) k(kind)
      where p.tenant_id = ${tenant} and p.kind in ('distributor', 'store')`;
    // what autovacuum does on a running system after a bulk insert: fresh statistics (without them the planner
    // thinks the tenant has 80 accounts and scans all 16,500 per batch)
    await sql`analyze funds_accounts`;
    // and the WAL files a running server recycles: a fresh server creates (zero-fills) a new 16 MB WAL file every
    // ~5 s at this load, holding the WAL write lock while it does, and every commit of that moment waits 80-190 ms
    // (seen as IO:WalInitWrite in pg_stat_activity). 300 MB of WAL written and checkpointed away leaves recycled
    // files ready (min_wal_size=1GB keeps them), as on a server that has been running.
    await sql`create table bench_wal_fill as select g, repeat('x', 200) as pad from generate_series(1, 1000000) g`;
    await sql`drop table bench_wal_fill`;
    await sql`checkpoint`;
    const buyers = await sql<{ code: string }[]>`select code from parties where tenant_id = ${tenant} and kind in ('distributor', 'store')`;
    const products = await sql<
      { sku: string; id: number }[]
    >`select sku, id::int from products where tenant_id = ${tenant} and status = 'active'`;
    fs.writeFileSync(setupFile, JSON.stringify({ buyers: buyers.map((b) => b.code), skus: products.map((p) => p.sku) }));
    emit('order-place', 'buyers', buyers.length, 'parties');

    // price resolution of 10,000 lines for one buyer, in process (best of 5)
    const [buyer] = await sql<{ id: number }[]>`select id::int from parties where tenant_id = ${tenant} and kind = 'distributor' limit 1`;
    const lines = Array.from({ length: 10_000 }, (_, i) => ({
      productId: (products[i % products.length] as { id: number }).id,
      quantity: 1 + (i % 50),
    }));
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const prices = await resolvePrices(sql, tenant, buyer?.id as number, null, lines);
      times.push(performance.now() - t0);
      if (prices.some((p) => !p)) throw new Error('a line had no price');
    }
    emit('order-place', 'price_resolution_10000_lines_ms', Math.min(...times), 'ms');

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    const clients = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients');
    type Load = { rps: number; p50: number; p99: number; non2xx: number; errors: number; timeouts: number; acknowledged: number };
    const load = async (rate: number): Promise<Load> => {
      // as fast as the clients can (autocannon, a closed loop), or paced at `rate` orders/s (an open loop)
      const client = path.join(clients, rate ? 'order-place-paced.ts' : 'order-place-load.ts');
      const { stdout, stderr } = await run$(
        'node',
        ['--import', 'tsx', client, url, token, String(seconds), String(connections), setupFile, String(rate)],
        {
          maxBuffer: 1 << 24,
        },
      );
      // PACED_TIMELINE=1: the paced client's slowest answer of each second (bench/clients/paced.ts)
      if (stderr.trim()) console.error(stderr.trim());
      return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Load;
    };
    // 1. as fast as 200 clients can place orders (each sends its next order when the last is answered)
    const phases = (process.env.ORDER_PHASES ?? 'closed,paced').split(',');
    const none: Load = { rps: 0, p50: 0, p99: 0, non2xx: 0, errors: 0, timeouts: 0, acknowledged: 0 };
    const r = phases.includes('closed') ? await load(0) : none;
    const closedLoopBatching = placementStats(db.sql);
    emit('order-place', 'connections', connections, 'clients');
    emit('order-place', 'orders_per_s', r.rps, 'orders/s');
    emit('order-place', 'closed_loop_latency_p50_ms', r.p50, 'ms');
    emit('order-place', 'closed_loop_latency_p99_ms', r.p99, 'ms');
    emit('order-place', 'closed_loop_orders_per_batch', closedLoopBatching.perBatch, 'orders');
    // 2. the same 200 clients sending 1,000 orders/s between them: the latency at the target load
    if (process.env.BENCH_PGSS) await resetServerStatements(db.sql);
    const paced = phases.includes('paced') ? await load(rate) : none;
    // BENCH_PGSS=1: where PostgreSQL's time went during the paced phase (bench/support.ts)
    if (process.env.BENCH_PGSS) {
      console.error('--- inside the server during the paced phase: calls, total ms, mean ms, rows, statement');
      for (const x of await serverStatements(db.sql)) {
        console.error(`${x.calls}\t${Math.round(x.totalMs)}\t${x.meanMs.toFixed(3)}\t${x.rows}\t${x.query.slice(0, 150)}`);
      }
    }
    emit('order-place', 'paced_rate_target', rate, 'orders/s');
    emit('order-place', 'paced_orders_per_s', paced.rps, 'orders/s');
    emit('order-place', 'latency_p50_ms', paced.p50, 'ms');
    emit('order-place', 'latency_p99_ms', paced.p99, 'ms');
    const all = placementStats(db.sql);
    emit(
      'order-place',
      'paced_orders_per_batch',
      (all.requests - closedLoopBatching.requests) / Math.max(1, all.batches - closedLoopBatching.batches),
      'orders',
    );
    emit('order-place', 'non_2xx', r.non2xx + paced.non2xx, 'responses');
    emit('order-place', 'errors_and_timeouts', r.errors + r.timeouts + paced.errors + paced.timeouts, 'requests');
    r.acknowledged += paced.acknowledged;

    // the checks of the load run
    const [stored] = await sql<{ n: number; keys: number }[]>`
      select count(*)::int as n, count(distinct idempotency_key)::int as keys from orders where tenant_id = ${tenant}`;
    const [overdrawn] = await sql<{ n: number }[]>`
      select count(*)::int as n from funds_accounts where tenant_id = ${tenant} and kind <> 'external' and balance_fen < -credit_limit_fen`;
    const [unbalanced] = await sql<{ n: number }[]>`
      select count(*)::int as n from (select transaction_id from funds_entries where tenant_id = ${tenant} group by 1 having sum(amount_fen) <> 0) x`;
    const [reservedMismatch] = await sql<{ n: number }[]>`
      select count(*)::int as n from (
        select o.buyer_party_id, sum(o.reserved_fen) as reserved from orders o where o.tenant_id = ${tenant} group by 1) o
      join funds_accounts a on a.tenant_id = ${tenant} and a.party_id = o.buyer_party_id and a.kind = 'reserved'
      where a.balance_fen <> o.reserved`;
    const [negativeStock] = await sql<{ n: number }[]>`select count(*)::int as n from stock where tenant_id = ${tenant} and on_hand < 0`;
    emit('order-place', 'orders_acknowledged', r.acknowledged, 'orders');
    emit('order-place', 'orders_stored', stored?.n ?? 0, 'orders');
    emit('order-place', 'orders_lost', Math.max(0, r.acknowledged - (stored?.n ?? 0)), 'orders');
    emit('order-place', 'orders_duplicated', (stored?.n ?? 0) - (stored?.keys ?? 0), 'orders');
    emit('order-place', 'accounts_overdrawn', overdrawn?.n ?? 0, 'accounts');
    emit('order-place', 'ledger_transactions_unbalanced', unbalanced?.n ?? 0, 'transactions');
    emit('order-place', 'reserved_balances_not_matching_orders', reservedMismatch?.n ?? 0, 'accounts');
    emit('order-place', 'stock_rows_negative', negativeStock?.n ?? 0, 'rows');
    emit('order-place', 'server_rss_mib', process.memoryUsage().rss / 1024 / 1024, 'MiB');
  } finally {
    fs.rmSync(setupFile, { force: true });
    await app.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
