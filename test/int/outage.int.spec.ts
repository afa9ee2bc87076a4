import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql, type Sql } from '../../src/db/connection.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo/load-demo.ts';
import { buildApp } from '../../src/http/app.ts';
import { loadDivisions } from '../../src/modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../../src/modules/trace/partitions.ts';
import { loginAs } from '../support/app.ts';

/**
 * A database outage, for real: the app runs on a PostgreSQL of its own (not the suite's shared one), which the
 * test stops and starts again. During the outage API requests fail fast with 503, problem+json, a stable code and
 * Retry-After; liveness stays up, readiness goes down; once the database is back the service recovers by itself.
 */
const dataDir = `${path.resolve(process.env.TEST_DATA_DIR ?? '.data/test')}-outage-${randomBytes(4).toString('hex')}`;
let port: number;
let pg: EmbeddedServer;
let sql: Sql;
let app: FastifyInstance;
let baseUrl: string;
let token: string;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

beforeAll(async () => {
  port = await freePort();
  pg = await startEmbeddedPostgres({ dataDir, port });
  sql = createSql(pg.url, { max: 4 });
  await migrate(sql);
  await loadDivisions(sql);
  await ensureMonthlyPartitions(sql);
  await loadDemo(sql, { stores: 20 });
  ({ app } = await buildApp({ sql, loginRateLimit: 1000, databaseProbeMs: 100 }));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  token = await loginAs(baseUrl, 'admin');
});

afterAll(async () => {
  await app?.close();
  await sql?.end({ timeout: 1 });
  await pg?.stop();
  for (const dir of [dataDir, pg && path.dirname(pg.dataDirectory)]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A request that gives up after 5 s: a hang fails the test instead of passing late. */
const call = (p: string, auth = true) =>
  fetch(`${baseUrl}${p}`, { headers: auth ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(5000) });

describe('a database outage', () => {
  it('answers 503 with Retry-After at once while PostgreSQL is down, and recovers by itself when it is back', async () => {
    expect((await call('/api/v1/products')).status).toBe(200);
    expect((await call('/readyz', false)).status).toBe(200);

    await pg.stop();

    // the first request finds the database gone; the next ones are refused before they try
    for (const p of ['/api/v1/products', '/api/v1/products', '/api/v1/auth/me', '/epcis/events?perPage=1']) {
      const r = await call(p);
      expect(r.status, p).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(await r.json()).toMatchObject({ status: 503, code: 'service.database_unavailable' });
    }
    // so is a login (it needs the database), and an anonymous request is told the same, not 401
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
      signal: AbortSignal.timeout(5000),
    });
    expect(login.status).toBe(503);
    expect((await call('/api/v1/products', false)).status).toBe(503);
    // liveness is the process's; readiness is the database's
    expect((await call('/healthz', false)).status).toBe(200);
    const ready = await call('/readyz', false);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ code: 'ready.database_unreachable' });
    expect(await (await call('/metrics', false)).text()).toMatch(/^throughline_db_up 0$/m);

    pg = await startEmbeddedPostgres({ dataDir, port });

    let status = 0;
    for (let attempt = 0; attempt < 150 && status !== 200; attempt++) {
      status = (await call('/api/v1/products')).status;
      if (status !== 200) {
        expect(status).toBe(503);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(status).toBe(200);
    expect((await call('/readyz', false)).status).toBe(200);
    expect(await (await call('/metrics', false)).text()).toMatch(/^throughline_db_up 1$/m);
    // and a new login works on the recovered pool
    expect(await loginAs(baseUrl, 'quality')).toBeTruthy();
  });
});
