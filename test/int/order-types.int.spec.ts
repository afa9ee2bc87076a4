import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEvents, prepareEvents } from '../../src/modules/trace/capture.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * Orders placed at the same instant share a transaction and still each get their own verdict; presale orders wait
 * for stock and group-buy orders for enough buyers; a partly shipped order's back order can be closed; a sales rep
 * orders only for customers in the rep's territories.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
let tenant: number;
let skus: string[] = [];
let distributors: string[] = [];

const call = apiClient(() => server.baseUrl, tokens);
const place = (buyer: string, lines: { sku: string; quantity: number }[], extra: object = {}, key = randomUUID()) =>
  call('admin', 'POST', '/api/v1/orders', { buyer, lines, ...extra }, { 'idempotency-key': key });
const funds = async (party: string) => (await call('admin', 'GET', `/api/v1/funds/${party}`)).body;

/** Commissions `n` units of the SKU at the brand's warehouse W01, packed in cases of 24 (returns the case codes). */
async function stockAtWarehouse(sku: string, n: number, tag: string): Promise<string[]> {
  const levels = await server.db.sql<{ level: string; gtin: string }[]>`
    select l.level, l.gtin from packaging_levels l join products p on p.id = l.product_id and p.tenant_id = l.tenant_id
    where l.tenant_id = ${tenant} and p.sku = ${sku}`;
  const gtin = (level: string) => levels.find((l) => l.level === level)?.gtin as string;
  const [w] = await server.db.sql<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = 'W01'`;
  const at = { id: `https://id.gs1.org/414/${w?.gln}` };
  const code = (g: string, s: string) => `https://id.gs1.org/01/${g}/21/${s}`;
  const units = Array.from({ length: n }, (_, i) => code(gtin('unit'), `${tag}U${i}`));
  const cases = Array.from({ length: n / 24 }, (_, i) => code(gtin('case'), `${tag}C${i}`));
  const e = (x: object) => ({ eventTime: '2026-06-02T08:00:00.000Z', eventTimeZoneOffset: '+08:00', bizLocation: at, ...x });
  const events = [
    e({ type: 'ObjectEvent', epcList: [...units, ...cases], action: 'ADD', bizStep: 'commissioning', ilmd: { 'cbvmda:lotNumber': tag } }),
    ...cases.map((c, i) =>
      e({ type: 'AggregationEvent', parentID: c, childEPCs: units.slice(i * 24, i * 24 + 24), action: 'ADD', bizStep: 'packing' }),
    ),
  ];
  const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
  await captureEvents(server.db.sql, tenant, 'test', prepareEvents(events as never, ctx), ctx);
  return cases;
}

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false }, waitingOrders: { worker: false } });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  skus = (
    await server.db.sql<{ sku: string }[]>`select sku from products where tenant_id = ${tenant} and status = 'active' order by sku limit 4`
  ).map((p) => p.sku);
  distributors = (
    await server.db.sql<
      { code: string }[]
    >`select code from parties where tenant_id = ${tenant} and kind = 'distributor' order by code limit 40`
  ).map((p) => p.code);
  // no approval for first orders here: these tests are about what happens after
  expect(
    (
      await call('admin', 'PUT', '/api/v1/order-settings', {
        approvalAmountFen: 100_000_000,
        approveFirstOrder: false,
        approveOnCredit: true,
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await call('admin', 'POST', '/api/v1/price-lists', {
        code: 'BASE',
        name: '基础价',
        scope: 'base',
        items: skus.map((sku) => ({ sku, priceFen: 100 })),
      })
    ).status,
  ).toBe(201);
  for (const d of distributors) await call('admin', 'POST', '/api/v1/funds/deposits', { party: d, amountFen: 1_000_000 });
});
afterAll(async () => server?.close());

