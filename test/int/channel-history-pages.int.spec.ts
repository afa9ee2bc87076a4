import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoHistory } from '../../src/demo/demo-history.ts';
import { apiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';
import { testKeystore, testMasterKey } from '../support/codes.ts';

/**
 * The channel's pages over a channel with a past: a few weeks of the demo history played (orders placed, shipped and
 * received, weekly payments, consumers' scans, each on its own day), then the lists read as their users read them.
 */
let server: TestServer;
let tenant: number;
const tokens: Record<string, string> = {};
const call = apiClient(() => server.baseUrl, tokens);

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const info = await loadDemoHistory(server.db.url, {
    keystore: testKeystore(),
    masterKey: testMasterKey(),
    days: 28,
    distributors: 2,
    storesEach: 2,
    skus: 3,
    today: '2026-12-05',
  });
  if (!info) throw new Error('the history was not played');
  const [t] = await server.db.sql<{ id: number }[]>`select id::int from tenants where code = 'demo'`;
  tenant = Number(t?.id);
}, 240_000);
afterAll(async () => server?.close());

describe('the orders list', () => {
  it('pages through every order the caller sees, newest placed first, with how many there are', async () => {
    const [{ n } = { n: 0 }] = await server.db.sql<{ n: number }[]>`select count(*)::int as n from orders where tenant_id = ${tenant}`;
    expect(n).toBeGreaterThan(20);
    const first = await call('admin', 'GET', '/api/v1/orders?page=1&pageSize=10');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(n);
    expect(first.body.items).toHaveLength(10);
    // the last page holds the oldest orders: all of them can be reached
    const lastPage = Math.ceil(n / 10);
    const last = await call('admin', 'GET', `/api/v1/orders?page=${lastPage}&pageSize=10`);
    expect(last.body.items).toHaveLength(n - (lastPage - 1) * 10);
    const [oldest] = await server.db.sql<{ order_no: string }[]>`
      select order_no from orders where tenant_id = ${tenant} order by created_at, id limit 1`;
    expect(last.body.items.at(-1).orderNo).toBe(oldest?.order_no);
    // newest placed first across pages
    const at = [...first.body.items, ...last.body.items].map((o: { createdAt: string }) => o.createdAt);
    expect(at).toEqual([...at].sort().reverse());
  });

  it("finds orders by a part of their number or their buyer's or seller's code or name, within the caller's scope", async () => {
    const [{ n } = { n: 0 }] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from orders o
      join parties b on b.id = o.buyer_party_id join parties s on s.id = o.seller_party_id
      where o.tenant_id = ${tenant} and 'D0001' in (b.code, s.code)`;
    const byBuyer = await call('admin', 'GET', '/api/v1/orders?q=D0001&pageSize=200');
    expect(byBuyer.status).toBe(200);
    expect(byBuyer.body.total).toBe(n);
    for (const o of byBuyer.body.items) expect([o.buyer.code, o.seller.code]).toContain('D0001');
    const one = byBuyer.body.items[5];
    const byNo = await call('admin', 'GET', `/api/v1/orders?q=${encodeURIComponent(one.orderNo)}`);
    expect(byNo.body.items.map((o: { orderNo: string }) => o.orderNo)).toEqual([one.orderNo]);
    // the distributor sees its own orders and its stores' with it, no other distributor's
    const theirs = await call('distributor', 'GET', '/api/v1/orders?pageSize=200');
    const [{ mine } = { mine: 0 }] = await server.db.sql<{ mine: number }[]>`
      select count(*)::int as mine from orders o join parties d on d.tenant_id = o.tenant_id and d.code = 'D0001'
      where o.tenant_id = ${tenant} and (o.buyer_party_id = d.id or o.seller_party_id = d.id)`;
    expect(theirs.body.total).toBe(mine);
    expect((await call('distributor', 'GET', '/api/v1/orders?q=D0002')).body.total).toBe(0);
  });
});

describe("a party's ledger", () => {
  it('names who moved the money in words people read: the history played by the server is the system, not user:0', async () => {
    const zh = await call('admin', 'GET', '/api/v1/funds/D0001/ledger');
    expect(zh.status).toBe(200);
    const played = zh.body.items.filter((i: { actor: string }) => i.actor === 'user:0');
    expect(played.length).toBeGreaterThan(0);
    for (const i of zh.body.items) expect(i.actorName ?? i.actor).not.toMatch(/^user:\d+$/);
    expect(played[0].actorName).toBe('系统');
    // the weekly payments are there, dated on the history's days (newest first)
    const at = zh.body.items.map((i: { at: string }) => i.at);
    expect(at).toEqual([...at].sort().reverse());
    expect(zh.body.items.some((i: { kind: string }) => i.kind === 'deposit')).toBe(true);
  });

  it("reads the history's weekly payments in the reader's language: one language to a note and to who paid it", async () => {
    type Row = { kind: string; memo: string | null; memoText: string | null; actor: string; actorName: string | null };
    const weekly = (items: Row[]) => items.filter((i) => i.kind === 'deposit' && i.actor === '演示历史');
    const zh = weekly((await call('admin', 'GET', '/api/v1/funds/D0001/ledger?pageSize=500')).body.items);
    const en = weekly(
      (await call('admin', 'GET', '/api/v1/funds/D0001/ledger?pageSize=500', undefined, { 'accept-language': 'en' })).body.items,
    );
    expect(zh.length).toBeGreaterThan(0);
    expect(en).toHaveLength(zh.length);
    // what was written is a message key (orders/funds-notes.ts), read in each reader's language
    for (const i of [...zh, ...en]) expect(i.memo).toBe('funds.note.weekly_payment');
    for (const i of zh) expect([i.memoText, i.actorName]).toEqual(['周结货款', '演示历史']);
    for (const i of en) expect([i.memoText, i.actorName]).toEqual(['Weekly payment', 'Demo history']);
  });

  it('reads the notes older databases hold as text, once migration 0044 has made keys of them; a typed memo stays as typed', async () => {
    type Row = { id: number; memo: string | null; memoText: string | null };
    const ledger = async (lang: string) =>
      (await call('admin', 'GET', '/api/v1/funds/D0001/ledger?pageSize=500', undefined, { 'accept-language': lang })).body.items as Row[];
    const [payment, other] = (await ledger('en')).filter((i) => i.memo === 'funds.note.weekly_payment').map((i) => i.id) as [
      number,
      number,
    ];
    expect(other).toBeDefined();
    // as a database migrated before 0044 holds them: the history's note in its two old spellings, and a refund noted
    // in English text; one of the history's payments with a memo a person might have typed
    const [refund] = await server.db.sql<{ id: number }[]>`
      update funds_transactions set memo = '周结货款 / weekly payment', memo_params = null where id = ${payment} returning id::int`;
    await server.db.sql`update funds_transactions set memo = 'return R-2026-7', memo_params = null, kind = 'refund' where id = ${other}`;
    const [typed] = await server.db.sql<{ id: number }[]>`
      select id::int from funds_transactions f
      where f.id not in (${payment}, ${other}) and f.memo = 'funds.note.weekly_payment' and f.tenant_id = ${tenant} limit 1`;
    await server.db.sql`update funds_transactions set memo = 'return of the deposit', memo_params = null where id = ${typed?.id ?? 0}`;
    await server.db.sql.unsafe(fs.readFileSync(path.resolve('src/db/migrations/0044_funds_note_params.sql'), 'utf8'));
    const [zh, en] = [await ledger('zh-CN'), await ledger('en')];
    const text = (rows: Row[], id: number | undefined) => rows.find((i) => i.id === id)?.memoText;
    expect([text(zh, refund?.id), text(en, refund?.id)]).toEqual(['周结货款', 'Weekly payment']);
    expect([text(zh, other), text(en, other)]).toEqual(['退货 R-2026-7', 'Return R-2026-7']);
    // a deposit's memo is what a person typed, whatever it says
    expect([text(zh, typed?.id), text(en, typed?.id)]).toEqual(['return of the deposit', 'return of the deposit']);
  });
});

describe("a party's ledger, paged", () => {
  it('reaches every transaction of the party, not only the last 100, a page at a time with how many there are', async () => {
    const [{ n } = { n: 0 }] = await server.db.sql<{ n: number }[]>`
      select count(distinct e.transaction_id)::int as n from funds_entries e
      join funds_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id
      join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
      where e.tenant_id = ${tenant} and p.code = 'D0001' and a.kind <> 'external'`;
    expect(n).toBeGreaterThan(12);
    const first = await call('distributor', 'GET', '/api/v1/funds/D0001/ledger?page=1&pageSize=6');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(n);
    expect(first.body.items).toHaveLength(6);
    const lastPage = Math.ceil(n / 6);
    const last = await call('distributor', 'GET', `/api/v1/funds/D0001/ledger?page=${lastPage}&pageSize=6`);
    expect(last.body.items).toHaveLength(n - (lastPage - 1) * 6);
    // the first page is the newest, the last the oldest: the history's first days
    expect(last.body.items.at(-1).at < first.body.items[0].at).toBe(true);
    const ids = new Set([...first.body.items, ...last.body.items].map((i: { id: number }) => i.id));
    expect(ids.size).toBe(first.body.items.length + last.body.items.length);
  });
});

describe("an order's price source", () => {
  it("names the distributor's price list the store's order was priced by after the distributor's code", async () => {
    const stores = await call('admin', 'GET', '/api/v1/orders?q=D0001&pageSize=50');
    const fromStore = stores.body.items.find((o: { seller: { code: string } }) => o.seller.code === 'D0001');
    const order = await call('admin', 'GET', `/api/v1/orders/${fromStore.id}`);
    expect(order.body.lines[0].priceRule.code).toBe('BASE-D0001');
  });
});
