/**
 * A PostgreSQL restart under load (issue 7): 40 clients place orders (each with its idempotency key, sent again on
 * 503 after its Retry-After, as a device client does) and read lists, while the database is stopped and started
 * again. Prints how long after the database was back the service answered again, how many 5xx other than 503 were
 * seen (target: 0), and whether every order was stored exactly once. Target: back within 5 s of the database.
 * Sizes: RESTART_DOWN_MS (how long the database stays down, default 3000).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSql } from '../src/db/connection.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { loadDivisions } from '../src/modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../src/modules/trace/partitions.ts';
import { emit, isMain } from './support.ts';

export async function run(): Promise<void> {
  const downMs = Number(process.env.RESTART_DOWN_MS ?? 3000);
  const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'tl-restart-'));
  fs.chmodSync(dataDir, 0o755);
  const port = 54393;
  let pg = await startEmbeddedPostgres({ dataDir, port });
  const sql = createSql(pg.url, { max: 20 });
  await migrate(sql);
  await loadDivisions(sql);
  await ensureMonthlyPartitions(sql);
  await loadDemo(sql, { stores: 200 });
  const { app } = await buildApp({ sql, loginRateLimit: 1000, databaseProbeMs: 100 });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const token = (
      (await (
        await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
        })
      ).json()) as { token: string }
    ).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const skus = (await sql<{ sku: string }[]>`select sku from products where status = 'active' order by sku limit 10`).map((p) => p.sku);
    const buyers = (await sql<{ code: string }[]>`select code from parties where kind = 'distributor' order by code limit 40`).map(
      (p) => p.code,
    );
    await fetch(`${base}/api/v1/price-lists`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: 'BASE', name: '基础价', scope: 'base', items: skus.map((sku) => ({ sku, priceFen: 100 })) }),
    });
    for (const b of buyers)
      await fetch(`${base}/api/v1/funds/deposits`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ party: b, amountFen: 1_000_000_000 }),
      });

    const statuses = new Map<number, number>();
    const timeline: { at: number; status: number }[] = [];
    const keys: string[] = [];
    let stop = false;
    const note = (status: number) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      timeline.push({ at: performance.now(), status });
    };
    const request = async (p: string, init: RequestInit) => {
      try {
        const r = await fetch(`${base}${p}`, { ...init, signal: AbortSignal.timeout(10_000) });
        await r.arrayBuffer();
        note(r.status);
        return r;
      } catch {
        note(0);
        return null;
      }
    };
    const orderClient = async (i: number) => {
      while (!stop) {
        const key = randomUUID();
        keys.push(key);
        const body = JSON.stringify({ buyer: buyers[i % buyers.length], lines: [{ sku: skus[i % skus.length], quantity: 12 }] });
        // a device client: on 503 (or no answer) it waits and sends the same order with the same key again
        for (;;) {
          const r = await request('/api/v1/orders', { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body });
          if (r && r.status < 500) break;
          await new Promise((res) => setTimeout(res, r?.status === 503 ? 200 : 500));
        }
      }
    };
    const readClient = async () => {
      while (!stop) {
        const r = await request('/api/v1/products?pageSize=20', { headers });
        if (!r || r.status >= 500) await new Promise((res) => setTimeout(res, 100));
      }
    };
    const clients = [...Array.from({ length: 30 }, (_, i) => orderClient(i)), ...Array.from({ length: 10 }, readClient)];
    await new Promise((r) => setTimeout(r, 3000));
    const downAt = performance.now();
    await pg.stop();
    await new Promise((r) => setTimeout(r, downMs));
    pg = await startEmbeddedPostgres({ dataDir, port });
    const upAt = performance.now();
    // until every client has had a success after the restart, then 3 s more
    for (let i = 0; i < 300 && !timeline.some((e) => e.at > upAt && e.status < 300); i++) await new Promise((r) => setTimeout(r, 50));
    const firstOk = timeline.find((e) => e.at > upAt && e.status < 300)?.at ?? Number.NaN;
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await Promise.all(clients);

    const [stored] = await sql<{ n: number; keys: number }[]>`
      select count(*)::int as n, count(distinct idempotency_key)::int as keys from orders where idempotency_key = any(${keys}::text[])`;
    const other5xx = [...statuses].filter(([s]) => s >= 500 && s !== 503).reduce((a, [, n]) => a + n, 0);
    emit('db-restart', 'database_down_ms', Math.round(upAt - downAt), 'ms');
    emit('db-restart', 'service_back_after_database_ms', Math.round(firstOk - upAt), 'ms');
    emit(
      'db-restart',
      'responses_2xx',
      [...statuses].filter(([s]) => s < 300).reduce((a, [, n]) => a + n, 0),
      'responses',
    );
    emit('db-restart', 'responses_503', statuses.get(503) ?? 0, 'responses');
    emit('db-restart', 'responses_5xx_other_than_503', other5xx, 'responses');
    emit('db-restart', 'requests_without_answer', statuses.get(0) ?? 0, 'requests');
    emit('db-restart', 'orders_sent', keys.length, 'orders');
    emit('db-restart', 'orders_stored', stored?.n ?? 0, 'orders');
    emit('db-restart', 'orders_duplicated', (stored?.n ?? 0) - (stored?.keys ?? 0), 'orders');
  } finally {
    await app.close();
    await sql.end({ timeout: 1 });
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
