import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestServer, type TestServer } from '../support/app.ts';

/**
 * After delivery: what the receiver finds different from what was shipped (short, over, damaged) is recorded and
 * resolved by the seller with money and stock kept right, and goods go back to the seller by scan with the
 * buyer credited. Every bad input is refused with its reason and writes nothing; a retried scan writes nothing twice.
 */
let server: TestServer;
const tokens: Record<string, string> = {};
let tenant: number;
let skuA: string;
let skuB: string;
let distributor: string;
let w01Gln: string;
const PRICE_A = 1000;
const PRICE_B = 500;
const gtins: Record<string, { unit: string; case: string; pallet: string; perCase: number }> = {};

async function call(user: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  tokens[user] ??= await loginAs(server.baseUrl, user);
  const r = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}
// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
const problems = (r: { body: Record<string, any> }) =>
  (r.body.errors ?? []).map((e: { pointer: string; code: string }) => [e.pointer, e.code]);
const funds = async (party: string) => (await call('admin', 'GET', `/api/v1/funds/${party}`)).body;
const code = (gtin: string, serial: string) => `https://id.gs1.org/01/${gtin}/21/${serial}`;
const sql = () => server.db.sql;

async function settled(party: string): Promise<number> {
  const [r] = await sql()<{ b: string }[]>`
    select a.balance_fen::text as b from funds_accounts a join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
    where a.tenant_id = ${tenant} and p.code = ${party} and a.kind = 'settled'`;
  return Number(r?.b ?? 0);
}
async function stockOf(party: string, lot: string) {
  const [r] = await sql()<{ on_hand: number; in_transit: number; destroyed: number }[]>`
    select coalesce(sum(s.on_hand), 0)::int as on_hand, coalesce(sum(s.in_transit_in), 0)::int as in_transit,
      coalesce(sum(s.destroyed), 0)::int as destroyed
    from stock s join parties p on p.id = s.holder_party_id and p.tenant_id = s.tenant_id
    where s.tenant_id = ${tenant} and p.code = ${party} and s.lot = ${lot}`;
  return r as { on_hand: number; in_transit: number; destroyed: number };
}
async function where(epc: string) {
  const [r] = await sql()<{ status: string; holder: string | null }[]>`
    select n.status, p.code as holder from code_now n left join parties p on p.tenant_id = n.tenant_id and p.id = n.holder_party_id
    where n.tenant_id = ${tenant} and n.epc = ${epc}`;
  return r;
}
const count = async (table: 'order_receipt_differences' | 'order_returns', orderId: number) =>
  (await sql()<{ n: number }[]>`select count(*)::int as n from ${sql()(table)} where tenant_id = ${tenant} and order_id = ${orderId}`)[0]
    ?.n;

/** Commissions cases of `sku` (each full of units) at W01, loose or on a pallet, all of lot `tag`. */
async function stockUp(sku: string, tag: string, cases: number, onPallet = false) {
  const { captureEvents, prepareEvents } = await import('../../src/modules/trace/capture.ts');
  const g = gtins[sku] as (typeof gtins)[string];
  const at = { id: `https://id.gs1.org/414/${w01Gln}` };
  const caseCodes = Array.from({ length: cases }, (_, c) => code(g.case, `${tag}C${c}`));
  const units = caseCodes.map((_, c) => Array.from({ length: g.perCase }, (_, i) => code(g.unit, `${tag}C${c}U${i}`)));
  const pallet = code(g.pallet, `${tag}P`);
  const e = (second: number, x: object) => ({
    eventTime: new Date(Date.now() - 60_000 + second * 1000).toISOString(),
    eventTimeZoneOffset: '+08:00',
    bizLocation: at,
    ...x,
  });
  const events = [
    e(0, {
      type: 'ObjectEvent',
      epcList: [...units.flat(), ...caseCodes, ...(onPallet ? [pallet] : [])],
      action: 'ADD',
      bizStep: 'commissioning',
      ilmd: { 'cbvmda:lotNumber': tag },
    }),
    ...caseCodes.map((c, i) => e(1, { type: 'AggregationEvent', parentID: c, childEPCs: units[i], action: 'ADD', bizStep: 'packing' })),
    ...(onPallet ? [e(2, { type: 'AggregationEvent', parentID: pallet, childEPCs: caseCodes, action: 'ADD', bizStep: 'packing' })] : []),
  ];
  const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
  await captureEvents(server.db.sql, tenant, 'test', prepareEvents(events as never, ctx), ctx);
  return { pallet, cases: caseCodes, units };
}

