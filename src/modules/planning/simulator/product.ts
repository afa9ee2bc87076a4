/**
 * The product mode: the same engine and demand as the fast mode, with every day's actions carried out through the
 * product in a simulation tenant of its own, and the stock the next day's decisions start from read back from the
 * product's stock projection (so a product that lost or doubled a unit would change the result, and the
 * mode-equality test would see it).
 *
 * The tenant: a brand with one warehouse (the brand level), the distributors and the stores (store s buys from
 * distributor s mod distributors), one product per SKU whose "case" is the store pack (params.storePack units),
 * list price 1 yuan, no approvals, a credit line for every buyer, lanes with the policy's lead times.
 * A day, in the engine's order:
 * - receipts: the buyers' one-click receipts, all of the day's in one receiveBatch (one receiving event per order over
 *   every code shipped under it, one EPCIS document, one transaction);
 * - brand production arriving: units commissioned at the warehouse and packed into packs (capture);
 * - sales: one retail_selling event per store with the units it sold (capture), taken from its packs first in first out;
 * - orders: one order per buyer and day, all of a day's orders in one placeBatch;
 * - shipments: the sellers scan packs against the orders, all of the day's in one shipBatch (one shipping event per
 *   order in one EPCIS document, stock and funds moved, one transaction); the month-end push is an order the brand
 *   places on the distributor's behalf, shipped at once.
 * Opening stock is commissioned in place (at the warehouse, each distributor and each store). Event times are the
 * wall clock (the ledger keeps events in the order they were captured); the simulated day is in the orders'
 * idempotency keys.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../context.ts';
import type { Sql } from '../../../db/connection.ts';
import type { Actor } from '../../auth/index.ts';
import { type PlacementRequest, placeBatch, receiveBatch, shipBatch } from '../../orders/index.ts';
import { captureEvents, prepareEvents } from '../../trace/capture.ts';
import { EPCIS_CONTEXT } from '../../trace/epcis/query-document.ts';
import type { EpcisEvent } from '../../trace/event-facts.ts';
import { LEVELS, type Level, LOG, LOG_WIDTH, PolicyEngine } from './engine.ts';
import type { SimulationParams } from './params.ts';
import { actor, type Channel, createSimulationTenant } from './product-tenant.ts';
import { type SimulationResult, summarise } from './result.ts';
import { demandPlanFor, type RunOptions, resultOf } from './simulate.ts';

/**
 * Which packs are where, first in first out per holder x SKU (the product knows each code's holder; the simulator
 * keeps this list to know which codes to scan). A pack is a number; its units are `pack x size + u`.
 */
class Packs {
  private readonly fifo = new Map<string, number[]>();
  /** units already sold from the first pack of a store x SKU */
  readonly opened = new Map<string, number>();
  next = 0;

  add(key: string, packs: number[]): void {
    const q = this.fifo.get(key);
    if (q) q.push(...packs);
    else this.fifo.set(key, [...packs]);
  }
  take(key: string, n: number): number[] {
    const q = this.fifo.get(key) ?? [];
    if (q.length < n) throw new Error(`product mode: ${key} holds ${q.length} packs, ${n} wanted`);
    return q.splice(0, n);
  }
  peek(key: string): number[] {
    return this.fifo.get(key) ?? [];
  }
}

export interface ProductRunInfo {
  tenant: string;
  orders: number;
  shipments: number;
  receipts: number;
  events: number;
  /** node x SKU x days where the product's stock differed from the engine's (0 when the product did what was asked) */
  stockMismatches: number;
  /** milliseconds spent per step (setup, opening, receive, sell, order, ship, push, readBack) */
  ms: Record<string, number>;
}

/** The product mode on the database `sql` points at: each policy in a simulation tenant of its own. */
export async function simulateProduct(
  sql: Sql,
  params: SimulationParams,
  opts: RunOptions = {},
): Promise<SimulationResult & { product: ProductRunInfo[] }> {
  const started = performance.now();
  const plan = demandPlanFor(params, opts.table);
  const total = params.days * params.policies.length;
  const results = [];
  const infos: ProductRunInfo[] = [];
  let done = 0;
  for (const policy of params.policies) {
    const ch = await createSimulationTenant(sql, params);
    const played = await playThroughProduct(sql, ch, params, policy, plan, {
      forecaster: opts.forecaster,
      onDay: async () => {
        done++;
        await opts.onProgress?.(done, total);
      },
    });
    results.push(played.result);
    infos.push(played.info);
  }
  return { ...resultOf(params, 'product', plan, results, started), product: infos };
}

