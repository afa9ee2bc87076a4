import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/context.ts';
import type { Sql } from '../../src/db/connection.ts';
import { AppError } from '../../src/http/problem.ts';
import { placeBatch, receiveBatch, receiveOrder, shipBatch, shipOrder } from '../../src/modules/orders/index.ts';
import { buildParams } from '../../src/modules/planning/simulator/params.ts';
import { actor, createSimulationTenant } from '../../src/modules/planning/simulator/product-tenant.ts';
import { captureEvents, prepareEvents } from '../../src/modules/trace/capture.ts';
import { EPCIS_CONTEXT } from '../../src/modules/trace/epcis/query-document.ts';
import type { EpcisEvent } from '../../src/modules/trace/event-facts.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * Set-based fulfilment (shipBatch, receiveBatch) is the single-order path played on many orders at once: the same
 * channel and orders, shipped and received order by order in one tenant and in two batches in another, end in the
 * same ledger events, stock, code states, order states and timelines, funds and webhook events. A batch with one bad
 * order is refused whole, naming the order, with nothing written; a retried batch replays and writes nothing.
 */
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.drop());

const PACK = 6;

/** A channel (1 warehouse, 2 distributors, 4 stores, 2 SKUs) with packs at the warehouse and the distributors. */
async function channel(sql: Sql) {
  const built = buildParams({ days: 10, distributors: 2, stores: 4, skus: 2, seed: 1, policy: 'throughline' });
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  const ch = await createSimulationTenant(sql, built.params);
  const t = ch.tenantId;
  const ctx = (a: RequestContext['actor']): RequestContext => ({ sql, actor: a, locale: 'en', ip: null, requestId: null });
  const brand = ctx(ch.brandActor);
  const dist = ch.distributors.map((d) => ctx(actor(t, ch.tenantCode, 'distributor_admin', d.id, `test (${d.code})`)));
  const store = ch.stores.map((s) => ctx(actor(t, ch.tenantCode, 'store_owner', s.id, `test (${s.code})`)));
  const packEpc = (k: number, p: number) => `https://id.gs1.org/01/${ch.skus[k]?.pack}/21/P${p}`;
  const unitEpc = (k: number, p: number, u: number) => `https://id.gs1.org/01/${ch.skus[k]?.unit}/21/U${p * PACK + u}`;
  // packs 0-19 of each SKU at the warehouse, 20-29 at distributor 0, 30-39 at distributor 1
  const at = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
  const events: EpcisEvent[] = [];
  const time = new Date(Date.now() - 3_600_000).toISOString();
  for (const [gln, from, to] of [
    [ch.warehouse.gln, 0, 20],
    [ch.distributors[0]?.gln as string, 20, 30],
    [ch.distributors[1]?.gln as string, 30, 40],
  ] as const)
    for (let k = 0; k < 2; k++) {
      const packs = Array.from({ length: to - from }, (_, i) => from + i);
      const units = (p: number) => Array.from({ length: PACK }, (_, u) => unitEpc(k, p, u));
      const base = { eventTime: time, eventTimeZoneOffset: '+08:00', bizLocation: at(gln), readPoint: at(gln) };
      events.push({
        type: 'ObjectEvent',
        ...base,
        epcList: [...packs.flatMap(units), ...packs.map((p) => packEpc(k, p))],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        ilmd: { 'cbvmda:lotNumber': 'L1' },
      });
      for (const p of packs)
        events.push({ type: 'AggregationEvent', ...base, parentID: packEpc(k, p), childEPCs: units(p), action: 'ADD', bizStep: 'packing' });
    }
  await captureEvents(sql, t, 'test', prepareEvents(events, [EPCIS_CONTEXT]), [EPCIS_CONTEXT]);
  await sql`insert into webhook_subscriptions (tenant_id, url, event_types, secret_sealed) values (${t}, 'https://erp.example.com/hooks', '{*}', '\\x00')`;
  // orders: each distributor from the brand, each store from its distributor (store s buys from distributor s mod 2)
  const sku = (k: number) => ch.skus[k]?.sku as string;
  const placed = await placeBatch(sql, t, [
    {
      ctx: dist[0] as RequestContext,
      input: {
        lines: [
          { sku: sku(0), quantity: 4 * PACK },
          { sku: sku(1), quantity: 2 * PACK },
        ],
        idempotencyKey: 'd0',
      },
    },
    { ctx: dist[1] as RequestContext, input: { lines: [{ sku: sku(1), quantity: 3 * PACK }], idempotencyKey: 'd1' } },
    ...store.map((c, s) => ({
      ctx: c,
      input: {
        lines: [
          { sku: sku(0), quantity: (s + 1) * PACK },
          { sku: sku(1), quantity: PACK },
        ],
        idempotencyKey: `s${s}`,
      },
    })),
  ]);
  const ids = placed.map((r) => {
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.order.status).toBe('approved');
    return r.order.id;
  });
  return { ch, t, brand, dist, store, packEpc, ids };
}