/** A distributor's order of two cases of A, approved and shipped by its two cases from W01. */
async function shippedOrder(tag: string) {
  const goods = await stockUp(skuA, tag, 2);
  const perCase = gtins[skuA]?.perCase as number;
  const placed = await call('distributor', 'POST', '/api/v1/orders', { lines: [{ sku: skuA, quantity: 2 * perCase }] });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const id = placed.body.id as number;
  if (placed.body.status === 'pending_approval') expect((await call('admin', 'POST', `/api/v1/orders/${id}/approve`, {})).status).toBe(200);
  const shipped = await call('warehouse', 'POST', `/api/v1/orders/${id}/shipments`, { scanId: randomUUID(), codes: goods.cases });
  expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
  return { id, orderNo: placed.body.orderNo as string, ...goods, perCase };
}
const receive = (id: number, codes?: string[], scanId = randomUUID()) =>
  call('distributor', 'POST', `/api/v1/orders/${id}/receipts`, { scanId, ...(codes ? { codes } : {}) });
const resolve = (user: string, id: number, diff: number, resolution: string) =>
  call(user, 'POST', `/api/v1/orders/${id}/differences/${diff}/resolve`, { resolution });
const webhookTypes = async (orderId: number) =>
  (
    await sql()<{ type: string }[]>`
      select type from webhook_events where tenant_id = ${tenant} and (body::jsonb->'data'->>'orderId')::int = ${orderId} order by created_at`
  ).map((r) => r.type);

beforeAll(async () => {
  server = await startTestServer({ webhooks: { worker: false } });
  const [t] = await sql()<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenant = Number(t?.id);
  const products = await sql()<{ sku: string }[]>`
    select sku from products where tenant_id = ${tenant} and status = 'active' order by sku desc limit 2`;
  skuA = products[0]?.sku as string;
  skuB = products[1]?.sku as string;
  const levels = await sql()<{ sku: string; level: 'unit' | 'case' | 'pallet'; gtin: string; units_per: number }[]>`
    select p.sku, l.level, l.gtin, l.units_per from packaging_levels l join products p on p.id = l.product_id and p.tenant_id = l.tenant_id
    where l.tenant_id = ${tenant} and p.sku = any(${[skuA, skuB]}::text[])`;
  for (const sku of [skuA, skuB]) {
    const of = (level: string) => levels.find((l) => l.sku === sku && l.level === level);
    gtins[sku] = {
      unit: of('unit')?.gtin as string,
      case: of('case')?.gtin as string,
      pallet: of('pallet')?.gtin as string,
      perCase: of('case')?.units_per as number,
    };
  }
  const [d] = await sql()<{ code: string }[]>`
    select p.code from parties p join users u on u.party_id = p.id and u.tenant_id = p.tenant_id where p.tenant_id = ${tenant} and u.username = 'distributor'`;
  distributor = d?.code as string;
  const [w] = await sql()<{ gln: string }[]>`select gln from parties where tenant_id = ${tenant} and code = 'W01'`;
  w01Gln = w?.gln as string;
  // every order event is kept for a subscriber (delivery itself is webhooks.int.spec.ts's)
  await sql()`insert into webhook_subscriptions (tenant_id, url, event_types, secret_sealed)
    values (${tenant}, 'https://erp.example.com/hooks', '{*}', '\\x00')`;
  const list = await call('admin', 'POST', '/api/v1/price-lists', {
    code: 'BASE',
    name: '基础价',
    scope: 'base',
    items: [
      { sku: skuA, priceFen: PRICE_A },
      { sku: skuB, priceFen: PRICE_B },
    ],
  });
  expect(list.status).toBe(201);
  expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: distributor, amountFen: 10_000_000 })).status).toBe(200);
});
afterAll(async () => server?.close());

/** The distributor's refund whose note names `ref`, as its ledger reads it in zh-CN and in English. */
async function refundNotes(ref: string): Promise<(string | undefined)[]> {
  const noteIn = async (lang: string) =>
    (
      (await call('distributor', 'GET', `/api/v1/funds/${distributor}/ledger`, undefined, { 'accept-language': lang })).body.items as {
        kind: string;
        memoText: string;
      }[]
    )
      .filter((i) => i.kind === 'refund')
      .map((i) => i.memoText)
      .find((m) => m.includes(ref));
  return [await noteIn('zh-CN'), await noteIn('en')];
}

