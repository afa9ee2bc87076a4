/**
 * One policy played through the channel, day by day, in typed arrays (the fast mode; the product mode runs the same
 * engine and carries each day's orders, shipments, receipts and sales out through the product, see product.ts).
 *
 * The channel: one brand warehouse, `distributors` distributors, `stores` stores (store s buys from distributor
 * s mod distributors), `skus` SKUs. Each day t, in this order:
 *   1. receipts: what was shipped to arrive today is on hand (brand: production ordered transitDays ago);
 *   2. sales: each store x SKU sells min(demand, on hand); the rest of the demand is lost and counted;
 *   3. reviews: stores whose review day it is order from their distributor, then distributors (seeing today's store
 *      orders) from the brand, then the brand from its factory: quantity = max(0, target - inventory position),
 *      rounded up to the pack, case or batch, where the position is on hand + on order - ordered from it, not yet
 *      shipped; the target is the policy's rule (params.ts);
 *   4. shipping: orders due today (placed processingDays ago) are shipped in the order they were placed, each as
 *      much as the supplier has on hand (the rest is cancelled, and counted); the brand ships before the
 *      distributors, and a shipment with no transit days is received at once;
 *   5. baseline only, on the last day of a month: the brand pushes each distributor's month up to its quota;
 *   6. end-of-day stock at each level is recorded.
 * Node n reviews on the days t with (t + n) mod reviewDays = 0, so weekly and monthly orders spread over the week
 * and the month as they do in a real channel.
 */
import { inverseNormal, orderUpToLevel } from '../../inventory/order-up-to.ts';
import { type DemandPlan, demandAt, HISTORY_DAYS } from './demand.ts';
import { type Forecaster, MovingAverageForecaster } from './forecaster.ts';
import { type ChannelParams, MONTH_DAYS, type OrderingRule, type PolicyParams } from './params.ts';
import { OrderQueue } from './queue.ts';

export type Level = 'brand' | 'distributors' | 'stores';
export const LEVELS: readonly Level[] = ['brand', 'distributors', 'stores'];

/**
 * What a day did, in the order it happened, for the product mode to carry out (collected only when asked for):
 * one entry of LOG_WIDTH numbers each, the first being the kind.
 */
export const LOG = {
  /** [RECEIVE, level of the buyer, order seq, buyer node, sku, units] (a push's receipt too) */
  RECEIVE: 0,
  /** [SELL, store x SKU index, units, 0, 0, 0] */
  SELL: 1,
  /** [ORDER, level of the buyer, buyer node, sku, units, order seq] */
  ORDER: 2,
  /** [SHIP, level of the buyer, order seq, buyer node, sku, units] */
  SHIP: 3,
  /** [PUSH, level of the buyer (distributors), order seq, distributor, sku, units]: shipped at once, unordered */
  PUSH: 4,
} as const;
export const LOG_WIDTH = 6;
export const LEVEL_CODE: Record<Level, number> = { brand: 0, distributors: 1, stores: 2 };

interface Tier {
  rule: OrderingRule;
  nodes: number;
  onHand: Int32Array;
  onOrder: Int32Array;
  /** ordered from this tier, not yet shipped */
  committed: Int32Array;
  /** the demand signal this tier orders from: sales for stores, orders received for the others */
  forecaster: Forecaster;
  /** today's orders received (distributors and brand) */
  requestedToday: Float64Array;
  /** orders placed by this tier, waiting to ship / in transit to it */
  pending: OrderQueue;
  transit: OrderQueue;
  multiple: number;
  z: number;
  // metrics
  stockDays: number;
  outflow: number;
  orderLines: number;
  cycleSum: number;
  received: number;
  orderedUnits: number;
  cancelledUnits: number;
}

export class PolicyEngine {
  readonly tiers: Record<Level, Tier>;
  readonly n: number;
  readonly series: Record<Level, Float64Array>;
  readonly weeklyFill: number[] = [];
  demand = 0;
  sold = 0;
  demandDays = 0;
  stockOutDays = 0;
  pushed = 0;
  private weekDemand = 0;
  private weekSold = 0;
  /** per distributor x SKU, this month: units bought (orders received + pushed) and units sold on to stores */
  private readonly monthIn: Float64Array;
  private readonly monthOut: Float64Array;
  private pushTransit = new OrderQueue();
  private seq = 0;
  /** set to an array to have each day's actions appended to it (product mode) */
  log: number[] | null = null;