type Fixture = Awaited<ReturnType<typeof channel>>;

/** The same scans in both tenants (same scan ids): distributor 0's order shipped in part, everything else in full. */
function plan(f: Fixture, scanIds: string[]) {
  const p = f.packEpc;
  const ships = [
    { ctx: f.brand, orderId: f.ids[0] as number, codes: [p(0, 0), p(0, 1), p(0, 2), p(1, 0)] }, // 3 of 4 packs, 1 of 2
    { ctx: f.brand, orderId: f.ids[1] as number, codes: [p(1, 1), p(1, 2), p(1, 3)] },
    ...f.store.map((_, s) => ({
      ctx: f.dist[s % 2] as RequestContext,
      orderId: f.ids[2 + s] as number,
      codes: [...Array.from({ length: s + 1 }, (_, n) => p(0, 20 + (s % 2) * 10 + Math.floor(s / 2) * 3 + n)), p(1, 20 + (s % 2) * 10 + s)],
    })),
  ].map((r, i) => ({ ...r, scanId: scanIds[i] as string }));
  // receipts: one click for all but store 1, which scans one of its two packs
  const receipts = [
    { ctx: f.dist[0] as RequestContext, orderId: f.ids[0] as number },
    { ctx: f.dist[1] as RequestContext, orderId: f.ids[1] as number },
    ...f.store.map((c, s) => ({ ctx: c, orderId: f.ids[2 + s] as number, ...(s === 1 ? { codes: [ships[3]?.codes[0] as string] } : {}) })),
  ].map((r, i) => ({ ...r, scanId: scanIds[10 + i] as string }));
  return { ships, receipts };
}

