import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, problems } from '../support/api-client.ts';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * B2B ordering as its users meet it: price lists that say which rule gave a price, orders that reserve the buyer's
 * funds and wait for approval when the rules say so, retries that do not duplicate, and every bad input refused
 * with its reason and nothing written.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
let skus: string[] = [];
let distributor: string;
let store: string;
let tenant: number;

const call = apiClient(() => server.baseUrl, tokens);
const order = (user: string, lines: { sku: string; quantity: number; expectedUnitPriceFen?: number }[], key?: string, buyer?: string) =>
  call(user, 'POST', '/api/v1/orders', { lines, ...(buyer ? { buyer } : {}) }, key ? { 'idempotency-key': key } : {});
const funds = async (party: string) => (await call('admin', 'GET', `/api/v1/funds/${party}`)).body;
const orderCount = async () =>
  (await server.db.sql<{ n: number }[]>`select count(*)::int as n from orders where tenant_id = ${tenant}`)[0]?.n;

beforeAll(async () => {
  // webhook events are checked as stored; their delivery has its own test (webhooks.int.spec.ts)
  server = await startTestServer({ webhooks: { worker: false } });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  const demo = Number(t?.id);
  tenant = demo;
  const products = await server.db.sql<
    { sku: string }[]
  >`select sku from products where tenant_id = ${demo} and status = 'active' order by sku limit 4`;
  skus = products.map((p) => p.sku);
  const [d] = await server.db.sql<{ code: string }[]>`
    select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'distributor'`;
  const [s] = await server.db.sql<{ code: string }[]>`
    select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = 'store'`;
  distributor = d?.code as string;
  store = s?.code as string;
  // the brand's lists: a base list with a quantity tier, two customer groups, a list for one customer
  const [a, b] = [skus[0] as string, skus[1] as string];
  expect((await call('admin', 'POST', '/api/v1/customer-groups', { code: 'KA', name: '重点客户', members: [distributor] })).status).toBe(
    201,
  );
  expect((await call('admin', 'POST', '/api/v1/customer-groups', { code: 'VIP', name: '战略客户', members: [distributor] })).status).toBe(
    201,
  );
  const list = (body: object) => call('admin', 'POST', '/api/v1/price-lists', body);
  expect(
    (
      await list({
        code: 'BASE',
        name: '基础价',
        scope: 'base',
        items: [
          { sku: a, priceFen: 1000 },
          { sku: a, minQty: 100, priceFen: 900 },
          { sku: b, priceFen: 500 },
        ],
      })
    ).status,
  ).toBe(201);
  expect(
    (await list({ code: 'KA', name: 'KA 价', scope: 'group', groupCode: 'KA', priority: 10, items: [{ sku: a, priceFen: 950 }] })).status,
  ).toBe(201);
  expect(
    (await list({ code: 'VIP', name: 'VIP 价', scope: 'group', groupCode: 'VIP', priority: 20, items: [{ sku: a, priceFen: 920 }] }))
      .status,
  ).toBe(201);
  expect(
    (
      await list({
        code: 'ONE',
        name: '专属价',
        scope: 'customer',
        partyCode: distributor,
        priority: 5,
        items: [{ sku: a, priceFen: 930 }],
      })
    ).status,
  ).toBe(201);
  // the distributor's own list for its stores
  expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor, amountFen: 1_000_000 })).status).toBe(200);
});
afterAll(async () => server?.close());