  constructor(
    readonly channel: ChannelParams,
    readonly policy: PolicyParams,
    readonly plan: DemandPlan,
    opts: { forecaster?: (size: number, window: number) => Forecaster } = {},
  ) {
    const { stores, distributors, skus, days } = channel;
    this.n = stores * skus;
    const make = opts.forecaster ?? ((size, window) => new MovingAverageForecaster(size, window));
    const tier = (rule: OrderingRule, nodes: number, multiple: number, supplies: boolean): Tier => {
      const size = nodes * skus;
      return {
        rule,
        nodes,
        onHand: new Int32Array(size),
        onOrder: new Int32Array(size),
        committed: new Int32Array(size),
        forecaster: make(size, rule.windowDays),
        requestedToday: new Float64Array(supplies ? size : 0),
        pending: new OrderQueue(),
        transit: new OrderQueue(),
        multiple,
        z: rule.rule === 'order_up_to' ? inverseNormal(rule.serviceLevel) : 0,
        stockDays: 0,
        outflow: 0,
        orderLines: 0,
        cycleSum: 0,
        received: 0,
        orderedUnits: 0,
        cancelledUnits: 0,
      };
    };
    this.tiers = {
      brand: tier(policy.brand, 1, channel.brandBatch, true),
      distributors: tier(policy.distributor, distributors, channel.distributorCase, true),
      stores: tier(policy.store, stores, channel.storePack, false),
    };
    this.series = { brand: new Float64Array(days), distributors: new Float64Array(days), stores: new Float64Array(days) };
    this.monthIn = new Float64Array(distributors * skus);
    this.monthOut = new Float64Array(distributors * skus);
    this.initialise();
  }

  /**
   * Before day 0: every demand signal is filled from the 28 days of history before the run (cycled for longer
   * windows), as if the channel had sold all its demand; every node starts at its target, nothing on order.
   */
  private initialise(): void {
    const { stores, skus, distributors } = this.channel;
    const st = this.tiers.stores;
    const dt = this.tiers.distributors;
    const bt = this.tiers.brand;
    const maxWindow = Math.max(st.rule.windowDays, dt.rule.windowDays, bt.rule.windowDays);
    const dist = new Float64Array(distributors * skus);
    const brand = new Float64Array(skus);
    for (let w = maxWindow; w >= 1; w--) {
      const h = -1 - ((w - 1) % HISTORY_DAYS);
      dist.fill(0);
      brand.fill(0);
      for (let s = 0; s < stores; s++) {
        const d = s % distributors;
        for (let k = 0; k < skus; k++) {
          const i = s * skus + k;
          const q = demandAt(this.plan, i, h);
          if (w <= st.rule.windowDays) st.forecaster.observe(i, -w, q);
          dist[d * skus + k] = (dist[d * skus + k] as number) + q;
          brand[k] = (brand[k] as number) + q;
        }
      }
      if (w <= dt.rule.windowDays) for (let j = 0; j < dist.length; j++) dt.forecaster.observe(j, -w, dist[j] as number);
      if (w <= bt.rule.windowDays) for (let k = 0; k < skus; k++) bt.forecaster.observe(k, -w, brand[k] as number);
    }
    for (const level of LEVELS) {
      const t = this.tiers[level];
      for (let j = 0; j < t.onHand.length; j++) t.onHand[j] = roundUp(this.target(t, level, j), t.multiple);
    }
  }

  /** The rule's target for node x SKU `j`: cover days of the average, or the order-up-to level. */
  private target(t: Tier, level: Level, j: number): number {
    const r = t.rule;
    const mean = t.forecaster.mean(j);
    let s: number;
    if (r.rule === 'cover') s = r.coverDays * mean;
    else
      s = orderUpToLevel({
        mean,
        sigma: t.forecaster.sigma(j),
        leadTimeDays: r.lane.processingDays + r.lane.transitDays,
        reviewDays: r.reviewDays,
        z: t.z,
      });
    return level === 'stores' ? Math.max(s, this.channel.shelfMinimum) : s;
  }

