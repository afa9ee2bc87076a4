import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/** Regressions for what the route fuzzer (fuzz-routes.int.spec.ts) found: each answered 500 or not problem+json. */
let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  admin = await loginAs(server.baseUrl, 'admin');
});
afterAll(async () => server?.close());

async function call(method: string, path: string, body?: string, contentType = 'application/json') {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: JSON.parse(text || 'null') as Record<string, unknown> };
}

describe('route fuzzer findings', () => {
  it('creates a sales rep whose territories name one division twice, with the division once', async () => {
    const r = await call(
      'POST',
      '/api/v1/users',
      JSON.stringify({
        username: 'fz_twice',
        password: 'Fz#RGH9gwbYZ7MxEY',
        role: 'brand_sales',
        territories: ['130324', '130324', '130126'],
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const rows = await server.db.sql<{ division_code: string }[]>`
      select division_code from user_territories where user_id = ${r.body.id as number} order by 1`;
    expect(rows.map((x) => x.division_code)).toEqual(['130126', '130324']);
  });

  it('gives every tenant its code keyring when the server starts, so no request (even a refused one) writes one', async () => {
    const [n] = await server.db.sql<{ tenants: number; keyrings: number }[]>`
      select (select count(*)::int from tenants) as tenants, (select count(*)::int from code_keyrings) as keyrings`;
    expect(n?.tenants).toBeGreaterThan(0);
    expect(n?.keyrings).toBe(n?.tenants);
    // a scan refused for its caller's scope touches the keyring but writes nothing
    const before = await server.db.sql`select tenant_id, updated_at from code_keyrings order by tenant_id`;
    const clerk = await loginAs(server.baseUrl, 'store');
    const refused = await fetch(`${server.baseUrl}/api/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        scanId: crypto.randomUUID(),
        kind: 'commission',
        lot: 'L1',
        codes: ['https://id.gs1.org/01/06901234001013/21/NOPE'],
      }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(await server.db.sql`select tenant_id, updated_at from code_keyrings order by tenant_id`).toEqual(before);
  });

  it('refuses a NUL character in a path parameter, a query value or a JSON string with its pointer, and stores nothing', async () => {
    const [before] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from parties`;
    const path = await call('GET', '/epcis/events/%00');
    expect(path.status).toBe(400);
    expect(path.body.errors).toEqual([expect.objectContaining({ pointer: '/path/eventID', code: 'field.invalid' })]);
    const query = await call('GET', '/api/v1/parties?q=a%00b');
    expect(query.status).toBe(400);
    expect(query.body.errors).toEqual([expect.objectContaining({ pointer: '/query/q' })]);
    const body = await call('POST', '/api/v1/parties', JSON.stringify({ code: 'NUL1', name: 'a\u0000b', kind: 'distributor', tier: 1 }));
    expect(body.status).toBe(400);
    expect(body.type).toMatch(/^application\/problem\+json/);
    expect(body.body.errors).toEqual([expect.objectContaining({ pointer: '/body/name' })]);
    const [after] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from parties`;
    expect(after?.n).toBe(before?.n);
  });

  it('refuses an id beyond 2^53 - 1 instead of overflowing bigint', async () => {
    for (const [method, path] of [
      ['DELETE', '/api/v1/webhooks/99999999999999999999'],
      ['GET', '/api/v1/webhooks/deliveries/99999999999999999999'],
      ['GET', '/api/v1/orders/9007199254740992'],
      ['GET', '/api/v1/parties?parentId=99999999999999999999'],
    ] as const) {
      const r = await call(method, path);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body.code).toBe('request.invalid');
    }
  });

  it('answers a file that is not the .xlsx it claims to be with import.bad_file on /orders/import', async () => {
    const r = await call('POST', '/api/v1/orders/import?format=xlsx', 'sku,quantity\nMILK-0101,1\n', 'text/csv');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('import.bad_file');
    expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/file', code: 'import.bad_file' })]);
  });

  it('refuses a page number too large to be an offset (was 500: bigint out of range)', async () => {
    const r = await call('GET', '/api/v1/diversion/alerts?page=1e%2B21&pageSize=168');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
  });

  it('refuses an import whose cell holds a NUL character, and stores no report (was 500: jsonb cannot hold it)', async () => {
    const before = await server.db.sql<{ n: number }[]>`select count(*)::int as n from import_reports`;
    const r = await fetch(`${server.baseUrl}/api/v1/imports/parties`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      body: 'code,kind,name\nS1\u0000X,store,门店\n',
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const after = await server.db.sql<{ n: number }[]>`select count(*)::int as n from import_reports`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it('refuses numbers no column can hold: Infinity in a query, 1e308 in a body (were 500)', async () => {
    const q = await call('GET', '/api/v1/webhooks/deliveries?subscriptionId=Infinity');
    expect(q.status).toBe(400);
    const b = await call('POST', '/api/v1/funds/deposits', JSON.stringify({ party: 'D0001', amountFen: 1e308 }));
    expect(b.status).toBe(400);
    expect(b.type).toMatch(/^application\/problem\+json/);
  });

  it('answers router refusals (a path parameter over 100 characters) as problem+json', async () => {
    const r = await call('GET', `/api/v1/orders/${'x'.repeat(3000)}`);
    // the router says "too long" or, when no route can take so long a segment, "no such route": either way as problem+json
    expect([414, 404]).toContain(r.status);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(['request.uri_too_long', 'route.not_found']).toContain(r.body.code);
  });

  it('answers a request the HTTP parser refuses (raw non-ASCII bytes in the URL) as problem+json and closes the connection', async () => {
    const url = new URL(server.baseUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          Buffer.concat([Buffer.from('GET /api/v1/parties?q='), Buffer.from('店铺'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]),
        );
      });
      let data = '';
      socket.on('data', (d) => {
        data += d.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/content-type: application\/problem\+json/i);
    expect(raw).toMatch(/connection: close/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).code).toBe('request.bad_http');
  });
});
