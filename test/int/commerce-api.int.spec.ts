import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * The reads and writes the commercial setup pages of the console stand on: one price list with its items, the
 * customer groups, a party's funds ledger within the caller's data scope, and deposits that a retry does not repeat.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
let skus: string[] = [];
let distributor: string;
let otherDistributor: string;
let store: string;
let downstreamStore: string;
/** a store neither the distributor nor any distributor under it supplies */
let otherStore: string;
let tenant: number;

const call = apiClient(() => server.baseUrl, tokens);
const ledgerCount = async () =>
  (await server.db.sql<{ n: number }[]>`select count(*)::int as n from funds_transactions where tenant_id = ${tenant}`)[0]?.n;

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  skus = (
    await sql<{ sku: string }[]>`select sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit 2`
  ).map((p) => p.sku);
  const codeOf = async (username: string) =>
    (
      await sql<{ code: string }[]>`
        select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = ${username}`
    )[0]?.code as string;
  distributor = await codeOf('distributor');
  store = await codeOf('store');
  const [o] = await sql<{ code: string }[]>`
    select code from parties where tenant_id = ${tenant} and kind = 'distributor' and code <> ${distributor} order by code limit 1`;
  otherDistributor = o?.code as string;
  const [ds] = await sql<{ code: string }[]>`
    select s.code from parties s join parties d on d.tenant_id = s.tenant_id and d.code = ${distributor}
    where s.tenant_id = ${tenant} and s.kind = 'store' and (s.parent_id = d.id
      or s.parent_id in (select c.id from parties c where c.tenant_id = d.tenant_id and c.parent_id = d.id))
    order by s.code limit 1`;
  downstreamStore = ds?.code as string;
  const [os] = await sql<{ code: string }[]>`
    select s.code from parties s join parties d on d.tenant_id = s.tenant_id and d.code = ${distributor}
    where s.tenant_id = ${tenant} and s.kind = 'store' and s.parent_id <> d.id
      and s.parent_id not in (select c.id from parties c where c.tenant_id = d.tenant_id and c.parent_id = d.id)
    order by s.code limit 1`;
  otherStore = os?.code as string;
});
afterAll(async () => server?.close());

