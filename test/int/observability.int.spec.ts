import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { warmUpResolver } from '../../src/modules/resolver/warm-up.ts';
import { recordCapture } from '../../src/platform/metrics.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * What an operator sees: request ids, the JSON access log (and what it must never contain), the slow-statement
 * log, Prometheus metrics at /metrics (and who may read them), readiness at /readyz and liveness at /healthz.
 */
const PHONE = '13812345678';
const lines: string[] = [];
const logStream = { write: (s: string) => void lines.push(s) };
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ logger: { level: 'info', stream: logStream }, slowQueryMs: 150 }, (app, db) => {
    // a statement that fails with a personal value in PostgreSQL's message: the 500 must be logged without it
    app.get('/test/failing-statement', { config: { access: 'public' } }, async () => db.sql`select ('tel ' || ${PHONE}::text)::int as n`);
  });
});
afterAll(async () => server?.close());

const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.baseUrl}${path}`, { headers });

describe('request ids', () => {
  it('answers every request with an x-request-id, keeps a sane incoming one and replaces anything else', async () => {
    const fresh = await get('/healthz');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await get('/healthz', { 'x-request-id': 'edge-7f3a.42:1' });
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a.42:1');
    for (const bad of ['x'.repeat(129), 'a b', '<script>', '../../etc/passwd']) {
      expect((await get('/healthz', { 'x-request-id': bad })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // refused requests are named too
    const refused = await get('/api/v1/products');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('the JSON log', () => {
  it('writes one access line per request, with its request id and route pattern, and no query string', async () => {
    const token = await loginAs(server.baseUrl, 'admin');
    lines.length = 0;
    const r = await get('/api/v1/products?q=%E5%A5%B6&page=1', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    const access = logged().filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      requestId: r.headers.get('x-request-id'),
      method: 'GET',
      route: '/api/v1/products',
      path: '/api/v1/products',
      status: 200,
      actor: expect.stringMatching(/^user:\d+$/),
    });
    expect(access[0]?.ms).toBeTypeOf('number');
  });

  it('never logs a password, token, API key, cookie or mobile number, however a request carries them', async () => {
    lines.length = 0;
    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
    });
    const { token } = (await login.json()) as { token: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', username: PHONE, password: 'Wrong#Secret-1' }),
    });
    await get(`/api/v1/products?phone=${PHONE}&token=${token}`, { authorization: `Bearer ${token}` });
    await get('/api/v1/auth/me', { cookie });
    await get('/api/v1/auth/me', { 'x-api-key': 'tlk_not-a-real-key-0123456789' });
    await get(`/api/v1/parties/${PHONE}`, { authorization: `Bearer ${token}` });
    await get(`/no/such/page/${PHONE}`);
    const failed = await get('/test/failing-statement');
    expect(failed.status).toBe(500);

    const text = lines.join('');
    for (const secret of ['Admin#2026', 'Wrong#Secret-1', token, cookie.split('=')[1] as string, 'tlk_not-a-real-key', PHONE]) {
      expect(text, `the log contains ${secret}`).not.toContain(secret);
    }
    const all = logged();
    // the 500 is logged with the database's reason, masked, and without the statement's parameters
    const unhandled = all.find((l) => l.msg === 'unhandled error') as { err: Record<string, unknown> } | undefined;
    expect(unhandled?.err).toMatchObject({ code: '22P02', message: expect.stringContaining('[phone]') });
    expect(unhandled?.err).not.toHaveProperty('parameters');
    // masked paths still say where a request went
    expect(all.some((l) => l.msg === 'request' && l.status === 404 && l.path === '/no/such/page/[phone]')).toBe(true);
    // every line is bound to a request id, except the process's own lines
    for (const l of all.filter((l) => l.msg === 'request')) expect(l.requestId).toBeTruthy();
  });

  it('logs a statement slower than the threshold with its duration and its text, without parameter values', async () => {
    lines.length = 0;
    await server.db.sql`select pg_sleep(0.2), ${PHONE}::text as phone, 'literal-secret' as tag`;
    await server.db.sql`select 1`;
    const slow = logged().filter((l) => l.msg === 'slow statement' && String(l.statement).includes('pg_sleep'));
    expect(slow).toHaveLength(1);
    expect(slow[0]?.statement).toBe('select pg_sleep(?), $1::text as phone, ? as tag');
    expect(slow[0]?.ms).toBeGreaterThanOrEqual(150);
    expect(lines.join('')).not.toContain(PHONE);
    expect(lines.join('')).not.toContain('literal-secret');
  });
});

describe('/metrics', () => {
  it('counts requests and their latency per route pattern, method and status class, never per URL', async () => {
    const token = await loginAs(server.baseUrl, 'admin');
    const auth = { authorization: `Bearer ${token}` };
    const [product] = await server.db.sql<{ id: number }[]>`select id from products order by id limit 1`;
    await get(`/api/v1/products/${product?.id}?lang=en`, auth);
    await get('/api/v1/products/99999999', auth);
    await fetch(`${server.baseUrl}/definitely/not/here?x=1`, { method: 'DELETE' });
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^throughline_http_requests_total\{method="GET",route="\/api\/v1\/products\/:id",status_class="2xx"\} [1-9]/m);
    expect(text).toMatch(/^throughline_http_requests_total\{method="GET",route="\/api\/v1\/products\/:id",status_class="4xx"\} [1-9]/m);
    expect(text).toMatch(/^throughline_http_requests_total\{method="DELETE",route="unmatched",status_class="4xx"\} [1-9]/m);
    expect(text).toMatch(
      /^throughline_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/products\/:id",status_class="2xx"[^}]*\} /m,
    );
    const routeLabels = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1] as string));
    const declared = new Set(server.routes.map((x) => x.url));
    for (const label of routeLabels) expect(label === 'unmatched' || declared.has(label), label).toBe(true);
  });

  it('shows the database pool, statement times, whether the database is up, and process metrics', async () => {
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(/^throughline_db_pool_connections\{state="open"\} [1-9]/m);
    expect(text).toMatch(/^throughline_db_pool_connections\{state="busy"\} \d/m);
    expect(text).toMatch(/^throughline_db_pool_max_connections 10$/m);
    expect(text).toMatch(/^throughline_db_statement_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^throughline_db_slow_statements_total [1-9]/m);
    expect(text).toMatch(/^throughline_db_up 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('counts EPCIS captures through the capture hook', async () => {
    const before = await (await get('/metrics')).text();
    const count = (text: string, name: string) => Number(new RegExp(`^${name}\\{source="scan"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    recordCapture({ source: 'scan', events: 3, newEvents: 2, codes: 50 });
    const after = await (await get('/metrics')).text();
    expect(count(after, 'throughline_epcis_captures_total') - count(before, 'throughline_epcis_captures_total')).toBe(1);
    expect(count(after, 'throughline_epcis_events_received_total') - count(before, 'throughline_epcis_events_received_total')).toBe(3);
    expect(count(after, 'throughline_epcis_events_captured_total') - count(before, 'throughline_epcis_events_captured_total')).toBe(2);
    expect(count(after, 'throughline_epcis_codes_captured_total') - count(before, 'throughline_epcis_codes_captured_total')).toBe(50);
  });

  it('is not public: without a scrape token only loopback callers that came through no proxy may read it', async () => {
    expect((await get('/metrics', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
    const { app } = await buildApp({ sql: server.db.sql });
    const remote = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ code: 'metrics.forbidden' });
    expect((await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    await app.close();
  });

  it('with a scrape token, wants exactly that bearer token, from anywhere', async () => {
    const { app } = await buildApp({ sql: server.db.sql, metricsToken: 'scrape-token-of-the-test' });
    const scrape = (authorization?: string, remoteAddress = '10.1.2.3') =>
      app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: authorization ? { authorization } : {} });
    expect((await scrape()).statusCode).toBe(403);
    expect((await scrape(undefined, '127.0.0.1')).statusCode).toBe(403);
    expect((await scrape('Bearer scrape-token-of-the-tes')).statusCode).toBe(403);
    expect((await scrape('Bearer scrape-token-of-the-test')).statusCode).toBe(200);
    await app.close();
  });
});