/** Serials of the codes a run commissions: pack n of SKU k, and `count` units of SKU k from index `first`. */
export interface Serials {
  pack(k: number, n: number): string;
  units(k: number, first: number, count: number): string[];
}

export interface PlayOptions {
  forecaster?: RunOptions['forecaster'];
  /** after each simulated day */
  onDay?: (day: number) => void | Promise<void>;
  /**
   * The business moment of a day's n-th step (opening stock: day -1). Without it the steps happen now; with it every
   * step is played as of that moment: events carry it as their eventTime and the session's business clock is set to
   * it (migration 0041), so orders, shipments, receipts and the analytics facts are dated then. The clock is a
   * setting of the session, so `sql` must then be a pool of one connection.
   */
  clock?: (day: number, step: number) => Date;
  /** serial prefix of the codes commissioned (unique in the tenant), when `serials` does not say */
  serialPrefix?: string;
  /** the serials of SKU k's packs and units (by index); default: the prefix, P or U, and the index */
  serials?: Serials;
  /** who the product records as doing the steps (default `simulator`) */
  actorLabel?: string;
  /** after a day's sales are captured: the units each store sold (by store node), at the sales' moment */
  onSold?: (sold: Map<number, string[]>, at: Date) => Promise<void>;
  /** the lot number commissioned units carry */
  lotOf?: (day: number) => string;
}

/**
 * Plays one policy's days through the product in the channel `ch` (a simulation tenant, or the slice of a tenant
 * that the demo brand's history plays in), its stock read back from the product every day.
 */
