/**
 * The setup the consumer benchmarks share (consumer-scan, campaign-claims): a fresh database with the demo brand, the
 * app as the product runs it (request logging into /dev/null, no per-address limit since the load comes from one
 * address), the reference route "Fastify plus one point query on code_state" the issue measures against, and
 * commissioned unit codes.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { loadDemo } from '../src/demo/load-demo.ts';
import { buildApp } from '../src/http/app.ts';
import { type BenchDb, freshDatabase } from './support.ts';

export const UNIT = '06901234001013';
const run$ = promisify(execFile);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface ConsumerBench {
  db: BenchDb;
  app: FastifyInstance;
  url: string;
  /** signs in a demo user */
  login(username: string, password: string): Promise<string>;
  /** POSTs as a signed-in user; throws on a refusal */
  post(token: string, route: string, body: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function consumerBench(opts: { stores: number; masterKey?: Buffer }): Promise<ConsumerBench> {
  const db = await freshDatabase(await freePort());
  const { app } = await buildApp({
    sql: db.sql,
    ...(opts.masterKey ? { masterKey: opts.masterKey } : {}),
    loginRateLimit: 1000,
    logger: { level: 'info', stream: fs.createWriteStream('/dev/null') },
    consumer: { perMinute: 1_000_000_000 },
    webhooks: { worker: false },
    waitingOrders: { worker: false },
    // claims on their own thread, as the server runs them (CLAIM_THREAD=0: on the HTTP thread, to compare)
    ...(process.env.CLAIM_THREAD === '0' ? {} : { claimThread: { databaseUrl: db.url } }),
  });
  app.get('/bench/point', { config: { access: 'public' } }, async (req) => {
    const [row] = await db.sql`select status from code_state where tenant_id = 1 and epc = ${(req.query as { epc: string }).epc}`;
    return { status: row?.status ?? null };
  });
  await loadDemo(db.sql, { stores: opts.stores });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    db,
    app,
    url,
    async login(username, password) {
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', username, password }),
      });
      return ((await r.json()) as { token: string }).token;
    },
    async post(token, route, body) {
      const r = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status >= 300) throw new Error(`${route}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Record<string, unknown>;
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** A batch of `quantity` unit codes of UNIT, commissioned by the line device; the batch as the API answered it. */
export async function commissionedUnits(b: ConsumerBench, quantity: number): Promise<Record<string, unknown>> {
  const admin = await b.login('admin', 'Admin#2026');
  const line = await b.login('line', 'Demo#2026');
  const batch = await b.post(admin, '/api/v1/code-batches', { gtin: UNIT, quantity });
  const [lot] = await b.db.sql<{ lot_code: string }[]>`select l.lot_code from lots l
    join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id where pl.gtin = ${UNIT} limit 1`;
  for (let from = 0; from < quantity; from += 50_000) {
    await b.post(line, '/api/v1/scans', {
      scanId: randomUUID(),
      kind: 'commission',
      lot: lot?.lot_code,
      range: { batchId: batch.id, from, count: Math.min(50_000, quantity - from) },
    });
  }
  return batch;
}

/** Runs a load generator in its own process (as real phones are) and parses the JSON line it prints last. */
export async function loadFrom<T>(script: string, args: string[]): Promise<T> {
  const { stdout, stderr } = await run$('node', ['--import', 'tsx', script, ...args], { maxBuffer: 1 << 24 });
  if (stderr.trim()) console.error(stderr.trim());
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as T;
}
