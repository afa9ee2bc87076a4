import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * A refused order writes nothing, not even the funds accounts its buyer lacked: placement makes them to check funds
 * against (placement-batch.ts) and takes them back when none of the buyer's orders go through. Found by the route
 * fuzzer (seed 138213458): an order refused for funds left its buyer's empty accounts behind.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);
let tenant: number;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  tenant = Number((await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
});
afterAll(async () => server?.close());

const accountsOf = async (code: string) =>
  Number(
    (
      await server.db.sql<{ n: number }[]>`
        select count(*)::int as n from funds_accounts a join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
        where a.tenant_id = ${tenant} and p.code = ${code}`
    )[0]?.n,
  );

describe('funds accounts of a refused order', () => {
  it('are not left behind when the order is refused for funds, and are made when one goes through', async () => {
    const sql = server.db.sql;
    const [d] = await sql<{ code: string }[]>`
      select p.code from parties p where p.tenant_id = ${tenant} and p.kind = 'distributor' and p.status = 'active'
        and not exists (select 1 from funds_accounts a where a.tenant_id = p.tenant_id and a.party_id = p.id)
      order by p.code limit 1`;
    // a base price list with one SKU, so the order gets as far as the funds check
    const [sku] = await sql<{ sku: string }[]>`
      select sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit 1`;
    const list = await call('admin', 'POST', '/api/v1/price-lists', {
      code: 'REFUSED-BASE',
      name: 'base',
      scope: 'base',
      items: [{ sku: sku?.sku, priceFen: 1000 }],
    });
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    const buyer = d?.code as string;
    expect(await accountsOf(buyer)).toBe(0);
    const refused = await call('admin', 'POST', '/api/v1/orders', { buyer, lines: [{ sku: sku?.sku, quantity: 1000 }] });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('funds.insufficient');
    expect(await accountsOf(buyer)).toBe(0);
    // with money in, the order goes through and the accounts are there
    const deposit = await call('admin', 'POST', '/api/v1/funds/deposits', { party: buyer, amountFen: 1_000_000_000 });
    expect(deposit.status, JSON.stringify(deposit.body)).toBeLessThan(300);
    const placed = await call('admin', 'POST', '/api/v1/orders', { buyer, lines: [{ sku: sku?.sku, quantity: 1 }] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(await accountsOf(buyer)).toBeGreaterThanOrEqual(3);
  });
});