describe('the warm-up before the server listens', () => {
  const UNIT = '06901234001013';

  it('loads the resolver page on every connection and leaves no scan, no access line and no request counted', async () => {
    const admin = await loginAs(server.baseUrl, 'admin');
    const line = await loginAs(server.baseUrl, 'line');
    const post = (token: string, route: string, body: unknown) =>
      fetch(`${server.baseUrl}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    // nothing in circulation yet: nothing to warm
    expect(await warmUpResolver(server.app, server.db.sql, { connections: 4, rounds: 1 })).toBeNull();
    const batch = await post(admin, '/api/v1/code-batches', { gtin: UNIT, quantity: 3 });
    const [lot] = await server.db.sql<{ lot_code: string }[]>`select l.lot_code from lots l
      join packaging_levels pl on pl.tenant_id = l.tenant_id and pl.product_id = l.product_id where pl.gtin = ${UNIT} limit 1`;
    const commissioned = await post(line, '/api/v1/scans', {
      scanId: randomUUID(),
      kind: 'commission',
      lot: lot?.lot_code,
      range: { batchId: batch.body.id, from: 0, count: 3 },
    });
    expect(commissioned.status, JSON.stringify(commissioned.body)).toBe(200);

    lines.length = 0;
    const warmed = await warmUpResolver(server.app, server.db.sql, { connections: 4, rounds: 3 });
    expect(warmed).toMatchObject({ requests: 12, failed: 0 });
    expect(logged().filter((l) => l.msg === 'request')).toEqual([]);
    const [scans] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from consumer_scans`;
    expect(scans?.n).toBe(0);
    const metrics = await (await get('/metrics')).text();
    expect(metrics).not.toMatch(/^throughline_http_requests_total\{method="HEAD",route="\/01\/:gtin\/21\/:serial"/m);
  });

  it('cannot be claimed by a client: a request with the warm-up header but not the process’s token is logged as any other', async () => {
    lines.length = 0;
    const r = await get('/healthz', { 'x-throughline-warm-up': 'anything' });
    expect(r.status).toBe(200);
    expect(logged().filter((l) => l.msg === 'request' && l.route === '/healthz')).toHaveLength(1);
  });
});

describe('/readyz and /healthz', () => {
  it('is ready when the database answers and every migration is applied', async () => {
    const r = await get('/readyz');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ready', migrations: expect.any(Number) });
  });

  it('is not ready, with the reason, while a migration is missing', async () => {
    const [last] = await server.db.sql<{ version: number; name: string; checksum: string }[]>`
      select version, name, checksum from schema_migrations order by version desc limit 1`;
    await server.db.sql`delete from schema_migrations where version = ${last?.version as number}`;
    try {
      const r = await get('/readyz');
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.headers.get('retry-after')).toBeTruthy();
      expect(await r.json()).toMatchObject({ code: 'ready.migrations_pending', pending: [last?.name] });
    } finally {
      await server.db.sql`insert into schema_migrations (version, name, checksum)
        values (${last?.version as number}, ${last?.name as string}, ${last?.checksum as string})`;
    }
    expect((await get('/readyz')).status).toBe(200);
  });

  it('keeps /healthz to liveness: it answers without asking the database', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });
});