  /** Plays day t. */
  day(t: number): void {
    const { skus } = this.channel;
    const st = this.tiers.stores;
    const dt = this.tiers.distributors;
    const bt = this.tiers.brand;
    const log = this.log;

    // 1. receipts
    this.receive(bt, 'brand', t);
    this.receive(dt, 'distributors', t);
    this.receivePushes(t);
    this.receive(st, 'stores', t);

    // 2. sales
    let demand = 0;
    let sold = 0;
    let demandDays = 0;
    let outDays = 0;
    const onHand = st.onHand;
    for (let i = 0; i < this.n; i++) {
      const q = demandAt(this.plan, i, t);
      let sell = 0;
      if (q > 0) {
        demandDays++;
        const have = onHand[i] as number;
        sell = Math.min(q, have);
        if (sell < q) outDays++;
        onHand[i] = have - sell;
        demand += q;
        sold += sell;
        if (log && sell > 0) log.push(LOG.SELL, i, sell, 0, 0, 0);
      }
      st.forecaster.observe(i, t, sell);
    }
    st.outflow += sold;
    this.demand += demand;
    this.sold += sold;
    this.demandDays += demandDays;
    this.stockOutDays += outDays;
    this.weekDemand += demand;
    this.weekSold += sold;
    if (t % 7 === 6 || t === this.channel.days - 1) {
      this.weeklyFill.push(this.weekDemand ? this.weekSold / this.weekDemand : 1);
      this.weekDemand = 0;
      this.weekSold = 0;
    }

    // 3. reviews, from the stores up: a supplier sees today's orders before it orders
    this.review(st, 'stores', t, dt);
    for (let j = 0; j < dt.requestedToday.length; j++) {
      dt.forecaster.observe(j, t, dt.requestedToday[j] as number);
      dt.requestedToday[j] = 0;
    }
    this.review(dt, 'distributors', t, bt);
    for (let k = 0; k < skus; k++) {
      bt.forecaster.observe(k, t, bt.requestedToday[k] as number);
      bt.requestedToday[k] = 0;
    }
    this.review(bt, 'brand', t, null);

    // 4. shipping, from the top
    this.ship(bt, 'brand', t, null); // production: the factory always delivers
    this.ship(dt, 'distributors', t, bt);
    this.ship(st, 'stores', t, dt);

    // 5. the month-end push
    if (this.policy.monthEndPushUplift > 0 && (t + 1) % MONTH_DAYS === 0) this.push(t);

    // 6. end-of-day stock
    for (const level of LEVELS) {
      const tier = this.tiers[level];
      let sum = 0;
      for (let j = 0; j < tier.onHand.length; j++) sum += tier.onHand[j] as number;
      this.series[level][t] = sum;
      tier.stockDays += sum;
    }
  }

  private review(t: Tier, level: Level, day: number, supplier: Tier | null): void {
    const r = t.rule;
    const { skus, distributors } = this.channel;
    for (let node = 0; node < t.nodes; node++) {
      if ((day + node) % r.reviewDays !== 0) continue;
      const supplierNode = level === 'stores' ? node % distributors : 0;
      for (let k = 0; k < skus; k++) {
        const j = node * skus + k;
        const position = (t.onHand[j] as number) + (t.onOrder[j] as number) - (t.committed[j] as number);
        const short = this.target(t, level, j) - position;
        // 1e-9: a target of 12.000000000001 from floating point is 12, not 13
        if (short <= 1e-9) continue;
        let qty = roundUp(short, t.multiple);
        // a production run is at least productionRunDays of the SKU's average demand
        if (level === 'brand') qty = Math.max(qty, roundUp(this.channel.productionRunDays * t.forecaster.mean(j), t.multiple));
        t.onOrder[j] = (t.onOrder[j] as number) + qty;
        t.orderLines++;
        t.orderedUnits += qty;
        const seq = this.seq++;
        t.pending.push(node, k, qty, day, seq);
        if (supplier) {
          const sj = supplierNode * skus + k;
          supplier.committed[sj] = (supplier.committed[sj] as number) + qty;
          supplier.requestedToday[sj] = (supplier.requestedToday[sj] as number) + qty;
        }
        this.log?.push(LOG.ORDER, LEVEL_CODE[level], node, k, qty, seq);
      }
    }
  }

