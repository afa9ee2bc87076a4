import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEvents, prepareEvents } from '../../src/modules/trace/capture.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * A ship or receive scan from a PDA or the scanning page (POST /api/v1/scans) that names an order by its number ships
 * or receives that order, as the console's shipment by scan does: the order's lines and what they still need, units
 * inside a case refused, the order's buyer as the receiver, one shipment per scan id. A number that names no order,
 * or an order the scanning place does not sell (or buy), is refused at /body/order with nothing written.
 */
let server: TestServer;
let tenant: number;
let sku: string;
let distributor: string;
let store: string;
let orderId: number;
let orderNo: string;
const call = apiClient(() => server.baseUrl);
const code = (gtin: string, serial: string) => `https://id.gs1.org/01/${gtin}/21/${serial}`;
let units: string[];
let perCase: number;
let cases: string[];

const scan = (user: string, body: Record<string, unknown>) => call(user, 'POST', '/api/v1/scans', { scanId: randomUUID(), ...body });
const holderOf = async (epc: string) =>
  (
    await server.db.sql<{ code: string; status: string }[]>`
      select p.code, n.status from code_now n join parties p on p.tenant_id = n.tenant_id and p.id = n.holder_party_id
      where n.tenant_id = ${tenant} and n.epc = ${epc}`
  )[0];
/** What the order has been through: its status, each line's shipped and received units, its shipments and receipts. */
const orderState = async () => {
  const [o] = await server.db.sql<{ status: string }[]>`select status from orders where tenant_id = ${tenant} and id = ${orderId}`;
  const lines = await server.db.sql<{ shipped: number; received: number }[]>`
    select shipped_qty::int as shipped, received_qty::int as received from order_lines where tenant_id = ${tenant} and order_id = ${orderId}`;
  const moves = await server.db.sql<{ kind: string }[]>`
    select kind from order_shipments where tenant_id = ${tenant} and order_id = ${orderId} order by id`;
  return { status: o?.status, lines: lines.map((l) => [l.shipped, l.received]), moves: moves.map((m) => m.kind) };
};

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const partyOf = async (username: string) =>
    (
      await server.db.sql<{ code: string }[]>`
        select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where u.username = ${username}`
    )[0]?.code as string;
  distributor = await partyOf('distributor');
  store = await partyOf('store');
  const [product] = await server.db.sql<{ sku: string; unit: string; case: string; per_case: number }[]>`
    select p.sku, u.gtin as unit, c.gtin as case, c.quantity as per_case from products p
    join packaging_levels u on u.tenant_id = p.tenant_id and u.product_id = p.id and u.level = 'unit'
    join packaging_levels c on c.tenant_id = p.tenant_id and c.product_id = p.id and c.level = 'case'
    where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 1`;
  if (!product) throw new Error('the demo brand has no product with cases');
  sku = product.sku;
  perCase = product.per_case;
  // two full cases and a loose unit at the brand's warehouse W01
  units = Array.from({ length: 2 * product.per_case + 1 }, (_, i) => code(product.unit, `OSU${i}`));
  cases = [code(product.case, 'OSC1'), code(product.case, 'OSC2')];
  const [w] = await server.db.sql<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = 'W01'`;
  const at = { id: `https://id.gs1.org/414/${w?.gln}` };
  const e = (minute: number, x: object) => ({
    eventTime: `2026-06-02T08:0${minute}:00.000Z`,
    eventTimeZoneOffset: '+08:00',
    bizLocation: at,
    ...x,
  });
  const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
  const packed = (i: number) => units.slice(i * product.per_case, (i + 1) * product.per_case);
  await captureEvents(
    server.db.sql,
    tenant,
    'test',
    prepareEvents(
      [
        e(0, {
          type: 'ObjectEvent',
          epcList: [...units, ...cases],
          action: 'ADD',
          bizStep: 'commissioning',
          ilmd: { 'cbvmda:lotNumber': 'OS1' },
        }),
        e(1, { type: 'AggregationEvent', parentID: cases[0], childEPCs: packed(0), action: 'ADD', bizStep: 'packing' }),
        e(1, { type: 'AggregationEvent', parentID: cases[1], childEPCs: packed(1), action: 'ADD', bizStep: 'packing' }),
      ] as never,
      ctx,
    ),
    ctx,
  );
  // the distributor orders one case's worth from the brand, at the brand's list price
  const list = { code: 'OS-BASE', name: '基础价', scope: 'base', items: [{ sku, priceFen: 1000 }] };
  expect((await call('admin', 'POST', '/api/v1/price-lists', list)).status).toBe(201);
  expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor, amountFen: 10_000_000 })).status).toBe(200);
  const placed = await call('distributor', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: product.per_case }] });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  orderId = placed.body.id;
  orderNo = placed.body.orderNo;
  if (placed.body.status === 'pending_approval')
    expect((await call('admin', 'POST', `/api/v1/orders/${orderId}/approve`, {})).status).toBeLessThan(300);
});
afterAll(async () => server?.close());