describe('receipt differences', () => {
  it('closing the receipt makes every shipped code not received short; they stay in transit until a credit writes them off and refunds their value', async () => {
    const o = await shippedOrder('SH1');
    const [case1, case2] = o.cases as [string, string];
    expect((await receive(o.id, [case1])).status).toBe(201);
    const before = { buyer: await funds(distributor), seller: await settled('BRAND') };

    const scanId = randomUUID();
    const closed = await call('distributor', 'POST', `/api/v1/orders/${o.id}/receipts/close`, { scanId });
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    expect(closed.body.status).toBe('received');
    expect(closed.body.differences).toEqual([{ id: expect.any(Number), kind: 'short', sku: skuA, quantity: o.perCase, codes: [case2] }]);
    const diff = closed.body.differences[0].id as number;
    // a retried close answers with the first and records nothing more
    const again = await call('distributor', 'POST', `/api/v1/orders/${o.id}/receipts/close`, { scanId });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, differences: [{ id: diff }] });
    expect(await count('order_receipt_differences', o.id)).toBe(1);
    // while open, the short units are still on their way to the buyer, and the code is no longer expected
    expect(await stockOf(distributor, 'SH1')).toEqual({ on_hand: o.perCase, in_transit: o.perCase, destroyed: 0 });
    expect(problems(await receive(o.id, [case2]))).toEqual([['/body/codes/0', 'receipt.declared_short']]);

    // the buyer cannot resolve its own difference; the brand credits it
    const byBuyer = await resolve('distributor', o.id, diff, 'credit');
    expect([byBuyer.status, byBuyer.body.code]).toEqual([403, 'difference.wrong_party']);
    const credited = await resolve('admin', o.id, diff, 'credit');
    expect(credited.status, JSON.stringify(credited.body)).toBe(201);
    expect(credited.body).toMatchObject({ status: 'resolved', resolution: 'credit', creditFen: o.perCase * PRICE_A });
    expect((await funds(distributor)).prepaidFen).toBe(before.buyer.prepaidFen + o.perCase * PRICE_A);
    expect(await settled('BRAND')).toBe(before.seller - o.perCase * PRICE_A);
    expect(await refundNotes(`#${diff}`)).toEqual([`收货差异 #${diff}（短少）`, `Receipt difference #${diff} (short)`]);
    expect(await stockOf(distributor, 'SH1')).toEqual({ on_hand: o.perCase, in_transit: 0, destroyed: o.perCase });
    expect((await where(case2))?.status).toBe('destroyed');

    // resolving again: the same resolution answers with the first and moves nothing; another one is refused
    const replay = await resolve('admin', o.id, diff, 'credit');
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ replayed: true, creditFen: o.perCase * PRICE_A });
    expect((await funds(distributor)).prepaidFen).toBe(before.buyer.prepaidFen + o.perCase * PRICE_A);
    const other = await resolve('admin', o.id, diff, 'reship');
    expect([other.status, other.body.code]).toEqual([409, 'difference.already_resolved']);
    const missing = await resolve('admin', o.id, 999_999, 'credit');
    expect([missing.status, missing.body.code]).toEqual([404, 'order.difference_not_found']);

    const [audit] = await sql()<{ n: number }[]>`
      select count(*)::int as n from audit_log where tenant_id = ${tenant} and action = 'order.difference_resolve' and entity_id = ${String(diff)}`;
    expect(audit?.n).toBe(1);
    const detail = await call('distributor', 'GET', `/api/v1/orders/${o.id}`);
    expect(detail.body.differences).toMatchObject([{ id: diff, kind: 'short', status: 'resolved', resolution: 'credit' }]);
    expect(detail.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['difference_recorded', 'receipt_closed', 'difference_resolved']),
    );
    expect(await webhookTypes(o.id)).toEqual(expect.arrayContaining(['order.receipt_difference', 'order.difference_resolved']));
  });

  it('a short declared by code and resolved by reship reopens the line: the value goes back to the reservation and settles again when it ships', async () => {
    const o = await shippedOrder('SH2');
    const [case1, case2] = o.cases as [string, string];
    const declare = (body: object) => call('distributor', 'POST', `/api/v1/orders/${o.id}/differences`, { scanId: randomUUID(), ...body });
    // bad declarations, each refused with its reason and nothing written
    expect(problems(await declare({ kind: 'short' }))).toEqual([['/body/codes', 'difference.codes_required']]);
    expect(problems(await declare({ kind: 'short', codes: [code(gtins[skuA]?.case as string, 'NOT-SHIPPED')] }))).toEqual([
      ['/body/codes/0', 'receipt.not_on_order'],
    ]);
    expect(problems(await declare({ kind: 'short', codes: ['not a code'] }))).toEqual([['/body/codes/0', 'code.unrecognised']]);
    expect((await declare({ kind: 'lost', codes: [case2] })).status).toBe(400);
    expect((await receive(o.id, [case1])).status).toBe(201);
    expect(problems(await declare({ kind: 'short', codes: [case1] }))).toEqual([['/body/codes/0', 'receipt.already_received']]);
    expect(await count('order_receipt_differences', o.id)).toBe(0);

    const declared = await declare({ kind: 'short', codes: [case2], note: '少一箱' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const diff = declared.body.differences[0].id as number;
    expect(problems(await declare({ kind: 'short', codes: [case2] }))).toEqual([['/body/codes/0', 'difference.already_declared']]);

    const reservedBefore = (await funds(distributor)).reservedFen;
    const sellerBefore = await settled('BRAND');
    const reship = await resolve('admin', o.id, diff, 'reship');
    expect(reship.status, JSON.stringify(reship.body)).toBe(201);
    expect((await funds(distributor)).reservedFen).toBe(reservedBefore + o.perCase * PRICE_A);
    expect(await settled('BRAND')).toBe(sellerBefore - o.perCase * PRICE_A);
    const detail = await call('distributor', 'GET', `/api/v1/orders/${o.id}`);
    expect(detail.body.status).toBe('partially_shipped');
    expect(detail.body.lines[0]).toMatchObject({ shippedQty: o.perCase, receivedQty: o.perCase });
    expect(await stockOf(distributor, 'SH2')).toEqual({ on_hand: o.perCase, in_transit: 0, destroyed: o.perCase });

    // the seller ships a case again: the order is whole, and the value settles once more
    const more = await stockUp(skuA, 'SH2R', 1);
    const again = await call('warehouse', 'POST', `/api/v1/orders/${o.id}/shipments`, { scanId: randomUUID(), codes: more.cases });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.status).toBe('shipped');
    expect(await settled('BRAND')).toBe(sellerBefore);
    expect((await receive(o.id)).body.status).toBe('received');
  });

  it('records codes scanned on receipt that were not shipped under the order as over, not received; a write-off accepts them into the buyer’s stock', async () => {
    const o = await shippedOrder('OV1');
    const extra = await stockUp(skuB, 'OV1B', 1, true);
    const extraCase = extra.cases[0] as string;
    // a code the brand never issued refuses the whole scan
    const forged = await receive(o.id, [o.cases[0] as string, code(gtins[skuB]?.case as string, 'FORGED')]);
    expect(problems(forged)).toEqual([['/body/codes/1', 'code.unknown']]);
    // a unit of a shipped case is no extra: the receipt takes the case it shipped in
    const inside = await receive(o.id, [o.units[0]?.[0] as string]);
    expect(problems(inside)).toEqual([['/body/codes/0', 'receipt.inside_shipped']]);
    expect(await count('order_receipt_differences', o.id)).toBe(0);

    const scanned = await receive(o.id, [o.cases[0] as string, extra.pallet]);
    expect(scanned.status, JSON.stringify(scanned.body)).toBe(201);
    expect(scanned.body.units).toEqual({ [skuA]: o.perCase });
    expect(scanned.body.differences).toEqual([
      { id: expect.any(Number), kind: 'over', sku: skuB, quantity: gtins[skuB]?.perCase, codes: [extra.pallet] },
    ]);
    const diff = scanned.body.differences[0].id as number;
    // not silently accepted: the extra goods are still where the ledger had them
    expect((await where(extraCase))?.holder).toBe('W01');
    expect(problems(await receive(o.id, [extra.pallet]))).toEqual([['/body/codes/0', 'difference.already_declared']]);

    const credit = await resolve('admin', o.id, diff, 'credit');
    expect(problems(credit)).toEqual([['/body/resolution', 'difference.resolution_not_allowed']]);
    const accepted = await resolve('admin', o.id, diff, 'write_off');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body).toMatchObject({ resolution: 'write_off', creditFen: 0 });
    expect(await where(extraCase)).toMatchObject({ status: 'received', holder: distributor });
    expect(await stockOf(distributor, 'OV1B')).toMatchObject({ on_hand: gtins[skuB]?.perCase, in_transit: 0 });
    expect(await stockOf('W01', 'OV1B')).toMatchObject({ on_hand: 0 });
  });

  it('records damage by code (with a photo) or by quantity; a write-off takes the units off the shelf with reason damaged, a credit also refunds', async () => {
    const o = await shippedOrder('DM1');
    expect((await receive(o.id)).status).toBe(201);
    const declare = (body: object) => call('distributor', 'POST', `/api/v1/orders/${o.id}/differences`, { scanId: randomUUID(), ...body });
    const broken = o.units[0]?.[0] as string;
    const other = await stockUp(skuA, 'DM1X', 1);
    expect(problems(await declare({ kind: 'damaged', codes: [other.cases[0]] }))).toEqual([['/body/codes/0', 'return.code_not_delivered']]);
    expect(problems(await declare({ kind: 'damaged', codes: [broken], sku: skuA, quantity: 1 }))).toEqual([
      ['/body/codes', 'difference.codes_or_quantity'],
    ]);
    expect(problems(await declare({ kind: 'damaged', sku: 'NO-SUCH', quantity: 1 }))).toEqual([
      ['/body/sku', 'difference.sku_not_on_order'],
    ]);
    expect(problems(await declare({ kind: 'damaged', sku: skuA, quantity: 1.5 }))).toEqual([['/body/quantity', 'order.bad_quantity']]);
    expect(problems(await declare({ kind: 'damaged', sku: skuA, quantity: 2 * o.perCase + 1 }))).toEqual([
      ['/body/quantity', 'difference.more_than_received'],
    ]);
    expect(await count('order_receipt_differences', o.id)).toBe(0);

    const byCode = await declare({ kind: 'damaged', codes: [broken], note: '外包装破损', photoRef: 'oss://photos/dm1.jpg' });
    expect(byCode.status, JSON.stringify(byCode.body)).toBe(201);
    expect(problems(await declare({ kind: 'damaged', codes: [broken] }))).toEqual([['/body/codes/0', 'difference.already_declared']]);
    const byQty = await declare({ kind: 'damaged', sku: skuA, quantity: 2 });
    expect(byQty.status).toBe(201);
    const list = await call('admin', 'GET', `/api/v1/orders/${o.id}/differences`);
    expect(list.body.items).toMatchObject([
      { kind: 'damaged', quantity: 1, codes: [broken], photoRef: 'oss://photos/dm1.jpg', status: 'open', valueFen: PRICE_A },
      { kind: 'damaged', quantity: 2, codes: [], status: 'open', valueFen: 2 * PRICE_A },
    ]);

    const buyerBefore = (await funds(distributor)).prepaidFen;
    expect((await resolve('admin', o.id, byCode.body.differences[0].id, 'write_off')).status).toBe(201);
    expect((await funds(distributor)).prepaidFen).toBe(buyerBefore);
    expect((await resolve('admin', o.id, byQty.body.differences[0].id, 'credit')).status).toBe(201);
    expect((await funds(distributor)).prepaidFen).toBe(buyerBefore + 2 * PRICE_A);
    expect(await stockOf(distributor, 'DM1')).toMatchObject({ on_hand: 2 * o.perCase - 3 });
    const adjustments = await sql()<{ delta: number; reason: string }[]>`
      select a.delta::int, a.reason from stock_adjustments a join parties p on p.tenant_id = a.tenant_id and p.id = a.holder_party_id
      where a.tenant_id = ${tenant} and p.code = ${distributor} and a.lot = 'DM1' order by a.id`;
    expect(adjustments).toEqual([
      { delta: -1, reason: 'damaged' },
      { delta: -2, reason: 'damaged' },
    ]);
    // a damaged code is settled by its difference: it cannot also be returned for a second refund
    const ret = await call('distributor', 'POST', `/api/v1/orders/${o.id}/returns`, {
      scanId: randomUUID(),
      reason: 'damaged',
      codes: [broken],
    });
    expect(problems(ret)).toEqual([['/body/codes/0', 'return.declared_damaged']]);
  });

  it('refuses differences on an order the caller cannot see, and to roles that do not receive', async () => {
    const o = await shippedOrder('WP1');
    const body = { scanId: randomUUID(), kind: 'short', codes: [o.cases[0]] };
    expect((await call('store', 'POST', `/api/v1/orders/${o.id}/differences`, body)).status).toBe(404);
    expect((await call('warehouse', 'POST', `/api/v1/orders/${o.id}/differences`, body)).status).toBe(403);
    expect((await call('store', 'GET', `/api/v1/orders/${o.id}/differences`)).status).toBe(404);
    expect((await call('distributor', 'POST', `/api/v1/orders/999999/receipts/close`, { scanId: randomUUID() })).status).toBe(404);
    expect(await count('order_receipt_differences', o.id)).toBe(0);
  });
});