  private ship(t: Tier, level: Level, day: number, supplier: Tier | null): void {
    const lane = t.rule.lane;
    const q = t.pending;
    const { skus, distributors } = this.channel;
    while (q.peekDay() + lane.processingDays <= day) {
      const e = q.shift();
      const node = q.node[e] as number;
      const k = q.sku[e] as number;
      const want = q.qty[e] as number;
      const seq = q.ref[e] as number;
      let qty = want;
      if (supplier) {
        const sj = (level === 'stores' ? node % distributors : 0) * skus + k;
        const have = supplier.onHand[sj] as number;
        qty = Math.min(want, have);
        supplier.onHand[sj] = have - qty;
        supplier.committed[sj] = (supplier.committed[sj] as number) - want;
        supplier.outflow += qty;
        if (level === 'stores') this.monthOut[sj] = (this.monthOut[sj] as number) + qty;
      }
      const j = node * skus + k;
      if (level === 'distributors') this.monthIn[j] = (this.monthIn[j] as number) + qty;
      if (qty < want) {
        t.cancelledUnits += want - qty;
        t.onOrder[j] = (t.onOrder[j] as number) - (want - qty);
      }
      if (qty === 0) continue;
      this.log?.push(LOG.SHIP, LEVEL_CODE[level], seq, node, k, qty);
      t.transit.push(node, k, qty, q.day[e] as number, seq);
    }
    // no transit days: received at once
    if (lane.transitDays === 0) this.receive(t, level, day);
  }

  private receive(t: Tier, level: Level, day: number): void {
    const lead = t.rule.lane.processingDays + t.rule.lane.transitDays;
    const q = t.transit;
    const skus = this.channel.skus;
    while (q.peekDay() + lead <= day) {
      const e = q.shift();
      const j = (q.node[e] as number) * skus + (q.sku[e] as number);
      const qty = q.qty[e] as number;
      t.onHand[j] = (t.onHand[j] as number) + qty;
      t.onOrder[j] = (t.onOrder[j] as number) - qty;
      t.received++;
      t.cycleSum += day - (q.day[e] as number);
      this.log?.push(LOG.RECEIVE, LEVEL_CODE[level], q.ref[e] as number, q.node[e] as number, q.sku[e] as number, qty);
    }
  }

  /** Baseline: at month end the brand tops each distributor's purchases of the month up to (1 + uplift) x what it sold on. */
  private push(day: number): void {
    const bt = this.tiers.brand;
    const dt = this.tiers.distributors;
    const skus = this.channel.skus;
    for (let j = 0; j < this.monthIn.length; j++) {
      const quota = Math.ceil((1 + this.policy.monthEndPushUplift) * (this.monthOut[j] as number));
      const k = j % skus;
      const short = quota - (this.monthIn[j] as number);
      const qty = Math.min(short > 0 ? roundUp(short, this.channel.distributorCase) : 0, bt.onHand[k] as number);
      this.monthIn[j] = 0;
      this.monthOut[j] = 0;
      if (qty <= 0) continue;
      bt.onHand[k] = (bt.onHand[k] as number) - qty;
      bt.outflow += qty;
      dt.onOrder[j] = (dt.onOrder[j] as number) + qty;
      this.pushed += qty;
      const node = Math.floor(j / skus);
      const seq = this.seq++;
      this.log?.push(LOG.PUSH, LEVEL_CODE.distributors, seq, node, k, qty);
      this.pushTransit.push(node, k, qty, day, seq);
    }
  }

  private receivePushes(day: number): void {
    const dt = this.tiers.distributors;
    const q = this.pushTransit;
    const skus = this.channel.skus;
    while (q.peekDay() + dt.rule.lane.transitDays <= day) {
      const e = q.shift();
      const j = (q.node[e] as number) * skus + (q.sku[e] as number);
      const qty = q.qty[e] as number;
      dt.onHand[j] = (dt.onHand[j] as number) + qty;
      dt.onOrder[j] = (dt.onOrder[j] as number) - qty;
      this.log?.push(LOG.RECEIVE, LEVEL_CODE.distributors, q.ref[e] as number, q.node[e] as number, q.sku[e] as number, qty);
    }
  }
}

/** Up to a whole multiple of `m`, after taking a floating-point hair off (so 12.000000000001 is 12). */
export function roundUp(x: number, m: number): number {
  if (x <= 1e-9) return 0;
  return Math.ceil(Math.ceil(x - 1e-9) / m) * m;
}