describe('a ship scan naming an order', () => {
  it('refuses a number that names no order, and an order the scanning place does not sell, writing nothing', async () => {
    const before = await holderOf(cases[0] as string);
    expect(before).toMatchObject({ code: 'W01' });
    const unknown = await scan('warehouse', { kind: 'ship', codes: [cases[0]], to: distributor, order: 'SO20260602NOPE' });
    expect(unknown.status).toBe(422);
    expect(unknown.type).toContain('application/problem+json');
    expect(unknown.body.code).toBe('scan.rejected');
    expect(problems(unknown)).toEqual([['/body/order', 'scan.order_unknown']]);
    expect(unknown.body.errors[0].detail).toContain('SO20260602NOPE');
    // the distributor's own order is the brand's to ship: the distributor scanning it out is refused
    const notSeller = await scan('distributor', { kind: 'ship', codes: [cases[0]], to: store, order: orderNo });
    expect(problems(notSeller)).toEqual([['/body/order', 'scan.order_not_seller']]);
    // the goods go to the order's buyer: another receiver typed on the device is refused
    const otherReceiver = await scan('warehouse', { kind: 'ship', codes: [cases[0]], to: store, order: orderNo });
    expect(problems(otherReceiver)).toEqual([['/body/to', 'scan.order_receiver']]);
    expect(await holderOf(cases[0] as string)).toEqual(before);
    expect(await orderState()).toEqual({ status: 'approved', lines: [[0, 0]], moves: [] });
  });

  it('refuses units still in a case and more than the order still needs, saying how many it needs', async () => {
    const loose = await scan('warehouse', { kind: 'ship', codes: [units[0]], order: orderNo });
    expect(loose.status).toBe(422);
    expect(problems(loose)).toEqual([['/body/codes/0', 'code.packed_in']]);
    const over = await scan('warehouse', { kind: 'ship', codes: cases, order: orderNo });
    expect(problems(over)).toEqual([['/body/codes', 'shipment.over']]);
    expect(over.body.errors[0].detail).toContain(`订单还需 ${perCase} 件`);
    expect(await orderState()).toEqual({ status: 'approved', lines: [[0, 0]], moves: [] });
  });

  it('ships the order with its number (its buyer the receiver), once for a scan sent again', async () => {
    const body = { scanId: randomUUID(), kind: 'ship', codes: [cases[0]], to: distributor, order: orderNo, at: new Date().toISOString() };
    const shipped = await call('warehouse', 'POST', '/api/v1/scans', body);
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(shipped.body).toMatchObject({
      kind: 'ship',
      codes: 1,
      newEvents: 1,
      order: { id: orderId, orderNo, status: 'shipped', units: { [sku]: perCase } },
    });
    expect(await orderState()).toEqual({ status: 'shipped', lines: [[perCase, 0]], moves: ['shipment'] });
    expect(await holderOf(cases[0] as string)).toMatchObject({ status: 'in_transit' });
    // the event is the order's shipment: the scan id its event id, the order its business transaction, to its buyer
    const [event] = await server.db.sql<{ tx: string; to: string }[]>`
      select body->'bizTransactionList'->0->>'bizTransaction' as tx, body->'destinationList'->0->>'destination' as to
      from epcis_events where tenant_id = ${tenant} and body->>'eventID' = ${`urn:uuid:${body.scanId}`}`;
    expect(event?.tx).toMatch(new RegExp(`:${orderNo}$`));
    const [buyer] = await server.db.sql<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = ${distributor}`;
    expect(event?.to).toBe(`https://id.gs1.org/417/${buyer?.gln}`);
    // the queue sends it again after a lost answer: the first answer, no second shipment, nothing settled twice
    const funds = async () => (await call('admin', 'GET', `/api/v1/funds/${distributor}`)).body.reservedFen;
    const reserved = await funds();
    const again = await call('warehouse', 'POST', '/api/v1/scans', body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ newEvents: 0, replayed: true, order: { status: 'shipped' } });
    expect(await orderState()).toEqual({ status: 'shipped', lines: [[perCase, 0]], moves: ['shipment'] });
    expect(await funds()).toBe(reserved);
    // shipped in full: another scan against it is refused at the order's number
    const more = await scan('warehouse', { kind: 'ship', codes: [cases[1]], order: orderNo });
    expect(problems(more)).toEqual([['/body/order', 'order.wrong_status']]);
  });
});