describe('prices', () => {
  it('gives each line its price and the rule that gave it: priorities decide between groups, tiers by quantity', async () => {
    const r = await call('admin', 'POST', '/api/v1/prices/resolve', {
      buyer: distributor,
      lines: [
        { sku: skus[0], quantity: 10 },
        { sku: skus[1], quantity: 10 },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.lines[0]).toMatchObject({ unitPriceFen: 920, rule: { code: 'VIP', scope: 'group', priority: 20 } });
    expect(r.body.lines[1]).toMatchObject({ unitPriceFen: 500, rule: { code: 'BASE', scope: 'base' } });
  });

  it('takes the highest tier the quantity reaches', async () => {
    const [other] = await server.db.sql<
      { code: string }[]
    >`select code from parties where tenant_id = ${tenant} and kind = 'distributor' and code <> ${distributor} order by code limit 1`;
    const r = await call('admin', 'POST', '/api/v1/prices/resolve', {
      buyer: other?.code,
      lines: [
        { sku: skus[0], quantity: 99 },
        { sku: skus[0], quantity: 100 },
      ],
    });
    expect(r.body.lines.map((l: { unitPriceFen: number }) => l.unitPriceFen)).toEqual([1000, 900]);
  });

  it('resolves 10,000 lines in one request', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => ({ sku: skus[i % 2], quantity: 1 + (i % 150) }));
    const r = await call('admin', 'POST', '/api/v1/prices/resolve', { buyer: distributor, lines });
    expect(r.status).toBe(200);
    expect(r.body.lines).toHaveLength(10_000);
  });
});