export async function playThroughProduct(
  sql: Sql,
  ch: Channel,
  params: SimulationParams,
  policy: SimulationParams['policies'][number],
  plan: ReturnType<typeof demandPlanFor>,
  play: PlayOptions = {},
): Promise<{ result: ReturnType<typeof summarise>; info: ProductRunInfo }> {
  const { skus, storePack } = params;
  if (play.clock && sql.options.max !== 1) throw new Error('product mode: a business clock needs a pool of one connection');
  const prefix = play.serialPrefix ?? '';
  const label = play.actorLabel ?? 'simulator';
  const t = ch.tenantId;
  const info: ProductRunInfo = { tenant: ch.tenantCode, orders: 0, shipments: 0, receipts: 0, events: 0, stockMismatches: 0, ms: {} };
  let moment = new Date();
  /** sets the business clock (when there is one) to a day's step, and the time events carry */
  const at = async (day: number, step: number) => {
    if (!play.clock) {
      moment = new Date();
      return;
    }
    moment = play.clock(day, step);
    await sql`select set_config('throughline.business_time', ${moment.toISOString()}, false)`;
  };
  const timed = async (step: string, f: () => Promise<void>) => {
    const t0 = performance.now();
    await f();
    info.ms[step] = Math.round((info.ms[step] ?? 0) + performance.now() - t0);
  };
  const ctxOf = (a: Actor): RequestContext => ({ sql, actor: a, locale: 'en', ip: null, requestId: null });
  const brandCtx = ctxOf(ch.brandActor);
  const distCtx = ch.distributors.map((d) => ctxOf(actor(t, ch.tenantCode, 'distributor_admin', d.id, `${label} (${d.code})`)));
  const storeCtx = ch.stores.map((s) => ctxOf(actor(t, ch.tenantCode, 'store_owner', s.id, `${label} (${s.code})`)));
  const engine = new PolicyEngine(params, policy, plan, { forecaster: play.forecaster });
  const packs = new Packs();
  const keyOf = (level: Level, node: number, k: number) => `${level}:${node}:${k}`;
  const serials: Serials = play.serials ?? {
    pack: (_k, p) => `${prefix}P${p}`,
    units: (_k, first, count) => Array.from({ length: count }, (_, u) => `${prefix}U${first + u}`),
  };
  const packEpc = (k: number, p: number) => `https://id.gs1.org/01/${ch.skus[k]?.pack}/21/${serials.pack(k, p)}`;
  /** the units of pack p of SKU k, from its u-th on: indexes p x storePack + u onwards */
  const unitEpcs = (k: number, p: number, from = 0, count = storePack - from) =>
    serials.units(k, p * storePack + from, count).map((s) => `https://id.gs1.org/01/${ch.skus[k]?.unit}/21/${s}`);
  const glnAt = (level: Level, node: number) =>
    level === 'brand'
      ? ch.warehouse.gln
      : level === 'distributors'
        ? (ch.distributors[node]?.gln as string)
        : (ch.stores[node]?.gln as string);
  const where = (gln: string) => ({ id: `https://id.gs1.org/414/${gln}` });
  const capture = async (events: EpcisEvent[]) => {
    if (!events.length) return;
    const out = await captureEvents(sql, t, label, prepareEvents(events, [EPCIS_CONTEXT]), [EPCIS_CONTEXT]);
    info.events += out.newEvents;
  };
  /** commissions `units` (whole packs) of SKU k at a place, packed, and puts the packs on its list */
  const commissionEvents = (level: Level, node: number, k: number, units: number, day: number): EpcisEvent[] => {
    const n = units / storePack;
    if (!Number.isInteger(n)) throw new Error(`product mode: ${units} units is not whole packs of ${storePack}`);
    if (n === 0) return [];
    const list = Array.from({ length: n }, () => packs.next++);
    packs.add(keyOf(level, node, k), list);
    const time = moment.toISOString();
    const base = {
      eventTime: time,
      eventTimeZoneOffset: '+08:00',
      bizLocation: where(glnAt(level, node)),
      readPoint: where(glnAt(level, node)),
    };
    const unitsOf = (p: number) => unitEpcs(k, p);
    return [
      {
        type: 'ObjectEvent',
        ...base,
        epcList: [...list.flatMap(unitsOf), ...list.map((p) => packEpc(k, p))],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        ilmd: { 'cbvmda:lotNumber': play.lotOf?.(day) ?? 'SIM' },
      },
      ...list.map((p) => ({
        type: 'AggregationEvent',
        ...base,
        parentID: packEpc(k, p),
        childEPCs: unitsOf(p),
        action: 'ADD',
        bizStep: 'packing',
      })),
    ];
  };

  // opening stock, commissioned in place
  await at(-1, 0);
  const opening: EpcisEvent[] = [];
  for (const level of LEVELS) {
    const tier = engine.tiers[level];
    for (let j = 0; j < tier.onHand.length; j++)
      opening.push(...commissionEvents(level, Math.floor(j / skus), j % skus, tier.onHand[j] as number, -1));
  }
  await timed('opening', async () => {
    for (let i = 0; i < opening.length; i += 2000) await capture(opening.slice(i, i + 2000));
    await refreshStatistics();
  });

  const orderOf = new Map<number, number>(); // engine order seq -> product order id
  const inTransit = new Map<number, { level: Level; node: number; k: number; packs: number[] }[]>(); // product order id -> packs shipped
  const log: number[] = [];
  engine.log = log;
  for (let day = 0; day < params.days; day++) {
    log.length = 0;
    engine.day(day);
    // carry out the day's actions in the order the engine took them, a run of one kind at a time
    let i = 0;
    let step = 0;
    while (i < log.length) {
      const kind = log[i] as number;
      let end = i;
      while (end < log.length && log[end] === kind) end += LOG_WIDTH;
      const run: [number, number, number, number, number][] = [];
      for (let e = i; e < end; e += LOG_WIDTH) run.push(log.slice(e + 1, e + LOG_WIDTH) as [number, number, number, number, number]);
      await at(day, step++);
      await timed(['receive', 'sell', 'order', 'ship', 'push'][kind] ?? '?', () => act(kind, run, day));
      i = end;
    }
    // the stock the next day starts from: the product's
    await timed('readBack', readBack);
    // the tables grow by a channel's worth of codes: without fresh statistics the planner walks containment by scanning
    if (day % 30 === 29) await timed('analyze', refreshStatistics);
    await play.onDay?.(day);
  }
  if (play.clock) await sql`select set_config('throughline.business_time', '', false)`;
  return { result: summarise(engine, params.days), info };

  async function act(kind: number, run: [number, number, number, number, number][], day: number): Promise<void> {
    switch (kind) {
      case LOG.RECEIVE: {
        const production: EpcisEvent[] = [];
        const orders = new Set<number>();
        for (const [level, seq, , k, qty] of run) {
          if (level === 0) production.push(...commissionEvents('brand', 0, k, qty, day));
          else orders.add(orderOf.get(seq) as number);
        }
        await capture(production);
        // the packs go on the buyer's list in the engine's order; the day's receipts are one receiveBatch
        const receipts: { ctx: RequestContext; orderId: number; scanId: string; at: Date }[] = [];
        for (const orderId of orders) {
          const shipped = inTransit.get(orderId) ?? [];
          const first = shipped[0];
          if (!first) continue;
          const ctx = (first.level === 'distributors' ? distCtx[first.node] : storeCtx[first.node]) as RequestContext;
          receipts.push({ ctx, orderId, scanId: randomUUID(), at: moment });
          for (const s of shipped) packs.add(keyOf(s.level, s.node, s.k), s.packs);
          inTransit.delete(orderId);
        }
        for (let i = 0; i < receipts.length; i += BATCH) await receiveBatch(sql, t, receipts.slice(i, i + BATCH));
        info.receipts += receipts.length;
        return;
      }
      case LOG.SELL: {
        const byStore = new Map<number, string[]>();
        for (const [i, qty] of run) {
          const s = Math.floor(i / skus);
          const k = i % skus;
          const key = keyOf('stores', s, k);
          const epcs = byStore.get(s) ?? [];
          let left = qty;
          while (left > 0) {
            const head = packs.peek(key)[0];
            if (head === undefined) throw new Error(`product mode: store ${s} has no pack of SKU ${k} to sell from`);
            const from = packs.opened.get(key) ?? 0;
            const n = Math.min(left, storePack - from);
            epcs.push(...unitEpcs(k, head, from, n));
            left -= n;
            if (from + n === storePack) {
              packs.take(key, 1);
              packs.opened.delete(key);
            } else packs.opened.set(key, from + n);
          }
          byStore.set(s, epcs);
        }
        const time = moment.toISOString();
        await capture(
          [...byStore].map(([s, epcs]) => ({
            type: 'ObjectEvent',
            eventTime: time,
            eventTimeZoneOffset: '+08:00',
            epcList: epcs,
            action: 'OBSERVE',
            bizStep: 'retail_selling',
            disposition: 'retail_sold',
            bizLocation: where(ch.stores[s]?.gln as string),
            readPoint: where(ch.stores[s]?.gln as string),
          })),
        );
        await play.onSold?.(byStore, moment);
        return;
      }
      case LOG.ORDER: {
        // one order per buyer: [level, node] -> lines; the brand's production orders go to its factory, not through orders
        const byBuyer = new Map<string, { level: number; node: number; lines: { sku: string; quantity: number }[]; seqs: number[] }>();
        for (const [level, node, k, qty, seq] of run) {
          if (level === 0) continue;
          const key = `${level}:${node}`;
          const o = byBuyer.get(key) ?? { level, node, lines: [], seqs: [] };
          o.lines.push({ sku: ch.skus[k]?.sku as string, quantity: qty });
          o.seqs.push(seq);
          byBuyer.set(key, o);
        }
        await place(
          [...byBuyer.values()].map((o) => ({
            ctx: (o.level === 1 ? distCtx[o.node] : storeCtx[o.node]) as RequestContext,
            input: { lines: o.lines, idempotencyKey: `sim-${day}-${o.level}-${o.node}` },
            seqs: o.seqs,
          })),
        );
        return;
      }
      case LOG.PUSH: {
        const byBuyer = new Map<number, { lines: { sku: string; quantity: number }[]; seqs: number[] }>();
        for (const [, seq, node, k, qty] of run) {
          const o = byBuyer.get(node) ?? { lines: [], seqs: [] };
          o.lines.push({ sku: ch.skus[k]?.sku as string, quantity: qty });
          o.seqs.push(seq);
          byBuyer.set(node, o);
        }
        await place(
          [...byBuyer].map(([node, o]) => ({
            ctx: brandCtx,
            input: {
              buyer: ch.distributors[node]?.code,
              lines: o.lines,
              note: 'month-end quota',
              idempotencyKey: `sim-push-${day}-${node}`,
            },
            seqs: o.seqs,
          })),
        );
        await ship(run.map(([, seq, node, k, qty]) => [1, seq, node, k, qty]));
        return;
      }
      case LOG.SHIP:
        await ship(run);
        return;
      default:
        throw new Error(`product mode: unknown action ${kind}`);
    }
  }

  async function place(orders: { ctx: RequestContext; input: PlacementRequest['input']; seqs: number[] }[]): Promise<void> {
    if (!orders.length) return;
    const placed = await placeBatch(
      sql,
      t,
      orders.map((o) => ({ ctx: o.ctx, input: o.input })),
    );
    placed.forEach((r, i) => {
      if (!r.ok) throw new Error(`product mode: an order was refused: ${JSON.stringify(r.error)}`);
      if (r.order.status !== 'approved') throw new Error(`product mode: an order is ${r.order.status}, not approved`);
      for (const seq of orders[i]?.seqs ?? []) orderOf.set(seq, r.order.id);
      info.orders++;
    });
  }

  /** Ships each order's lines (packs from the seller, first in first out) in one scan per order. */
  async function ship(run: [number, number, number, number, number][]): Promise<void> {
    const byOrder = new Map<number, { level: Level; node: number; k: number; packs: number[] }[]>();
    for (const [level, seq, node, k, qty] of run) {
      if (level === 0) continue; // production started: it arrives as commissioning
      const buyer: Level = level === 1 ? 'distributors' : 'stores';
      const seller = level === 1 ? keyOf('brand', 0, k) : keyOf('distributors', node % params.distributors, k);
      const orderId = orderOf.get(seq) as number;
      const lines = byOrder.get(orderId) ?? [];
      lines.push({ level: buyer, node, k, packs: packs.take(seller, qty / storePack) });
      byOrder.set(orderId, lines);
    }
    const shipments = [...byOrder].map(([orderId, lines]) => {
      const first = lines[0] as { level: Level; node: number };
      const ctx = first.level === 'distributors' ? brandCtx : (distCtx[first.node % params.distributors] as RequestContext);
      return { ctx, orderId, scanId: randomUUID(), at: moment, codes: lines.flatMap((l) => l.packs.map((p) => packEpc(l.k, p))) };
    });
    for (let i = 0; i < shipments.length; i += BATCH) await shipBatch(sql, t, shipments.slice(i, i + BATCH));
    for (const [orderId, lines] of byOrder) inTransit.set(orderId, lines);
    info.shipments += byOrder.size;
  }

  async function refreshStatistics(): Promise<void> {
    await sql`analyze code_state`;
    await sql`analyze containment`;
    await sql`analyze stock`;
  }

  async function readBack(): Promise<void> {
    const rows = await sql<{ holder: number; gtin: string; n: number }[]>`
      select holder_party_id::int as holder, gtin, sum(on_hand)::int as n from stock where tenant_id = ${t} group by 1, 2`;
    const at = new Map(rows.map((r) => [`${r.holder}|${r.gtin.trim()}`, r.n]));
    const setFrom = (level: Level, party: (node: number) => number) => {
      const arr = engine.tiers[level].onHand;
      for (let j = 0; j < arr.length; j++) {
        const n = at.get(`${party(Math.floor(j / skus))}|${ch.skus[j % skus]?.unit}`) ?? 0;
        if (n !== arr[j]) {
          info.stockMismatches++;
          arr[j] = n;
        }
      }
    };
    setFrom('brand', () => ch.warehouse.id);
    setFrom('distributors', (d) => ch.distributors[d]?.id as number);
    setFrom('stores', (s) => ch.stores[s]?.id as number);
  }
}

/** Orders per shipBatch / receiveBatch (one transaction each; a day of 5,000 stores is a few of them). */
const BATCH = 5000;

/** The CLI's product mode: opens the database the configuration names (embedded by default), migrated. */
export async function simulateProductStandalone(params: SimulationParams, opts: RunOptions = {}): Promise<SimulationResult> {
  const { loadConfig } = await import('../../../config.ts');
  const { openDatabase } = await import('../../../db/database.ts');
  const db = await openDatabase(loadConfig(), { log: () => {}, attach: true });
  try {
    return await simulateProduct(db.sql, params, opts);
  } finally {
    await db.close();
  }
}
