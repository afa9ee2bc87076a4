/**
 * The consumer's scan of a unit's QR code: the resolver page (text/html: code lookup, verdict, the scan recorded) and
 * the linkset (application/linkset+json: read only) at 100 concurrent connections on loopback, with autocannon in its
 * own process, each request a different commissioned code. Reference in the same run: Fastify plus one point query on
 * code_state (the ceiling the issue measures against). Targets (issue 5): page p99 under 20 ms, page under 50 KB.
 * BENCH_SECONDS (default 10) per phase, BENCH_CODES (default 20,000) codes, BENCH_CONNECTIONS (default 100).
 * Closed loop first (throughput: each connection asks again as soon as it is answered, so latency there is the queue
 * the connections form), then the page paced at BENCH_RATE requests/s (default 1,000) by an open-loop client that
 * sends on schedule (bench/clients/consumer-scan-paced.ts; autocannon's own rate limit sends in bursts) for its latency.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { emit, freshDatabase, isMain } from './support.ts';

const run$ = promisify(execFile);
const UNIT = '06901234001013';

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const codes = Number(process.env.BENCH_CODES ?? 20_000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
  const db = await freshDatabase(54378);
  // logging as the product does (one access line per request), into /dev/null; no per-address limit (one client address)
  const { app } = await buildApp({
    sql: db.sql,
    loginRateLimit: 1000,
    logger: { level: 'info', stream: fs.createWriteStream('/dev/null') },
    consumer: { perMinute: 1_000_000_000 },
    webhooks: { worker: false },
    waitingOrders: { worker: false },
  });
  app.get('/bench/point', { config: { access: 'public' } }, async (req) => {
    const [row] = await db.sql`select status from code_state where tenant_id = 1 and epc = ${(req.query as { epc: string }).epc}`;
    return { status: row?.status ?? null };
  });
  const pathsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-consumer-')), 'paths.txt');
  try {
    await loadDemo(db.sql, { stores: 1000 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = async (username: string, password: string) => {
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', username, password }),
      });
      return ((await r.json()) as { token: string }).token;
    };
    const post = async (token: string, route: string, body: unknown) => {
      const r = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status >= 300) throw new Error(`${route}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Record<string, unknown>;
    };
    const admin = await login('admin', 'Admin#2026');
    const line = await login('line', 'Demo#2026');
    const batch = await post(admin, '/api/v1/code-batches', { gtin: UNIT, quantity: codes });
    const [lot] = await db.sql<{ lot_code: string }[]>`select l.lot_code from lots l
      join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id where pl.gtin = ${UNIT} limit 1`;
    for (let from = 0; from < codes; from += 50_000) {
      await post(line, '/api/v1/scans', {
        scanId: randomUUID(),
        kind: 'commission',
        lot: lot?.lot_code,
        range: { batchId: batch.id, from, count: Math.min(50_000, codes - from) },
      });
    }
    const epcs = await db.sql<{ epc: string }[]>`select epc from code_state where gtin = ${UNIT} order by random()`;
    fs.writeFileSync(pathsFile, epcs.map((e) => e.epc.replace('https://id.gs1.org', '')).join('\n'));
    await db.sql`analyze`;

    const client = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'consumer-scan-load.ts');
    const rate = Number(process.env.BENCH_RATE ?? 1000);
    const load = async (mode: string) => {
      const { stdout } = await run$('node', ['--import', 'tsx', client, url, mode, String(seconds), String(connections), pathsFile]);
      return JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
        rps: number;
        p50: number;
        p99: number;
        non2xx: number;
        bytesPerRequest: number;
      };
    };
    emit('consumer-scan', 'codes', epcs.length, 'codes');
    emit('consumer-scan', 'connections', connections, 'connections');
    for (const mode of ['point', 'html', 'linkset', 'html']) {
      const r = await load(mode);
      emit('consumer-scan', `${mode}_requests_per_s`, r.rps, 'req/s');
      emit('consumer-scan', `${mode}_latency_p50_ms`, r.p50, 'ms');
      emit('consumer-scan', `${mode}_latency_p99_ms`, r.p99, 'ms');
      emit('consumer-scan', `${mode}_non_2xx`, r.non2xx, 'responses');
      if (mode !== 'point') emit('consumer-scan', `${mode}_bytes_per_response`, r.bytesPerRequest, 'bytes');
    }
    const pacedClient = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'consumer-scan-paced.ts');
    const { stdout: pacedOut } = await run$('node', [
      '--import',
      'tsx',
      pacedClient,
      url,
      String(seconds),
      String(connections),
      pathsFile,
      String(rate),
    ]);
    const paced = JSON.parse(pacedOut.trim().split('\n').at(-1) as string) as { rps: number; p50: number; p99: number; non2xx: number };
    emit('consumer-scan', 'html_paced_rate', rate, 'req/s');
    emit('consumer-scan', 'html_paced_requests_per_s', paced.rps, 'req/s');
    emit('consumer-scan', 'html_paced_latency_p50_ms', paced.p50, 'ms');
    emit('consumer-scan', 'html_paced_latency_p99_ms', paced.p99, 'ms');
    emit('consumer-scan', 'html_paced_non_2xx', paced.non2xx, 'responses');
    const [scans] = await db.sql<{ n: number; repeat: number }[]>`
      select count(*)::int as n, count(*) filter (where verdict = 'genuine_repeat')::int as repeat from consumer_scans`;
    emit('consumer-scan', 'scans_recorded', scans?.n ?? 0, 'scans');
    emit('consumer-scan', 'repeat_verdicts', scans?.repeat ?? 0, 'scans');
  } finally {
    await app.close();
    await db.close();
    fs.rmSync(path.dirname(pathsFile), { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