describe('orders', () => {
  it('places a first order that waits for approval, reserves the funds, and is approved by the brand', async () => {
    const before = await funds(distributor);
    const placed = await order('distributor', [{ sku: skus[0] as string, quantity: 24 }], randomUUID());
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toMatchObject({ status: 'pending_approval', totalFen: 24 * 920, approvalReasons: ['first_order'] });
    const after = await funds(distributor);
    expect(after.prepaidFen).toBe(before.prepaidFen - 24 * 920);
    expect(after.reservedFen).toBe(before.reservedFen + 24 * 920);
    // the buyer may cancel its order, not approve it; a store of another distributor does not even see it
    expect((await call('distributor', 'POST', `/api/v1/orders/${placed.body.id}/approve`, {})).status).toBe(403);
    expect((await call('store', 'POST', `/api/v1/orders/${placed.body.id}/approve`, {})).status).toBe(404);
    const approved = await call('admin', 'POST', `/api/v1/orders/${placed.body.id}/approve`, {});
    expect(approved.body).toMatchObject({ status: 'approved' });
    const detail = await call('distributor', 'GET', `/api/v1/orders/${placed.body.id}`);
    expect(detail.body.lines[0]).toMatchObject({ sku: skus[0], quantity: 24, unitPriceFen: 920, priceRule: { code: 'VIP' } });
    // the order says which side its viewer is on, by the rules the actions check: the page offers buttons by it
    expect(detail.body.viewer).toEqual({ decides: false, buys: true, resolvesDifferences: false });
    expect((await call('admin', 'GET', `/api/v1/orders/${placed.body.id}`)).body.viewer).toEqual({
      decides: true,
      buys: true,
      resolvesDifferences: true,
    });
    expect(detail.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['placed', 'approved']);
    const again = await call('admin', 'POST', `/api/v1/orders/${placed.body.id}/approve`, {});
    expect(again.status).toBe(409);
  });

  it('stores an order sent twice with one idempotency key once, and reserves once', async () => {
    const key = randomUUID();
    const first = await order('distributor', [{ sku: skus[1] as string, quantity: 10 }], key);
    const before = await funds(distributor);
    const second = await order('distributor', [{ sku: skus[1] as string, quantity: 10 }], key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, replayed: true });
    expect(await funds(distributor)).toEqual(before);
  });

  it('answers the same order sent again with its key, fields and lines in another order, with the first order', async () => {
    const key = randomUUID();
    const lines = [
      { sku: skus[0] as string, quantity: 12 },
      { sku: skus[1] as string, quantity: 4 },
    ];
    const first = await call('distributor', 'POST', '/api/v1/orders', { lines, note: '端午备货' }, { 'idempotency-key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const count = await orderCount();
    const before = await funds(distributor);
    const again = await call(
      'distributor',
      'POST',
      '/api/v1/orders',
      // the same order: its own party named, the default type spelled out, keys and lines in another order
      { note: '端午备货', type: 'normal', buyer: distributor, lines: [{ quantity: 4, sku: skus[1] }, lines[0]] },
      { 'idempotency-key': key },
    );
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, orderNo: first.body.orderNo, totalFen: first.body.totalFen, replayed: true });
    expect(await orderCount()).toBe(count);
    expect(await funds(distributor)).toEqual(before);
  });

  it('refuses a key used again for another order (other lines, quantity, note or type) with 409 order.key_reused, and writes nothing', async () => {
    const key = randomUUID();
    const first = await order('distributor', [{ sku: skus[1] as string, quantity: 12 }], key);
    expect(first.status).toBe(201);
    const count = await orderCount();
    const before = await funds(distributor);
    const others = [
      { lines: [{ sku: skus[0] as string, quantity: 99 }] },
      { lines: [{ sku: skus[1] as string, quantity: 24 }] },
      { lines: [{ sku: skus[1] as string, quantity: 12 }], note: '加急' },
      { lines: [{ sku: skus[1] as string, quantity: 12 }], type: 'presale' },
      {
        lines: [
          { sku: skus[1] as string, quantity: 12 },
          { sku: skus[0] as string, quantity: 12 },
        ],
      },
    ];
    for (const body of others) {
      const reused = await call('distributor', 'POST', '/api/v1/orders', body, { 'idempotency-key': key });
      expect(reused.status, JSON.stringify(body)).toBe(409);
      expect(reused.body).toMatchObject({ code: 'order.key_reused' });
      expect(reused.body.detail).toBe(`此幂等键已用于订单 ${first.body.orderNo}，其内容与本次不同；新的订单请使用新的幂等键提交`);
    }
    const inEnglish = await call(
      'distributor',
      'POST',
      '/api/v1/orders',
      { lines: [{ sku: skus[0] as string, quantity: 99 }] },
      { 'idempotency-key': key, 'accept-language': 'en' },
    );
    expect(inEnglish.body.detail).toBe(
      `This idempotency key was used for order ${first.body.orderNo} with other contents; a new order needs a new key`,
    );
    expect(await orderCount()).toBe(count);
    expect(await funds(distributor)).toEqual(before);
    // the first order is as it was, and the same order sent again is still its retry
    const detail = await call('distributor', 'GET', `/api/v1/orders/${first.body.id}`);
    expect(detail.body.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([[skus[1], 12]]);
    expect((await order('distributor', [{ sku: skus[1] as string, quantity: 12 }], key)).body).toMatchObject({
      id: first.body.id,
      replayed: true,
    });
    // a new key places the changed order
    expect((await order('distributor', [{ sku: skus[0] as string, quantity: 99 }], randomUUID())).status).toBe(201);
  });

  it('places one of two different orders sent at the same instant with one key, and refuses the other', async () => {
    const key = randomUUID();
    const count = await orderCount();
    const before = await funds(distributor);
    const [a, b] = await Promise.all([
      order('distributor', [{ sku: skus[1] as string, quantity: 2 }], key),
      order('distributor', [{ sku: skus[1] as string, quantity: 3 }], key),
    ]);
    expect([a?.status, b?.status].sort()).toEqual([201, 409]);
    const placedFen = (a?.status === 201 ? a : b)?.body.totalFen as number;
    expect((a?.status === 409 ? a : b)?.body.code).toBe('order.key_reused');
    expect(await orderCount()).toBe((count as number) + 1);
    expect((await funds(distributor)).prepaidFen).toBe(before.prepaidFen - placedFen);
  });

  it('takes a reused key of an order placed before orders kept what they asked for (no request hash) as a retry, as before', async () => {
    const key = randomUUID();
    const first = await order('distributor', [{ sku: skus[1] as string, quantity: 2 }], key);
    // as migration 0037 leaves the orders placed before it
    await server.db.sql`update orders set request_hash = null where id = ${first.body.id}`;
    const count = await orderCount();
    const again = await order('distributor', [{ sku: skus[1] as string, quantity: 8 }], key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    expect(await orderCount()).toBe(count);
  });

  it('refuses bad lines with a reason each and writes nothing', async () => {
    const [unlisted] = await server.db.sql<{ sku: string }[]>`
      select sku from products p where tenant_id = ${tenant} and status = 'active' and not exists (select 1 from price_list_items i where i.product_id = p.id) order by sku limit 1`;
    const count = await orderCount();
    const before = await funds(distributor);
    const bad = await order('distributor', [
      { sku: 'NO-SUCH-SKU', quantity: 1 },
      { sku: skus[0] as string, quantity: -2 },
      { sku: skus[1] as string, quantity: 1.5 },
    ]);
    expect(bad.status).toBe(400);
    expect(problems(bad)).toEqual([
      ['/body/lines/0/sku', 'order.unknown_sku'],
      ['/body/lines/1/quantity', 'order.bad_quantity'],
      ['/body/lines/2/quantity', 'order.bad_quantity'],
    ]);
    const notListed = await order('distributor', [{ sku: unlisted?.sku as string, quantity: 1 }]);
    expect(problems(notListed)).toEqual([['/body/lines/0/sku', 'order.sku_not_listed']]);
    const stale = await order('distributor', [{ sku: skus[0] as string, quantity: 1, expectedUnitPriceFen: 1000 }]);
    expect(problems(stale)).toEqual([['/body/lines/0/expectedUnitPriceFen', 'order.price_changed']]);
    expect(stale.body.errors[0].detail).toContain('¥9.20');
    expect(await orderCount()).toBe(count);
    expect(await funds(distributor)).toEqual(before);
  });

  it('never overdraws: of many orders at once only those the funds cover are placed', async () => {
    const [party] = await server.db.sql<{ code: string }[]>`
      select code from parties where tenant_id = ${tenant} and kind = 'distributor' and code <> ${distributor} order by code offset 3 limit 1`;
    const buyer = party?.code as string;
    await call('admin', 'POST', '/api/v1/funds/deposits', { party: buyer, amountFen: 7 * 5000 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => order('admin', [{ sku: skus[1] as string, quantity: 10 }], randomUUID(), buyer)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(7);
    expect(statuses.filter((s) => s === 409)).toHaveLength(13);
    expect(results.find((r) => r.status === 409)?.body.code).toBe('funds.insufficient');
    const after = await funds(buyer);
    expect(after).toMatchObject({ prepaidFen: 0, reservedFen: 35_000 });
    // the ledger balances: every transaction's entries sum to zero
    const [unbalanced] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from (select transaction_id from funds_entries group by 1 having sum(amount_fen) <> 0) x`;
    expect(unbalanced?.n).toBe(0);
  });

  it('cancels an order and releases its funds', async () => {
    const placed = await order('distributor', [{ sku: skus[1] as string, quantity: 2 }], randomUUID());
    const before = await funds(distributor);
    const cancelled = await call('distributor', 'POST', `/api/v1/orders/${placed.body.id}/cancel`, { reason: '下错了' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    const after = await funds(distributor);
    expect(after.prepaidFen).toBe(before.prepaidFen + 1000);
    expect(after.reservedFen).toBe(before.reservedFen - 1000);
  });

  it('lets a store order from its distributor, shown to both and to no other store', async () => {
    const [supplier] = await server.db.sql<{ code: string }[]>`
      select d.code from parties s join parties d on d.id = s.parent_id and d.tenant_id = s.tenant_id where s.tenant_id = ${tenant} and s.code = ${store}`;
    await call('admin', 'POST', '/api/v1/funds/deposits', { party: store, amountFen: 100_000 });
    const placed = await order('store', [{ sku: skus[1] as string, quantity: 6 }], randomUUID());
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const detail = await call('store', 'GET', `/api/v1/orders/${placed.body.id}`);
    expect(detail.body.seller.code).toBe(supplier?.code);
    expect(detail.body.viewer).toEqual({ decides: false, buys: true, resolvesDifferences: false });
    // the brand's admin may approve it too, but resolving its receipt differences is the distributor's alone (its
    // stock and money): the page must not offer a button the server refuses
    expect((await call('admin', 'GET', `/api/v1/orders/${placed.body.id}`)).body.viewer).toEqual({
      decides: true,
      buys: true,
      resolvesDifferences: false,
    });
    // its distributor decides on it, and does not receive it
    const sellerUser = { username: 'supplier-admin', displayName: '供货经销商', password: 'Demo#2026', role: 'distributor_admin' };
    expect((await call('admin', 'POST', '/api/v1/users', { ...sellerUser, partyCode: supplier?.code })).status).toBe(201);
    const sellersView = await call(sellerUser.username, 'GET', `/api/v1/orders/${placed.body.id}`);
    expect(sellersView.body.viewer).toEqual({ decides: true, buys: false, resolvesDifferences: true });
    const mine = await call('store', 'GET', '/api/v1/orders');
    expect(mine.body.items.map((o: { id: number }) => o.id)).toEqual([placed.body.id]);
    // a store may not order for another party
    const other = await order('store', [{ sku: skus[1] as string, quantity: 6 }], randomUUID(), distributor);
    expect(other.status).toBe(403);
  });
});

describe('orders from and to spreadsheets', () => {
  const upload = async (csv: string, key = randomUUID()) => {
    tokens.distributor ??= await loginAs(server.baseUrl, 'distributor');
    const r = await fetch(`${server.baseUrl}/api/v1/orders/import?format=csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.distributor}`, 'content-type': 'text/csv', 'idempotency-key': key },
      body: csv,
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };

  it('places an order from a file, and names the row of each bad line', async () => {
    const bad = await upload(`sku,quantity\n${skus[0]},12\n${skus[1]},x\n,3\n`);
    expect(bad.status).toBe(400);
    expect(problems(bad)).toEqual([
      ['/file/rows/3/quantity', 'order.bad_quantity'],
      ['/file/rows/4/sku', 'order.unknown_sku'],
    ]);
    const [unlisted] = await server.db.sql<{ sku: string }[]>`
      select sku from products p where tenant_id = ${tenant} and status = 'active'
        and not exists (select 1 from price_list_items i where i.product_id = p.id) order by sku limit 1`;
    const notListed = await upload(`商品编码,数量\n${skus[0]},12\n${unlisted?.sku},6\n`);
    expect(problems(notListed)).toEqual([['/file/rows/3/sku', 'order.sku_not_listed']]);
    const key = randomUUID();
    const ok = await upload(`sku,quantity\n${skus[0]},12\n${skus[1]},6\n`, key);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.totalFen).toBe(12 * 920 + 6 * 500);
    expect((await upload(`sku,quantity\n${skus[0]},12\n${skus[1]},6\n`, key)).body).toMatchObject({ id: ok.body.id, replayed: true });
    // the same key with another file: refused, the first order stands
    const other = await upload(`sku,quantity\n${skus[0]},24\n`, key);
    expect([other.status, other.body.code]).toEqual([409, 'order.key_reused']);
    expect(other.body.detail).toContain(ok.body.orderNo);
  });

  it('exports the orders a distributor sees, one row per line', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/orders/export`, { headers: { authorization: `Bearer ${tokens.distributor}` } });
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    const { readTable } = await import('../../src/platform/tabular/index.ts');
    const rows = [];
    for await (const row of readTable(Buffer.from(await r.arrayBuffer()), 'xlsx')) rows.push(row.values);
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.every((v) => v['下单方 buyer'] === distributor || v['供货方 seller'] === distributor)).toBe(true);
  });
});