describe('price lists and customer groups', () => {
  it('gives one price list with its tiers as POST takes it, and 404 for an unknown code', async () => {
    expect((await call('admin', 'POST', '/api/v1/customer-groups', { code: 'KA', name: '重点客户', members: [distributor] })).status).toBe(
      201,
    );
    const posted = {
      code: 'KA-2026',
      name: 'KA 价 2026',
      scope: 'group',
      groupCode: 'KA',
      priority: 10,
      validFrom: '2020-01-01',
      validTo: '2099-12-31',
      items: [
        { sku: skus[0], minQty: 1, priceFen: 1000 },
        { sku: skus[0], minQty: 100, priceFen: 900 },
        { sku: skus[1], minQty: 1, priceFen: 550 },
      ],
    };
    expect((await call('admin', 'POST', '/api/v1/price-lists', posted)).status).toBe(201);
    const got = await call('sales', 'GET', '/api/v1/price-lists/KA-2026');
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      ...posted,
      divisionCode: null,
      partyCode: null,
      partyName: null,
      active: true,
    });
    const missing = await call('admin', 'GET', '/api/v1/price-lists/NOPE');
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });

  it("shows a distributor only the price lists that reach it, never another customer's own prices", async () => {
    const list = (code: string, scope: string, extra: object = {}) =>
      call('admin', 'POST', '/api/v1/price-lists', { code, name: code, scope, items: [{ sku: skus[0], priceFen: 777 }], ...extra });
    expect((await list('MINE', 'customer', { partyCode: distributor })).status).toBe(201);
    expect((await list('THEIRS', 'customer', { partyCode: otherDistributor })).status).toBe(201);
    const seen = (await call('distributor', 'GET', '/api/v1/price-lists')).body.items.map((l: { code: string }) => l.code);
    expect(seen).toContain('MINE');
    expect(seen).not.toContain('THEIRS');
    expect((await call('distributor', 'GET', '/api/v1/price-lists/THEIRS')).status).toBe(404);
    expect((await call('distributor', 'GET', '/api/v1/price-lists/MINE')).status).toBe(200);
    // brand staff see both
    const all = (await call('admin', 'GET', '/api/v1/price-lists')).body.items.map((l: { code: string }) => l.code);
    expect(all).toEqual(expect.arrayContaining(['MINE', 'THEIRS']));
  });

  it('lists the customer groups with their members; a group with an unknown member is refused and not created', async () => {
    const bad = await call('admin', 'POST', '/api/v1/customer-groups', { code: 'BAD', name: '坏组', members: [distributor, 'NOPE-1'] });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(problems(bad)).toEqual([['/body/members/1', 'order.unknown_buyer']]);
    const groups = await call('admin', 'GET', '/api/v1/customer-groups');
    expect(groups.body.items).toEqual([{ code: 'KA', name: '重点客户', members: 1, memberCodes: [distributor] }]);
    // members are narrowed to the caller's data scope: the member sees itself, a store elsewhere learns no one's code
    const member = await call('distributor', 'GET', '/api/v1/customer-groups');
    expect(member.body.items).toEqual([{ code: 'KA', name: '重点客户', members: 1, memberCodes: [distributor] }]);
    const outsider = await call('store', 'GET', '/api/v1/customer-groups');
    expect(outsider.body.items).toEqual([{ code: 'KA', name: '重点客户', members: 0, memberCodes: [] }]);
  });

  it('says which rule gave a price: the group list at the tier the quantity reaches', async () => {
    const r = await call('sales', 'POST', '/api/v1/prices/resolve', { buyer: distributor, lines: [{ sku: skus[0], quantity: 120 }] });
    expect(r.body.lines[0]).toMatchObject({ unitPriceFen: 900, rule: { code: 'KA-2026', scope: 'group', priority: 10, minQty: 100 } });
  });
});