describe('a receive scan naming an order', () => {
  it('refuses the order at a place that did not buy it, then receives it at the buyer', async () => {
    const notBuyer = await scan('store', { kind: 'receive', codes: [cases[0]], order: orderNo });
    expect(notBuyer.status).toBe(422);
    expect(problems(notBuyer)).toEqual([['/body/order', 'scan.order_not_buyer']]);
    expect(await holderOf(cases[0] as string)).toMatchObject({ status: 'in_transit' });
    const received = await scan('distributor', { kind: 'receive', codes: [cases[0]], order: orderNo });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    expect(received.body).toMatchObject({ kind: 'receive', codes: 1, order: { orderNo, status: 'received', units: { [sku]: perCase } } });
    expect(await orderState()).toEqual({ status: 'received', lines: [[perCase, perCase]], moves: ['shipment', 'receipt'] });
    expect(await holderOf(units[0] as string)).toMatchObject({ code: distributor });
  });
});

describe("a store's receipt of its distributor's order by scan", () => {
  it('earns the distributor its rebate as a plain receive scan does, once for a scan sent again', async () => {
    // the distributor holds the case it received above; a rebate of ¥0.10 a unit its stores receive runs
    const program = await call('admin', 'POST', '/api/v1/channel-programs', {
      name: '经销商扫码返利',
      kind: 'distributor_rebate',
      amountFen: 10,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      totalBudgetFen: 1_000_000,
    });
    expect(program.status, JSON.stringify(program.body)).toBe(201);
    expect((await call('admin', 'POST', `/api/v1/channel-programs/${program.body.id}/status`, { status: 'active' })).status).toBe(200);
    expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: store, amountFen: 1_000_000 })).status).toBe(200);
    const placed = await call('store', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: perCase }] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    if (placed.body.status === 'pending_approval')
      expect((await call('distributor', 'POST', `/api/v1/orders/${placed.body.id}/approve`, {})).status).toBeLessThan(300);
    const shipped = await scan('distributor', { kind: 'ship', codes: [cases[0]], order: placed.body.orderNo });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(shipped.body.earnings).toBeUndefined();

    const rebate = async () => (await call('admin', 'GET', `/api/v1/funds/${distributor}`)).body.rebateFen as number;
    const before = await rebate();
    const body = { scanId: randomUUID(), kind: 'receive', codes: [cases[0]], order: placed.body.orderNo };
    const received = await call('store', 'POST', '/api/v1/scans', body);
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    expect(received.body).toMatchObject({
      order: { status: 'received' },
      earnings: { payee: 'distributor', paidFen: perCase * 10, refused: [] },
    });
    expect(await rebate()).toBe(before + perCase * 10);
    // the queue sends it again: the first answer, nothing paid twice
    const again = await call('store', 'POST', '/api/v1/scans', body);
    expect(again.body).toMatchObject({ replayed: true, earnings: { paidFen: perCase * 10 } });
    expect(await rebate()).toBe(before + perCase * 10);
    const [payouts] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from channel_payouts where tenant_id = ${tenant} and program_id = ${program.body.id}`;
    expect(payouts?.n).toBe(1);
  });
});

describe('a recalled lot', () => {
  it('does not ship on an order, by a scan naming it or from the console: refused at the code, nothing shipped', async () => {
    const placed = await call('distributor', 'POST', '/api/v1/orders', { lines: [{ sku, quantity: perCase }] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    if (placed.body.status === 'pending_approval')
      expect((await call('admin', 'POST', `/api/v1/orders/${placed.body.id}/approve`, {})).status).toBeLessThan(300);
    const unit = units[perCase] as string;
    const recall = await call('admin', 'POST', '/api/v1/recalls', { gtin: unit.split('/')[4], lot: 'OS1', reason: '包装密封不良' });
    expect(recall.status, JSON.stringify(recall.body)).toBeLessThan(300);
    const byScan = await scan('warehouse', { kind: 'ship', codes: [cases[1]], order: placed.body.orderNo });
    expect(byScan.status).toBe(422);
    expect(problems(byScan)).toEqual([['/body/codes/0', 'shipment.recalled']]);
    expect(byScan.body.errors[0].detail).toContain('OS1');
    const fromConsole = await call('warehouse', 'POST', `/api/v1/orders/${placed.body.id}/shipments`, {
      scanId: randomUUID(),
      codes: [cases[1]],
    });
    expect(fromConsole.status).toBe(400);
    expect(problems(fromConsole)).toEqual([['/body/codes/0', 'shipment.recalled']]);
    expect(await holderOf(cases[1] as string)).toMatchObject({ code: 'W01' });
    const [moves] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from order_shipments where tenant_id = ${tenant} and order_id = ${placed.body.id}`;
    expect(moves?.n).toBe(0);
  });
});