/** Everything fulfilment writes, with the tenant's own ids replaced by what names them (order keys, party codes). */
async function snapshot(sql: Sql, t: number) {
  const keyOf = new Map(
    (
      await sql<
        { id: number; order_no: string; key: string }[]
      >`select id::int, order_no, idempotency_key as key from orders where tenant_id = ${t}`
    ).flatMap((o) => [
      [String(o.id), o.key],
      [o.order_no, o.key],
    ]),
  );
  const named = (v: unknown) =>
    JSON.parse(
      JSON.stringify(v)
        .replace(/SO\d+/g, (m) => keyOf.get(m) ?? m)
        .replace(/"orderId":(\d+)/g, (_, id) => `"orderId":"${keyOf.get(id)}"`),
    );
  const [stock, codes, orders, lines, timeline, shipments, shippedCodes, accounts, funds, events, webhooks, sellThrough] =
    await Promise.all([
      sql`select p.code, s.gtin, s.lot, s.on_hand::int, s.in_transit_in::int from stock s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
      where s.tenant_id = ${t} order by 1, 2, 3`,
      sql`select c.epc, c.status, h.code as holder, c.parent_epc, c.disposition, c.last_biz_step from code_now c
      left join parties h on h.tenant_id = c.tenant_id and h.id = c.holder_party_id where c.tenant_id = ${t} order by 1`,
      sql`select idempotency_key as key, status, total_fen::int, reserved_fen::int from orders where tenant_id = ${t} order by 1`,
      sql`select o.idempotency_key as key, l.line_no, l.quantity, l.shipped_qty, l.received_qty from order_lines l
      join orders o on o.tenant_id = l.tenant_id and o.id = l.order_id where l.tenant_id = ${t} order by 1, 2`,
      sql`select o.idempotency_key as key, e.kind, e.actor, e.details from order_events e
      join orders o on o.tenant_id = e.tenant_id and o.id = e.order_id where e.tenant_id = ${t} order by 1, e.at, 2`,
      sql`select o.idempotency_key as key, s.kind, s.scan_id::text, s.units, s.outcome, s.actor from order_shipments s
      join orders o on o.tenant_id = s.tenant_id and o.id = s.order_id where s.tenant_id = ${t} order by 1, 2, 3`,
      sql`select o.idempotency_key as key, s.epc, s.received, s.short from order_shipped_codes s
      join orders o on o.tenant_id = s.tenant_id and o.id = s.order_id where s.tenant_id = ${t} order by 1, 2`,
      sql`select p.code, a.kind, a.balance_fen::int from funds_accounts a join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
      where a.tenant_id = ${t} order by 1, 2`,
      sql`select x.kind, o.idempotency_key as key, x.actor, array_agg(p.code || ':' || a.kind || ':' || e.amount_fen order by e.amount_fen) as entries
      from funds_transactions x join orders o on o.tenant_id = x.tenant_id and o.id = x.order_id
      join funds_entries e on e.tenant_id = x.tenant_id and e.transaction_id = x.id
      join funds_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id
      join parties p on p.tenant_id = a.tenant_id and p.id = a.party_id
      where x.tenant_id = ${t} group by x.id, 1, 2, 3 order by 2, 1`,
      sql`select event_type, action, biz_step, disposition, read_point, biz_location,
        body->'eventID' as event_id, body->'bizTransactionList' as bt, body->'destinationList' as dest,
        (select array_agg(x order by x) from jsonb_array_elements_text(coalesce(body->'epcList', '[]')) x) as epcs
      from epcis_events where tenant_id = ${t} and biz_step in ('shipping', 'receiving') order by biz_step, body->>'eventID'`,
      sql`select type, body::jsonb->'data' as data from webhook_events where tenant_id = ${t} and type <> 'order.placed' order by 1, 2`,
      sql`select p.code, s.gtin, s.units_out::int from sell_through_daily s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
      where s.tenant_id = ${t} order by 1, 2`,
    ]);
  const sorted = (rows: unknown[]) => named(rows).sort((a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    stock,
    codes,
    orders,
    lines,
    timeline: sorted(timeline),
    shipments: named(shipments),
    shippedCodes,
    accounts,
    funds: sorted(funds),
    events: named(events),
    webhooks: sorted(webhooks),
    sellThrough,
  };
}

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected a refusal, got ${e}`);
  return e;
};

describe('set-based fulfilment', () => {
  let single: Fixture;
  let batch: Fixture;
  const scanIds = Array.from({ length: 20 }, () => randomUUID());

  it('ships and receives a batch to the same state as order by order', async () => {
    single = await channel(db.sql);
    batch = await channel(db.sql);
    const a = plan(single, scanIds);
    for (const s of a.ships) await shipOrder(s.ctx, s.orderId, { scanId: s.scanId, codes: s.codes });
    const b = plan(batch, scanIds);
    const shipped = await shipBatch(db.sql, batch.t, b.ships);
    expect(shipped.map((o) => o.status)).toEqual(['partially_shipped', 'shipped', 'shipped', 'shipped', 'shipped', 'shipped']);
    expect(shipped[0]?.units).toEqual({ [batch.ch.skus[0]?.sku as string]: 3 * PACK, [batch.ch.skus[1]?.sku as string]: PACK });
    // between shipping and receiving, the two tenants already agree (stock in transit, funds settled)
    expect(await snapshot(db.sql, batch.t)).toEqual(await snapshot(db.sql, single.t));

    for (const r of a.receipts) await receiveOrder(r.ctx, r.orderId, { scanId: r.scanId, codes: r.codes });
    const received = await receiveBatch(db.sql, batch.t, b.receipts);
    expect(received.map((o) => o.status)).toEqual(['partially_shipped', 'received', 'received', 'shipped', 'received', 'received']);
    const after = await snapshot(db.sql, batch.t);
    expect(after).toEqual(await snapshot(db.sql, single.t));
    // and the state is what fulfilment means: stock at the buyers, the orders' value settled to the sellers
    expect(after.orders.filter((o) => o.status === 'received')).toHaveLength(4);
    expect(after.events.filter((e: { biz_step: string }) => e.biz_step === 'shipping')).toHaveLength(6);
    expect(after.events.filter((e: { biz_step: string }) => e.biz_step === 'receiving')).toHaveLength(6);
    const store0 = after.stock.filter((s) => s.code === batch.ch.stores[0]?.code);
    expect(store0.reduce((n, s) => n + s.on_hand, 0)).toBe(2 * PACK);
    expect(after.accounts.find((a) => a.code === 'BRAND' && a.kind === 'settled')?.balance_fen).toBe((3 + 1 + 3) * PACK * 100);
    // one capture (one EPCIS document) for the six shipments and one for the six receipts, against twelve order by order
    const jobs = (t: number) => db.sql<{ n: number }[]>`
      select event_count as n from capture_jobs where tenant_id = ${t} and actor <> 'test' order by id`;
    expect((await jobs(batch.t)).map((j) => j.n)).toEqual([6, 6]);
    expect((await jobs(single.t)).map((j) => j.n)).toEqual(Array(12).fill(1));
  });

  it('a retried batch replays its first answers and writes nothing', async () => {
    const before = await snapshot(db.sql, batch.t);
    const b = plan(batch, scanIds);
    const again = await shipBatch(db.sql, batch.t, b.ships);
    expect(again.every((o) => o.replayed)).toBe(true);
    expect(again.map((o) => o.status)).toEqual(['partially_shipped', 'shipped', 'shipped', 'shipped', 'shipped', 'shipped']);
    const receivedAgain = await receiveBatch(db.sql, batch.t, b.receipts);
    expect(receivedAgain.every((o) => o.replayed)).toBe(true);
    expect(await snapshot(db.sql, batch.t)).toEqual(before);
  });

  it('one bad order refuses the whole batch, naming the order, and nothing is written', async () => {
    const before = await snapshot(db.sql, batch.t);
    const [captures] = await db.sql<{ n: number }[]>`select count(*)::int as n from capture_jobs where tenant_id = ${batch.t}`;
    const p = batch.packEpc;
    const rest = { ctx: batch.brand, orderId: batch.ids[0] as number, scanId: randomUUID(), codes: [p(0, 3)] }; // a good one: the last pack
    // the second order's code is with the warehouse, not with distributor 0 who sells to store 0
    const bad = { ctx: batch.dist[0] as RequestContext, orderId: batch.ids[2] as number, scanId: randomUUID(), codes: [p(0, 4)] };
    const e = await refusal(shipBatch(db.sql, batch.t, [rest, bad]));
    expect(e.status).toBe(409); // store 0's order is shipped in full already
    expect(e.extra).toMatchObject({ orderId: batch.ids[2], index: 1 });
    expect(e.fieldErrors).toEqual([expect.objectContaining({ pointer: '/body/orders/1/orderId', code: 'order.wrong_status' })]);

    // the same order twice; a code that is not with the seller; more than the order still needs
    const repeated = await refusal(shipBatch(db.sql, batch.t, [rest, { ...rest, scanId: randomUUID() }]));
    expect(repeated.fieldErrors.map((f) => [f.pointer, f.code])).toEqual([['/body/orders/1/orderId', 'fulfilment.order_repeated']]);
    const notWithSeller = await refusal(shipBatch(db.sql, batch.t, [{ ...rest, codes: [p(0, 3), p(0, 25)] }]));
    expect(notWithSeller.fieldErrors).toEqual([
      expect.objectContaining({
        pointer: '/body/orders/0/codes/1',
        code: 'shipment.not_with_seller',
        params: expect.objectContaining({ orderId: batch.ids[0] }),
      }),
    ]);
    const over = await refusal(shipBatch(db.sql, batch.t, [{ ...rest, codes: [p(0, 3), p(0, 5)] }]));
    expect(over.fieldErrors.map((f) => [f.pointer, f.code])).toEqual([['/body/orders/0/codes', 'shipment.over']]);
    // a receipt batch with one order not the caller's: refused whole
    const receipt = await refusal(
      receiveBatch(db.sql, batch.t, [
        { ctx: batch.store[1] as RequestContext, orderId: batch.ids[3] as number, scanId: randomUUID() }, // its pack not yet received
        { ctx: batch.store[0] as RequestContext, orderId: batch.ids[1] as number, scanId: randomUUID() }, // distributor 1's order
      ]),
    );
    expect([receipt.status, receipt.extra.orderId]).toEqual([404, batch.ids[1]]);

    expect(await snapshot(db.sql, batch.t)).toEqual(before);
    const [after] = await db.sql<{ n: number }[]>`select count(*)::int as n from capture_jobs where tenant_id = ${batch.t}`;
    expect(after?.n).toBe(captures?.n);
  });
});