describe('funds', () => {
  it('records a deposit once when it is sent again with its key, and refuses the key for another deposit', async () => {
    const key = randomUUID();
    const before = await ledgerCount();
    const first = await call(
      'admin',
      'POST',
      '/api/v1/funds/deposits',
      { party: distributor, amountFen: 123_45 },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ prepaidFen: 123_45, replayed: false });
    // the answer was lost: the console sends the same again
    const again = await call(
      'admin',
      'POST',
      '/api/v1/funds/deposits',
      { party: distributor, amountFen: 123_45 },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ prepaidFen: 123_45, replayed: true });
    // two at once with a fresh key: one deposit
    const key2 = randomUUID();
    const both = await Promise.all(
      [1, 2].map(() =>
        call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor, amountFen: 1_00 }, { 'idempotency-key': key2 }),
      ),
    );
    expect(both.map((b) => b.status)).toEqual([200, 200]);
    expect(both.map((b) => b.body.replayed).sort()).toEqual([false, true]);
    expect(await ledgerCount()).toBe(Number(before) + 2);
    const reused = await call(
      'admin',
      'POST',
      '/api/v1/funds/deposits',
      { party: distributor, amountFen: 999 },
      { 'idempotency-key': key },
    );
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('funds.key_reused');
    expect((await call('admin', 'GET', `/api/v1/funds/${distributor}`)).body.prepaidFen).toBe(124_45);
  });

  it('refuses a deposit that records nothing, a negative or fractional amount, and an unknown party, writing nothing', async () => {
    const before = await ledgerCount();
    const nothing = await call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor });
    expect(nothing.status).toBe(400);
    expect(problems(nothing)).toEqual([['/body/amountFen', 'funds.nothing_to_record']]);
    for (const amountFen of [-100, 12.5]) {
      const r = await call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor, amountFen });
      expect(r.status).toBe(400);
      expect(r.type).toContain('application/problem+json');
    }
    const unknown = await call('admin', 'POST', '/api/v1/funds/deposits', { party: 'NOPE-9', amountFen: 100 });
    expect(problems(unknown)).toEqual([['/body/party', 'order.unknown_buyer']]);
    expect(await ledgerCount()).toBe(before);
  });

  it("shows a party's ledger newest first with what each transaction moved on its own accounts", async () => {
    expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor, creditLimitFen: 50_000_00 })).status).toBe(200);
    expect(
      (
        await call('admin', 'POST', '/api/v1/price-lists', {
          code: 'BASE',
          name: '基础价',
          scope: 'base',
          items: [{ sku: skus[1], priceFen: 500 }],
        })
      ).status,
    ).toBe(201);
    const placed = await call('distributor', 'POST', '/api/v1/orders', { lines: [{ sku: skus[1], quantity: 24 }] });
    expect(placed.status).toBe(201);
    const ledger = await call('distributor', 'GET', `/api/v1/funds/${distributor}/ledger`);
    expect(ledger.status).toBe(200);
    expect(ledger.body.party.code).toBe(distributor);
    const [reserve, ...deposits] = ledger.body.items;
    expect(reserve).toMatchObject({
      kind: 'reserve',
      orderNo: placed.body.orderNo,
      // the distributor is in the group KA: its list's price, not the base one
      amountsFen: { prepaid: -24 * 550, reserved: 24 * 550, rebate: 0, settled: 0 },
    });
    expect(deposits.map((d: { kind: string; amountsFen: { prepaid: number } }) => [d.kind, d.amountsFen.prepaid])).toEqual([
      ['deposit', 1_00],
      ['deposit', 123_45],
    ]);
    expect(deposits[1].actorName).toBe('admin');
    expect(reserve.actorName).toBe('distributor');
  });

  it('lets a distributor keep the accounts of the stores it supplies, and no one else’s', async () => {
    const [own] = await server.db.sql<{ code: string }[]>`
      select s.code from parties s join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
      where d.tenant_id = ${tenant} and d.code = ${distributor} and s.kind = 'store' order by s.code limit 1`;
    const key = `dist-deposit-${Date.now()}`;
    const paid = await call(
      'distributor',
      'POST',
      '/api/v1/funds/deposits',
      { party: own?.code, amountFen: 88_00, creditLimitFen: 500_00 },
      { 'idempotency-key': key },
    );
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect([paid.body.prepaidFen, paid.body.creditLimitFen]).toEqual([88_00, 500_00]);
    const before = await ledgerCount();
    // not another distributor's store, nor its own account with the brand: refused with the party named, nothing moved
    for (const party of [otherStore, distributor, otherDistributor]) {
      const refused = await call('distributor', 'POST', '/api/v1/funds/deposits', { party, amountFen: 1_00 });
      expect(refused.status).toBe(403);
      expect(problems(refused)).toEqual([['/body/party', 'funds.not_your_customer']]);
    }
    expect(await ledgerCount()).toBe(before);
    // a store's people still only read
    expect((await call('store', 'POST', '/api/v1/funds/deposits', { party: store, amountFen: 1_00 })).status).toBe(403);
  });

  it("keeps a ledger to the caller's data scope: another distributor's or its supplier's is not there for a channel user", async () => {
    expect((await call('distributor', 'GET', `/api/v1/funds/${otherDistributor}/ledger`)).status).toBe(404);
    expect((await call('store', 'GET', `/api/v1/funds/${distributor}/ledger`)).status).toBe(404);
    expect((await call('store', 'GET', `/api/v1/funds/${store}/ledger`)).status).toBe(200);
    // a distributor sees the stores it serves, as it sees their balances
    expect((await call('distributor', 'GET', `/api/v1/funds/${downstreamStore}/ledger`)).status).toBe(200);
    // roles without funds:read are refused outright
    expect((await call('clerk', 'GET', `/api/v1/funds/${store}/ledger`)).status).toBe(403);
    expect((await call('admin', 'GET', `/api/v1/funds/${otherDistributor}/ledger`)).body.items).toEqual([]);
  });
});