describe('fulfilment by scan', () => {
  it('ships an approved order by its pallet, refuses wrong codes on the spot, settles funds, and the buyer receives in one click', async () => {
    const { captureEvents, prepareEvents } = await import('../../src/modules/trace/capture.ts');
    // an integrator subscribed to every order event (the row as the webhooks module stores it; delivery is its own test)
    await server.db.sql`insert into webhook_subscriptions (tenant_id, url, event_types, secret_sealed)
      values (${tenant}, 'https://erp.example.com/hooks', '{order.placed,order.approved,order.partially_shipped,order.received}', '\\x00')`;
    const levels = await server.db.sql<{ sku: string; level: string; gtin: string }[]>`
      select p.sku, l.level, l.gtin from packaging_levels l join products p on p.id = l.product_id and p.tenant_id = l.tenant_id
      where l.tenant_id = ${tenant} and p.sku = any(${[skus[0], skus[2]] as string[]}::text[])`;
    const gtin = (sku: string, level: string) => levels.find((l) => l.sku === sku && l.level === level)?.gtin as string;
    const [w] = await server.db.sql<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = 'W01'`;
    const at = { id: `https://id.gs1.org/414/${w?.gln}` };
    const code = (g: string, s: string) => `https://id.gs1.org/01/${g}/21/${s}`;
    const units = Array.from({ length: 48 }, (_, i) => code(gtin(skus[0] as string, 'unit'), `FU${i}`));
    const cases = [code(gtin(skus[0] as string, 'case'), 'FC1'), code(gtin(skus[0] as string, 'case'), 'FC2')];
    const pallet = code(gtin(skus[0] as string, 'pallet'), 'FP1');
    const foreignUnits = Array.from({ length: 24 }, (_, i) => code(gtin(skus[2] as string, 'unit'), `FX${i}`));
    const foreignCase = code(gtin(skus[2] as string, 'case'), 'FXC');
    const e = (minute: number, x: object) => ({
      eventTime: `2026-06-02T08:0${minute}:00.000Z`,
      eventTimeZoneOffset: '+08:00',
      bizLocation: at,
      ...x,
    });
    const events = [
      e(0, {
        type: 'ObjectEvent',
        epcList: [...units, ...cases, pallet, ...foreignUnits, foreignCase],
        action: 'ADD',
        bizStep: 'commissioning',
        ilmd: { 'cbvmda:lotNumber': 'FL1' },
      }),
      e(1, { type: 'AggregationEvent', parentID: cases[0], childEPCs: units.slice(0, 24), action: 'ADD', bizStep: 'packing' }),
      e(1, { type: 'AggregationEvent', parentID: cases[1], childEPCs: units.slice(24), action: 'ADD', bizStep: 'packing' }),
      e(1, { type: 'AggregationEvent', parentID: foreignCase, childEPCs: foreignUnits, action: 'ADD', bizStep: 'packing' }),
      e(2, { type: 'AggregationEvent', parentID: pallet, childEPCs: cases, action: 'ADD', bizStep: 'packing' }),
    ];
    const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
    await captureEvents(server.db.sql, tenant, 'test', prepareEvents(events as never, ctx), ctx);

    const placed = await order('distributor', [
      { sku: skus[0] as string, quantity: 48 },
      { sku: skus[1] as string, quantity: 12 },
    ]);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const id = placed.body.id as number;
    const ship = (codes: string[], scanId = randomUUID()) => call('warehouse', 'POST', `/api/v1/orders/${id}/shipments`, { scanId, codes });
    // not yet approved
    if (placed.body.status === 'pending_approval') {
      expect((await ship([pallet])).status).toBe(409);
      await call('admin', 'POST', `/api/v1/orders/${id}/approve`, {});
    }
    expect(problems(await ship([units[0] as string]))).toEqual([['/body/codes/0', 'code.packed_in']]);
    expect(problems(await ship([foreignCase]))).toEqual([['/body/codes', 'shipment.wrong_sku']]);
    expect(problems(await ship(['https://id.gs1.org/01/09506000134352/21/NOPE']))).toEqual([['/body/codes/0', 'code.unknown']]);
    const before = await funds(distributor);
    const scanId = randomUUID();
    const shipped = await ship([pallet], scanId);
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
    expect(shipped.body).toMatchObject({ status: 'partially_shipped', units: { [skus[0] as string]: 48 }, codes: 1 });
    expect((await ship([pallet], scanId)).body).toMatchObject({ replayed: true, status: 'partially_shipped' });
    // the batch route ("ship today's orders"): the scan replays; a refused scan in it names its order
    const batch = (shipments: object[]) => call('warehouse', 'POST', '/api/v1/orders/shipment-batches', { shipments });
    const replayed = await batch([{ orderId: id, scanId, codes: [pallet] }]);
    expect([replayed.status, replayed.body.shipments?.[0]?.replayed]).toEqual([200, true]);
    const refused = await batch([{ orderId: id, scanId: randomUUID(), codes: [units[0]] }]);
    expect(problems(refused)).toEqual([['/body/orders/0/codes/0', 'code.in_transit']]);
    expect(refused.body.orderId).toBe(id);
    expect(problems(await ship([pallet]))).toEqual([['/body/codes/0', 'code.in_transit']]);
    const after = await funds(distributor);
    expect(after.reservedFen).toBe(before.reservedFen - 48 * 920);
    // the shipping event carries the order
    const [event] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from epcis_events where tenant_id = ${tenant} and biz_step = 'shipping'
        and body->'bizTransactionList'->0->>'bizTransaction' like ${`%:${placed.body.orderNo}`}`;
    expect(event?.n).toBe(1);
    // only the buyer receives: the seller's warehouse and a store elsewhere in the channel are refused, nothing moves
    for (const wrong of ['warehouse', 'store']) {
      const r = await call(wrong, 'POST', `/api/v1/orders/${id}/receipts`, { scanId: randomUUID() });
      expect([403, 404], `${wrong} receiving`).toContain(r.status);
    }
    // the buyer receives: a code not shipped under the order is recorded as "over", not received (order-returns.int.spec.ts),
    // then one click takes everything shipped
    const over = await call('distributor', 'POST', `/api/v1/orders/${id}/receipts`, { scanId: randomUUID(), codes: [foreignCase] });
    expect(over.status, JSON.stringify(over.body)).toBe(201);
    expect(over.body).toMatchObject({ codes: 0, units: {}, differences: [{ kind: 'over', sku: skus[2], quantity: 24 }] });
    // received from the PDA's batch route ("receive today's deliveries"): a second order in it that is not the
    // caller's refuses the whole batch, naming it; then the receipt alone goes through, and replays
    const receiveAll = (receipts: object[]) => call('distributor', 'POST', '/api/v1/orders/receipt-batches', { receipts });
    const receiptId = randomUUID();
    const notMine = await receiveAll([
      { orderId: id, scanId: receiptId },
      { orderId: 2 ** 40, scanId: randomUUID() },
    ]);
    expect(notMine.status).toBe(404);
    const batchReceived = await receiveAll([{ orderId: id, scanId: receiptId }]);
    expect(batchReceived.status, JSON.stringify(batchReceived.body)).toBe(201);
    const received = { body: batchReceived.body.receipts[0] };
    expect(received.body.units).toEqual({ [skus[0] as string]: 48 });
    const again = await receiveAll([{ orderId: id, scanId: receiptId }]);
    expect([again.status, again.body.receipts[0].replayed]).toEqual([200, true]);
    const detail = await call('distributor', 'GET', `/api/v1/orders/${id}`);
    expect(detail.body.lines.map((l: { shippedQty: number; receivedQty: number }) => [l.shippedQty, l.receivedQty])).toEqual([
      [48, 48],
      [0, 0],
    ]);
    const [stock] = await server.db.sql<{ on_hand: number }[]>`
      select s.on_hand::int from stock s join parties p on p.id = s.holder_party_id and p.tenant_id = s.tenant_id
      where s.tenant_id = ${tenant} and p.code = ${distributor} and s.lot = 'FL1'`;
    expect(stock?.on_hand).toBe(48);
    // every state change of the order went out to the subscriber, in the transaction that made it
    const sent = await server.db.sql<{ type: string; order_id: number; currency: string }[]>`
      select type, (body::jsonb->'data'->>'orderId')::int as order_id, body::jsonb->'data'->>'currency' as currency
      from webhook_events where tenant_id = ${tenant} order by created_at`;
    // amounts are in fen of the currency every order event names
    expect(new Set(sent.map((e) => e.currency))).toEqual(new Set(['CNY']));
    expect(sent.filter((e) => e.order_id === id).map((e) => e.type)).toEqual([
      'order.placed',
      ...(placed.body.status === 'pending_approval' ? ['order.approved'] : []),
      'order.partially_shipped',
      'order.received',
    ]);
  });
});
