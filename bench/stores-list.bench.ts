/**
 * Authenticated list of stores (page of 50, filter by province, sort by name) at 100 concurrent
 * connections on loopback, with autocannon. Target: p99 under 30 ms.
 */

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const run$ = promisify(execFile);

export async function run(): Promise<void> {
  const db = await freshDatabase(54353);
  // logging as the product does (one access line per request), into /dev/null
  const { app } = await buildApp({
    sql: db.sql,
    loginRateLimit: 1000,
    logger: { level: 'info', stream: fs.createWriteStream('/dev/null') },
  });
  try {
    await loadDemo(db.sql, { stores: 100_000 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    // the clients run in their own process, as real ones do: in this process they would take the server's core
    const load = async (seconds: number) => {
      const client = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'stores-list-load.ts');
      const { stdout } = await run$('node', ['--import', 'tsx', client, url, token, String(seconds)]);
      return JSON.parse(stdout.trim().split('\n').at(-1) as string) as { rps: number; p50: number; p99: number; non2xx: number };
    };
    // the first seconds after a start include every page's first (uncached) load from PostgreSQL
    const first = await load(5);
    emit('stores-list', 'first_5s_requests_per_s', first.rps, 'req/s');
    emit('stores-list', 'first_5s_latency_p99_ms', first.p99, 'ms');
    const result = await load(15);
    emit('stores-list', 'requests_per_s', result.rps, 'req/s');
    emit('stores-list', 'latency_p50_ms', result.p50, 'ms');
    emit('stores-list', 'latency_p99_ms', result.p99, 'ms');
    emit('stores-list', 'non_2xx', result.non2xx + first.non2xx, 'responses');
  } finally {
    await app.close();
    await db.close();
  }
}

if (isMain(import.meta.url)) await run();