describe('returns', () => {
  it('returns cases by scan as a shipping event to the seller, refuses codes that cannot go back, and credits the buyer when the seller receives', async () => {
    const o = await shippedOrder('RT1');
    const [case1, case2] = o.cases as [string, string];
    const ret = (codes: string[], scanId = randomUUID(), reason = 'expired', user = 'distributor') =>
      call(user, 'POST', `/api/v1/orders/${o.id}/returns`, { scanId, reason, codes });
    // nothing delivered yet: the codes are still on their way
    expect(problems(await ret([case1]))).toEqual([['/body/codes/0', 'return.code_not_delivered']]);
    expect((await receive(o.id)).status).toBe(201);
    const stranger = await stockUp(skuA, 'RT1X', 1);
    const bad = await ret([stranger.cases[0] as string, o.units[1]?.[0] as string, 'https://id.gs1.org/01/09506000134352/21/NOPE']);
    expect(problems(bad)).toEqual([
      ['/body/codes/0', 'return.code_not_delivered'],
      ['/body/codes/1', 'code.packed_in'],
      ['/body/codes/2', 'code.unknown'],
    ]);
    expect((await ret([case1], randomUUID(), 'broken')).status).toBe(400);
    const store = await ret([case1], randomUUID(), 'expired', 'store');
    expect(store.status).toBe(404);
    expect(await count('order_returns', o.id)).toBe(0);

    const scanId = randomUUID();
    const sent = await ret([case1], scanId);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ status: 'in_transit', units: { [skuA]: o.perCase }, codes: 1, valueFen: o.perCase * PRICE_A });
    expect(sent.body.returnNo).toBe(`${o.orderNo}-R1`);
    expect((await ret([case1], scanId)).body).toMatchObject({ replayed: true, returnId: sent.body.returnId });
    expect(problems(await ret([case1]))).toEqual([['/body/codes/0', 'return.already_returned']]);
    // the ledger: one shipping event from the buyer carrying the order and the return's reference
    const [event] = await sql()<{ bt: { type: string; bizTransaction: string }[] }[]>`
      select body->'bizTransactionList' as bt from epcis_events where tenant_id = ${tenant} and biz_step = 'shipping'
        and body->'bizTransactionList' @> ${sql().json([{ type: 'rma' }] as never)}
        and body->'bizTransactionList'->1->>'bizTransaction' like ${`%:${o.orderNo}-R1`}`;
    expect(event?.bt.map((b) => b.type)).toEqual(['po', 'rma']);
    expect(await where(case1)).toMatchObject({ status: 'in_transit' });
    expect(await stockOf(distributor, 'RT1')).toMatchObject({ on_hand: o.perCase });
    expect(await stockOf('BRAND', 'RT1')).toMatchObject({ in_transit: o.perCase });

    // the buyer cannot receive its own return; the brand's warehouse does, in one click
    const receiveReturn = (user: string, scan = randomUUID()) =>
      call(user, 'POST', `/api/v1/orders/${o.id}/returns/${sent.body.returnId}/receipts`, { scanId: scan });
    expect([(await receiveReturn('distributor')).body.code]).toEqual(['return.wrong_party']);
    const buyerBefore = (await funds(distributor)).prepaidFen;
    const sellerBefore = await settled('BRAND');
    const back = await receiveReturn('warehouse');
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(back.body).toMatchObject({ status: 'received', creditedFen: o.perCase * PRICE_A });
    expect((await funds(distributor)).prepaidFen).toBe(buyerBefore + o.perCase * PRICE_A);
    expect(await settled('BRAND')).toBe(sellerBefore - o.perCase * PRICE_A);
    // the buyer's ledger says what the refund was for, in its reader's language
    expect(await refundNotes(sent.body.returnNo)).toEqual([`退货 ${sent.body.returnNo}`, `Return ${sent.body.returnNo}`]);
    expect(await where(case1)).toMatchObject({ status: 'received', holder: 'W01' });
    expect(await stockOf('BRAND', 'RT1')).toMatchObject({ in_transit: 0 });
    expect(await stockOf('W01', 'RT1')).toMatchObject({ on_hand: o.perCase });
    expect(problems(await receiveReturn('warehouse'))).toEqual([['/body/codes', 'return.nothing_to_receive']]);
    const missing = await call('warehouse', 'POST', `/api/v1/orders/${o.id}/returns/999999/receipts`, { scanId: randomUUID() });
    expect([missing.status, missing.body.code]).toEqual([404, 'order.return_not_found']);

    // the rest goes back too: the order is returned, and its timeline and webhooks say so
    const second = await ret([case2], randomUUID(), 'recall');
    expect(second.status).toBe(201);
    const scanned = await call('warehouse', 'POST', `/api/v1/orders/${o.id}/returns/${second.body.returnId}/receipts`, {
      scanId: randomUUID(),
      codes: [case2],
    });
    expect(scanned.status, JSON.stringify(scanned.body)).toBe(201);
    const detail = await call('distributor', 'GET', `/api/v1/orders/${o.id}`);
    expect(detail.body.status).toBe('returned');
    expect(detail.body.lines[0]).toMatchObject({ receivedQty: 2 * o.perCase, returnedQty: 2 * o.perCase });
    expect(detail.body.returns.map((r: { returnNo: string; status: string }) => [r.returnNo, r.status])).toEqual([
      [`${o.orderNo}-R1`, 'received'],
      [`${o.orderNo}-R2`, 'received'],
    ]);
    expect(detail.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['return_shipped', 'return_received']),
    );
    expect(await webhookTypes(o.id)).toEqual(expect.arrayContaining(['order.returned', 'order.return_received']));
  });

  it('one return scanned twice at once is one return; the same codes under two scans at once go back once', async () => {
    const o = await shippedOrder('RT2');
    expect((await receive(o.id)).status).toBe(201);
    const send = (scanId: string) =>
      call('distributor', 'POST', `/api/v1/orders/${o.id}/returns`, { scanId, reason: 'excess', codes: [o.cases[0]] });
    const scanId = randomUUID();
    const twice = await Promise.all([send(scanId), send(scanId)]);
    expect(twice.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(new Set(twice.map((r) => r.body.returnId)).size).toBe(1);
    expect(await count('order_returns', o.id)).toBe(1);

    const race = await Promise.all([
      call('distributor', 'POST', `/api/v1/orders/${o.id}/returns`, { scanId: randomUUID(), reason: 'excess', codes: [o.cases[1]] }),
      call('distributor', 'POST', `/api/v1/orders/${o.id}/returns`, { scanId: randomUUID(), reason: 'excess', codes: [o.cases[1]] }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([201, 400]);
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
    expect(problems(race.find((r) => r.status === 400) as { body: Record<string, any> })).toEqual([
      ['/body/codes/0', 'return.already_returned'],
    ]);
    expect(await count('order_returns', o.id)).toBe(2);
    const [shipping] = await sql()<{ n: number }[]>`
      select count(*)::int as n from epcis_events where tenant_id = ${tenant} and biz_step = 'shipping'
        and body->'bizTransactionList'->0->>'bizTransaction' like ${`%:${o.orderNo}`}`;
    // the order's own shipment and the two returns
    expect(shipping?.n).toBe(3);

    // two receipts of one return at once credit once
    const returnId = twice[0]?.body.returnId as number;
    const buyerBefore = (await funds(distributor)).prepaidFen;
    const receipts = await Promise.all(
      [randomUUID(), randomUUID()].map((s) =>
        call('warehouse', 'POST', `/api/v1/orders/${o.id}/returns/${returnId}/receipts`, { scanId: s }),
      ),
    );
    expect(receipts.map((r) => r.status).sort()).toEqual([201, 400]);
    expect((await funds(distributor)).prepaidFen).toBe(buyerBefore + o.perCase * PRICE_A);
  });
  it('a store returns to its distributor: the distributor receives it and the store is credited; neither can act for the other', async () => {
    // the store's supplier (a tier-2 distributor) gets an admin user of its own
    const [chain] = await sql()<{ store: string; supplier: string }[]>`
      select s.code as store, d.code as supplier from parties s join parties d on d.id = s.parent_id and d.tenant_id = s.tenant_id
      join users u on u.party_id = s.id and u.tenant_id = s.tenant_id where s.tenant_id = ${tenant} and u.username = 'store'`;
    const user = await call('admin', 'POST', '/api/v1/users', {
      username: 'supplier2',
      password: 'Demo#2026',
      role: 'distributor_admin',
      partyCode: chain?.supplier,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const { store, supplier } = chain as { store: string; supplier: string };
    // the distributor's stock: two cases from the brand, received in full
    const goods = await stockUp(skuA, 'ST1', 2);
    const perCase = gtins[skuA]?.perCase as number;
    expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: supplier, amountFen: 1_000_000 })).status).toBe(200);
    expect((await call('admin', 'POST', '/api/v1/funds/deposits', { party: store, amountFen: 1_000_000 })).status).toBe(200);
    const upstream = await call('supplier2', 'POST', '/api/v1/orders', { lines: [{ sku: skuA, quantity: 2 * perCase }] });
    expect(upstream.status, JSON.stringify(upstream.body)).toBe(201);
    if (upstream.body.status === 'pending_approval') await call('admin', 'POST', `/api/v1/orders/${upstream.body.id}/approve`, {});
    expect(
      (await call('warehouse', 'POST', `/api/v1/orders/${upstream.body.id}/shipments`, { scanId: randomUUID(), codes: goods.cases }))
        .status,
    ).toBe(201);
    expect((await call('supplier2', 'POST', `/api/v1/orders/${upstream.body.id}/receipts`, { scanId: randomUUID() })).status).toBe(201);
    const up = { cases: goods.cases, perCase };

    const placed = await call('store', 'POST', '/api/v1/orders', { lines: [{ sku: skuA, quantity: perCase }] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const id = placed.body.id as number;
    if (placed.body.status === 'pending_approval')
      expect((await call('admin', 'POST', `/api/v1/orders/${id}/approve`, {})).status).toBe(200);
    const shipped = await call('supplier2', 'POST', `/api/v1/orders/${id}/shipments`, { scanId: randomUUID(), codes: [up.cases[0]] });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
    expect((await call('store', 'POST', `/api/v1/orders/${id}/receipts`, { scanId: randomUUID() })).status).toBe(201);

    const byDistributor = await call('supplier2', 'POST', `/api/v1/orders/${id}/returns`, {
      scanId: randomUUID(),
      reason: 'wrong_item',
      codes: [up.cases[0]],
    });
    expect([byDistributor.status, byDistributor.body.code]).toEqual([403, 'return.wrong_party']);
    const sent = await call('store', 'POST', `/api/v1/orders/${id}/returns`, {
      scanId: randomUUID(),
      reason: 'wrong_item',
      codes: [up.cases[0]],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(await stockOf(supplier, 'ST1')).toMatchObject({ on_hand: up.perCase, in_transit: up.perCase });
    const byStore = await call('store', 'POST', `/api/v1/orders/${id}/returns/${sent.body.returnId}/receipts`, { scanId: randomUUID() });
    expect(byStore.status).toBe(403);
    const storeBefore = (await funds(store)).prepaidFen;
    const sellerBefore = await settled(supplier);
    const back = await call('supplier2', 'POST', `/api/v1/orders/${id}/returns/${sent.body.returnId}/receipts`, {
      scanId: randomUUID(),
      codes: [up.cases[0]],
    });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    const [line] = (await call('store', 'GET', `/api/v1/orders/${id}`)).body.lines;
    const value = up.perCase * Number(line.unitPriceFen);
    expect(back.body.creditedFen).toBe(value);
    expect((await funds(store)).prepaidFen).toBe(storeBefore + value);
    expect(await settled(supplier)).toBe(sellerBefore - value);
    expect(await stockOf(supplier, 'ST1')).toMatchObject({ on_hand: 2 * up.perCase, in_transit: 0 });
    expect(await stockOf(store, 'ST1')).toMatchObject({ on_hand: 0 });
  });
});
