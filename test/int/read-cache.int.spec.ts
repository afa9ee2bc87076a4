import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await loginAs(server.baseUrl, 'admin');
});
afterAll(async () => server?.close());

async function storesNamed(name: string): Promise<number> {
  const r = await fetch(`${server.baseUrl}/api/v1/parties?kind=store&q=${encodeURIComponent(name)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { total: number }).total;
}

describe('cached lists stay true to the database', () => {
  it('shows a store created through the API on the very next read', async () => {
    expect(await storesNamed('缓存测试一号店')).toBe(0);
    const created = await fetch(`${server.baseUrl}/api/v1/parties`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'CACHE-1', name: '缓存测试一号店', kind: 'store', parentCode: 'D0278', districtCode: '360102' }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await storesNamed('缓存测试一号店')).toBe(1);
  });

  it('shows a change written by another node or by hand once PostgreSQL has notified it', async () => {
    expect(await storesNamed('缓存测试二号店')).toBe(0);
    await server.db.sql`update parties set name = '缓存测试二号店' where code = 'S000002'`;
    let seen = 0;
    for (let attempt = 0; attempt < 50 && seen === 0; attempt++) {
      seen = await storesNamed('缓存测试二号店');
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(1);
  });
});