describe('orders placed at the same instant', () => {
  it('share transactions, and each gets its own verdict: placed, refused for its lines, refused for funds, or a replay', async () => {
    // a distributor with no money but what is deposited here
    const [p] = await server.db.sql<{ code: string }[]>`
      select code from parties where tenant_id = ${tenant} and kind = 'distributor' order by code offset 40 limit 1`;
    const poor = p?.code as string;
    await call('admin', 'POST', '/api/v1/funds/deposits', { party: poor, amountFen: 3 * 2400 });
    const sharedKey = randomUUID();
    const good = (d: string) => place(d, [{ sku: skus[0] as string, quantity: 24 }]);
    const requests = [
      ...distributors.slice(0, 20).map(good),
      place(distributors[20] as string, [{ sku: 'NO-SUCH-SKU', quantity: 24 }]),
      ...Array.from({ length: 6 }, () => place(poor, [{ sku: skus[0] as string, quantity: 24 }])),
      place(distributors[21] as string, [{ sku: skus[1] as string, quantity: 24 }], {}, sharedKey),
      place(distributors[21] as string, [{ sku: skus[1] as string, quantity: 24 }], {}, sharedKey),
    ];
    const results = await Promise.all(requests);
    expect(results.slice(0, 20).map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results[20]?.status).toBe(400);
    expect(problems(results[20] as never)).toEqual([['/body/lines/0/sku', 'order.unknown_sku']]);
    // the poor distributor's funds cover three orders (credit orders wait for approval but are placed)
    const poorOnes = results.slice(21, 27).map((r) => r.status);
    expect(poorOnes.filter((s) => s === 201)).toHaveLength(3);
    expect(poorOnes.filter((s) => s === 409)).toHaveLength(3);
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    const [a, b] = [results[27], results[28]] as { status: number; body: Record<string, any> }[];
    expect([a?.status, b?.status].sort()).toEqual([200, 201]);
    expect(a?.body.id).toBe(b?.body.id);
    const [stored] = await server.db.sql<{ n: number; keyed: number; transactions: number }[]>`
      select count(*)::int as n, count(*) filter (where idempotency_key = ${sharedKey})::int as keyed, count(distinct xmin::text)::int as transactions
      from orders where tenant_id = ${tenant} and created_at > now() - interval '1 minute'`;
    expect(stored?.n).toBe(20 + 3 + 1);
    expect(stored?.keyed).toBe(1);
    // batched: fewer transactions than orders
    expect(stored?.transactions).toBeLessThan(stored?.n as number);
    expect(await funds(poor)).toMatchObject({ prepaidFen: 0, reservedFen: 3 * 2400 });
    const [unbalanced] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from (select transaction_id from funds_entries where tenant_id = ${tenant} group by 1 having sum(amount_fen) <> 0) x`;
    expect(unbalanced?.n).toBe(0);
  });
});

describe('finding a product to order', () => {
  it('finds products by the start of their SKU or any part of their name', async () => {
    const [row] = await server.db.sql<{ sku: string; name_zh: string }[]>`
      select sku, name_zh from products where tenant_id = ${tenant} and sku = ${skus[0] as string}`;
    const p = row as { sku: string; name_zh: string };
    const bySku = await call('admin', 'GET', `/api/v1/products?q=${encodeURIComponent(p.sku.slice(0, -1))}&pageSize=50`);
    expect(bySku.body.items.map((x: { sku: string }) => x.sku)).toContain(p.sku);
    const byName = await call('admin', 'GET', `/api/v1/products?q=${encodeURIComponent(p.name_zh.slice(1, 3))}&pageSize=50`);
    expect(byName.body.items.map((x: { sku: string }) => x.sku)).toContain(p.sku);
    // LIKE's wildcards in the text are taken literally
    expect((await call('admin', 'GET', '/api/v1/products?q=%25')).body.items).toEqual([]);
    // found by its case's GTIN too, and listed with the GTIN of each packaging level (what codes are made for)
    const levels = await server.db.sql<{ level: string; gtin: string }[]>`
      select l.level, l.gtin from packaging_levels l join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
      where p.tenant_id = ${tenant} and p.sku = ${p.sku} order by l.units_per`;
    const caseGtin = levels.find((l) => l.level === 'case')?.gtin as string;
    expect(caseGtin).toBeDefined();
    const byCase = await call('admin', 'GET', `/api/v1/products?q=${caseGtin}`);
    expect(byCase.body.items.map((x: { sku: string }) => x.sku)).toEqual([p.sku]);
    expect(byCase.body.items[0].packaging).toEqual(levels);
  });
});

describe('order rules', () => {
  it('sets minimums and case multiples, all or nothing, and placement enforces them with a clear message', async () => {
    const bad = await call('admin', 'PUT', '/api/v1/order-rules', {
      rules: [
        { sku: skus[1], minQty: 48, multipleOf: 24 },
        { sku: 'NO-SUCH-SKU', minQty: 1, multipleOf: 1 },
        { sku: skus[0], minQty: 30, multipleOf: 24 },
      ],
    });
    expect(problems(bad)).toEqual([
      ['/body/rules/1/sku', 'pricing.unknown_product'],
      ['/body/rules/2/minQty', 'order_rules.min_not_multiple'],
    ]);
    expect((await call('admin', 'GET', '/api/v1/order-rules')).body.items).toEqual([]);
    const ok = await call('admin', 'PUT', '/api/v1/order-rules', { rules: [{ sku: skus[1], minQty: 48, multipleOf: 24 }] });
    expect(ok.status).toBe(200);
    const d = distributors[31] as string;
    const small = await place(d, [{ sku: skus[1] as string, quantity: 24 }]);
    expect(problems(small)).toEqual([['/body/lines/0/quantity', 'order.below_minimum']]);
    const odd = await place(d, [{ sku: skus[1] as string, quantity: 50 }]);
    expect(problems(odd)).toEqual([['/body/lines/0/quantity', 'order.not_case_multiple']]);
    expect(odd.body.errors[0].detail).toContain('24');
    expect((await place(d, [{ sku: skus[1] as string, quantity: 72 }])).status).toBe(201);
    // back to no rules for the other tests
    await server.db.sql`delete from order_rules where tenant_id = ${tenant}`;
  });
});

describe('placing and cancelling at once', () => {
  it('never deadlocks: cancellations release funds while new orders of the same buyer reserve them', async () => {
    const d = distributors[32] as string;
    const lines = [{ sku: skus[1] as string, quantity: 24 }];
    const first = await Promise.all(Array.from({ length: 10 }, () => place(d, lines)));
    expect(first.map((r) => r.status)).toEqual(Array(10).fill(201));
    const before = await funds(d);
    const mixed = await Promise.all([
      ...first.map((o) => call('admin', 'POST', `/api/v1/orders/${o.body.id}/cancel`, {})),
      ...Array.from({ length: 10 }, () => place(d, lines)),
    ]);
    expect(mixed.map((r) => r.status)).toEqual([...Array(10).fill(200), ...Array(10).fill(201)]);
    // ten orders released, ten reserved: the same money, moved both ways
    expect(await funds(d)).toEqual(before);
  });
});

describe('a sales rep ordering on behalf of a customer', () => {
  it('may order for customers in the territories, not for others', async () => {
    const inside = await server.db.sql<{ code: string }[]>`
      select code from parties where tenant_id = ${tenant} and kind = 'distributor' and province_code in ('11', '13') order by code limit 1`;
    const outside = await server.db.sql<{ code: string }[]>`
      select code from parties p where tenant_id = ${tenant} and kind = 'distributor' and province_code not in ('11', '13')
        and not exists (select 1 from party_territories t where t.tenant_id = p.tenant_id and t.party_id = p.id and t.division_code in ('11', '13'))
      order by code limit 1`;
    const lines = [{ sku: skus[1] as string, quantity: 24 }];
    const no = await call('sales', 'POST', '/api/v1/orders', { buyer: outside[0]?.code, lines }, { 'idempotency-key': randomUUID() });
    expect(no.status).toBe(403);
    expect(no.body.code).toBe('order.outside_territory');
    if (inside[0]) {
      await call('admin', 'POST', '/api/v1/funds/deposits', { party: inside[0].code, amountFen: 100_000 });
      const yes = await call('sales', 'POST', '/api/v1/orders', { buyer: inside[0].code, lines }, { 'idempotency-key': randomUUID() });
      expect(yes.status, JSON.stringify(yes.body)).toBe(201);
    }
  });
});

describe('presale orders', () => {
  it('wait for stock, cannot ship before it arrives, and are released first come, first served', async () => {
    const sku = skus[3] as string;
    const [d1, d2] = [distributors[22] as string, distributors[23] as string];
    const first = await place(d1, [{ sku, quantity: 48 }], { type: 'presale' });
    const second = await place(d2, [{ sku, quantity: 48 }], { type: 'presale' });
    expect(first.body.status).toBe('awaiting_stock');
    expect(second.body.status).toBe('awaiting_stock');
    const ship = await call('warehouse', 'POST', `/api/v1/orders/${first.body.id}/shipments`, { scanId: randomUUID(), codes: ['x'] });
    expect(ship.status).toBe(409);
    // stock for one order arrives: the first is released, the second waits
    await stockAtWarehouse(sku, 48, 'PS1');
    const released = await call('admin', 'POST', '/api/v1/orders/presales/release');
    expect(released.body).toMatchObject({ released: 1, orderIds: [first.body.id] });
    expect((await call('admin', 'GET', `/api/v1/orders/${first.body.id}`)).body.status).toBe('approved');
    expect((await call('admin', 'GET', `/api/v1/orders/${second.body.id}`)).body.status).toBe('awaiting_stock');
    // the first order's stock is spoken for: nothing more is released until more arrives
    expect((await call('admin', 'POST', '/api/v1/orders/presales/release')).body.released).toBe(0);
    await stockAtWarehouse(sku, 48, 'PS2');
    expect((await call('admin', 'POST', '/api/v1/orders/presales/release')).body.orderIds).toEqual([second.body.id]);
    const timeline = (await call('admin', 'GET', `/api/v1/orders/${first.body.id}`)).body.timeline;
    expect(timeline.map((e: { kind: string }) => e.kind)).toContain('stock_arrived');
  });
});

describe('group buys', () => {
  it('forms when enough buyers have joined, releasing every waiting order at once', async () => {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const made = await call('admin', 'POST', '/api/v1/group-buys', {
      code: 'GB1',
      name: '夏季团购',
      sku: skus[2],
      unitPriceFen: 80,
      minBuyers: 3,
      endsAt,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const join = (d: string) => place(d, [{ sku: skus[2] as string, quantity: 24 }], { type: 'group_buy', groupBuy: 'GB1' });
    const a = await join(distributors[24] as string);
    const b = await join(distributors[25] as string);
    expect([a.body.status, b.body.status]).toEqual(['awaiting_group', 'awaiting_group']);
    expect(a.body.totalFen).toBe(24 * 80);
    const list = await call('distributor', 'GET', '/api/v1/group-buys');
    expect(list.body.items.find((g: { code: string }) => g.code === 'GB1')).toMatchObject({
      buyers: 2,
      status: 'open',
      minBuyers: 3,
      unitPriceFen: 80,
    });
    const c = await join(distributors[26] as string);
    expect(c.body.status).toBe('approved');
    for (const o of [a, b]) expect((await call('admin', 'GET', `/api/v1/orders/${o.body.id}`)).body.status).toBe('approved');
  });

  it('refuses a group-buy order without its group buy, for another product, or after the group buy ended', async () => {
    const d = distributors[27] as string;
    const lines = [{ sku: skus[2] as string, quantity: 24 }];
    expect(problems(await place(d, lines, { type: 'group_buy' }))).toEqual([['/body/groupBuy', 'order.group_buy_required']]);
    expect(problems(await place(d, lines, { type: 'group_buy', groupBuy: 'NOPE' }))).toEqual([['/body/groupBuy', 'group_buy.unknown']]);
    expect(problems(await place(d, [{ sku: skus[1] as string, quantity: 24 }], { type: 'group_buy', groupBuy: 'GB1' }))).toEqual([
      ['/body/lines/0/sku', 'group_buy.other_product'],
    ]);
    expect(problems(await place(d, lines, { groupBuy: 'GB1' }))).toEqual([['/body/groupBuy', 'order.group_buy_needs_type']]);
    const past = await call('admin', 'POST', '/api/v1/group-buys', {
      code: 'GB0',
      name: '过期',
      sku: skus[2],
      unitPriceFen: 80,
      minBuyers: 2,
      endsAt: '2020-01-01T00:00:00Z',
    });
    expect(problems(past)).toEqual([['/body/endsAt', 'group_buy.ends_in_past']]);
  });

  it('fails when it ends without enough buyers: the waiting orders are cancelled and their funds released', async () => {
    const d = distributors[28] as string;
    await call('admin', 'POST', '/api/v1/group-buys', {
      code: 'GB2',
      name: '差一人',
      sku: skus[2],
      unitPriceFen: 80,
      minBuyers: 2,
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const before = await funds(d);
    const o = await place(d, [{ sku: skus[2] as string, quantity: 24 }], { type: 'group_buy', groupBuy: 'GB2' });
    expect(o.body.status).toBe('awaiting_group');
    // time passes: the group buy's end is behind us
    await server.db.sql`update group_buys set ends_at = now() - interval '1 second' where tenant_id = ${tenant} and code = 'GB2'`;
    const { WaitingOrdersWorker } = await import('../../src/modules/orders/waiting-orders.ts');
    const tick = await new WaitingOrdersWorker(server.db.sql, () => {}).tick();
    expect(tick.failedGroupBuys).toBe(1);
    const after = (await call('admin', 'GET', `/api/v1/orders/${o.body.id}`)).body;
    expect(after.status).toBe('cancelled');
    expect(await funds(d)).toEqual(before);
  });
});

describe('back orders', () => {
  it('closes the rest of a partly shipped order and releases its funds', async () => {
    const d = distributors[29] as string;
    const cases = await stockAtWarehouse(skus[0] as string, 24, 'BO1');
    const placed = await place(d, [{ sku: skus[0] as string, quantity: 72 }]);
    expect(placed.body.status).toBe('approved');
    const shipped = await call('warehouse', 'POST', `/api/v1/orders/${placed.body.id}/shipments`, { scanId: randomUUID(), codes: cases });
    expect(shipped.body.status, JSON.stringify(shipped.body)).toBe('partially_shipped');
    const before = await funds(d);
    const closed = await call('admin', 'POST', `/api/v1/orders/${placed.body.id}/close-backorder`, { reason: '断货' });
    expect(closed.body).toMatchObject({ status: 'shipped' });
    const after = await funds(d);
    expect(after.prepaidFen - before.prepaidFen).toBe(48 * 100);
    expect(after.reservedFen).toBe(before.reservedFen - 48 * 100);
    // nothing more can ship, and the back order cannot be closed twice
    expect((await call('admin', 'POST', `/api/v1/orders/${placed.body.id}/close-backorder`, {})).status).toBe(409);
  });
});
