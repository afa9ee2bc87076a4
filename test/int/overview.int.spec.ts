import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/** The overview's tiles count what the caller may see: a store its own people, the brand all of them. */
let server: TestServer;
const call = apiClient(() => server.baseUrl);
beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, jobs: { worker: false } });
});
afterAll(async () => server?.close());

describe('the overview', () => {
  it('counts the users of the parties in the caller’s scope', async () => {
    const sql = server.db.sql;
    const [all] = await sql<
      { n: number }[]
    >`select count(*)::int as n from users where tenant_id = (select id from tenants where code = 'demo')`;
    const [own] = await sql<{ n: number }[]>`
      select count(*)::int as n from users u join tenants t on t.id = u.tenant_id and t.code = 'demo'
      where u.party_id = (select u2.party_id from users u2 where u2.tenant_id = t.id and u2.username = 'store')`;
    const admin = await call('admin', 'GET', '/api/v1/overview');
    const store = await call('store', 'GET', '/api/v1/overview');
    expect([admin.status, store.status]).toEqual([200, 200]);
    expect(admin.body.counts.users).toBe(all?.n);
    // the demo store has its owner and its clerk
    expect([store.body.counts.users, own?.n]).toEqual([2, 2]);
    expect(store.body.counts.stores).toBe(1);
  });
});
