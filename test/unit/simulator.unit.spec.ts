import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demandAt, loadM5, M5_DIR, type SeriesTable, syntheticSeries } from '../../src/modules/planning/simulator/demand.ts';
import { PolicyEngine } from '../../src/modules/planning/simulator/engine.ts';
import {
  BASELINE,
  buildParams,
  CHANNEL_DEFAULTS,
  type ChannelParams,
  type PolicyParams,
  type SimulationParams,
  THROUGHLINE,
} from '../../src/modules/planning/simulator/params.ts';
import { summarise } from '../../src/modules/planning/simulator/result.ts';
import { demandPlanFor, simulateFast } from '../../src/modules/planning/simulator/simulate.ts';
import { simulateInThread } from '../../src/modules/planning/simulator/simulate-thread.ts';

/** One series that sells `units` every day. */
const constant = (units: number): SeriesTable => ({
  source: 'synthetic',
  count: 1,
  length: 1913,
  values: new Uint16Array(1913).fill(units),
});

/** A channel of one store, one distributor, one SKU; packs, cases and batches of one unit; no shelf minimum; store sizes all 1. */
const tiny = (over: Partial<ChannelParams> = {}): ChannelParams => ({
  ...CHANNEL_DEFAULTS,
  stores: 1,
  distributors: 1,
  skus: 1,
  storePack: 1,
  distributorCase: 1,
  brandBatch: 1,
  shelfMinimum: 0,
  productionRunDays: 0,
  storeSizeSigma: 0,
  ...over,
});

function play(channel: ChannelParams, policy: PolicyParams, table: SeriesTable) {
  const params: SimulationParams = { ...channel, policies: [policy], mode: 'fast' };
  const engine = new PolicyEngine(channel, policy, demandPlanFor(params, table));
  const stock: number[][] = [];
  for (let t = 0; t < channel.days; t++) {
    engine.day(t);
    stock.push([engine.series.brand[t] as number, engine.series.distributors[t] as number, engine.series.stores[t] as number]);
  }
  return { engine, stock, result: summarise(engine, channel.days) };
}

/** The throughline policy with the brand also reviewing daily and producing the same day (so every level is worked out by hand). */
const pull: PolicyParams = structuredClone({
  ...THROUGHLINE,
  brand: { ...THROUGHLINE.brand, reviewDays: 1, lane: { processingDays: 0, transitDays: 0 } },
});

describe('the throughline policy on a store selling 2 units every day', () => {
  // store: S = d(L+R) + zσ√(L+R) = 2 x (1 + 1) + 0 = 4; it sells 2, orders 2 the same evening, gets them the next day
  // distributor: S = 2 x (1 + 1) = 4; brand: S = 2 x (0 + 1) = 2
  const { stock, result } = play(tiny({ days: 30 }), pull, constant(2));

  it('holds 2 units at the store, 4 at the distributor and 2 at the brand at the end of every day', () => {
    expect(new Set(stock.map((s) => s.join(',')))).toEqual(new Set(['2,4,2']));
  });

  it('serves every unit: fill rate 1, no stock-out, an order cycle of 1 day at both levels', () => {
    expect(result.demandUnits).toBe(60);
    expect(result.soldUnits).toBe(60);
    expect(result.fillRate).toBe(1);
    expect(result.stockOutRate).toBe(0);
    expect(result.levels.stores.orderCycleDays).toBe(1);
    expect(result.levels.distributors.orderCycleDays).toBe(1);
    expect(result.orderCycleDays).toBe(1);
  });

  it('turns stock at 365 x daily out / average stock at each level, and the channel at sales / all stock', () => {
    expect(result.levels.stores.stockTurns).toBe(365); // 2 a day over 2 on hand
    // the distributor ships each store order the day after: 29 shipments of 2 in 30 days, over 4 on hand
    expect(result.levels.distributors.unitsOut).toBe(58);
    expect(result.levels.distributors.stockTurns).toBe(Math.round(((58 * 365) / 30 / 4) * 1000) / 1000);
    expect(result.levels.brand.stockTurns).toBe(365);
    expect(result.stockTurns).toBe(91.25); // 730 a year over 8 units in the channel
    expect(result.targets.stockTurns.met).toBe(true);
    expect(result.targets.orderCycleDays.met).toBe(true);
  });
});

describe('the baseline policy on a store selling 2 units every day', () => {
  // weekly review on days 0, 7, 14 ..., cover 14 days of the 28-day average (2 a day): target 28, 5 days to arrive
  it('orders the week’s sales back up to 14 days of cover and never runs out', () => {
    const { stock, result } = play(tiny({ days: 28 }), BASELINE, constant(2));
    // start: 28; day 0 order 2 (arrives day 5), day 7 order 14 (arrives day 12), and so on every week
    expect(stock.slice(0, 7).map((s) => s[2])).toEqual([26, 24, 22, 20, 18, 18, 16]);
    expect(stock.slice(7, 14).map((s) => s[2])).toEqual([14, 12, 10, 8, 6, 18, 16]);
    expect(stock.slice(14, 21).map((s) => s[2])).toEqual([14, 12, 10, 8, 6, 18, 16]);
    expect(result.stockOutRate).toBe(0);
    expect(result.levels.stores.orderCycleDays).toBe(5);
    expect(result.targets.orderCycleDays.met).toBe(false);
  });

  it('runs out for 4 days a week when it holds only 7 days of cover', () => {
    const thin: PolicyParams = { ...BASELINE, store: { ...BASELINE.store, coverDays: 7 } };
    const { stock, result } = play(tiny({ days: 13 }), thin, constant(2));
    // start 14; day 0 sells to 12 and orders 2 (day 5); day 7 sells the last 2 and orders 14 (day 12); days 8-11 sell nothing
    expect(stock.map((s) => s[2])).toEqual([12, 10, 8, 6, 4, 4, 2, 0, 0, 0, 0, 0, 12]);
    expect(result.demandUnits).toBe(26);
    expect(result.lostUnits).toBe(8);
    expect(result.fillRate).toBeCloseTo(18 / 26, 4);
    expect(result.stockOutDays).toBe(4);
    expect(result.stockOutRate).toBeCloseTo(4 / 13, 4);
  });

  it('pushes the distributor up to 110% of its month’s sell-through at month end', () => {
    const { result } = play(tiny({ days: 30 }), BASELINE, constant(2));
    // the distributor shipped the store 2 + 14 + 14 + 14 = 44 in the month and bought 2 (its day-0 order):
    // quota ceil(1.1 x 44) = 49, so 47 are pushed on day 29
    expect(result.levels.distributors.orderedUnits).toBe(2);
    expect(result.pushedUnits).toBe(47);
  });
});

describe('a short lane and a scarce supplier', () => {
  it('ships what the supplier has and cancels the rest, in the order the orders were placed', () => {
    // two stores, one distributor that starts with nothing and whose own orders take 5 days: the first days' orders are cancelled
    const policy: PolicyParams = structuredClone(pull);
    policy.distributor.lane = { processingDays: 3, transitDays: 2 };
    const channel = tiny({ days: 10, stores: 2 });
    const params: SimulationParams = { ...channel, policies: [policy], mode: 'fast' };
    const engine = new PolicyEngine(channel, policy, demandPlanFor(params, constant(1)));
    engine.tiers.distributors.onHand[0] = 1;
    engine.day(0);
    engine.day(1); // store 0's order of day 0 gets the distributor's one unit; store 1's is cancelled
    expect(engine.tiers.stores.cancelledUnits).toBe(1);
    expect(engine.tiers.distributors.onHand[0]).toBe(0);
  });
});

describe('demand', () => {
  it('is the same number for a store x SKU and day whichever policy or order asks, and changes with the seed', () => {
    const p = buildParams({ stores: 50, distributors: 5, skus: 4, days: 30, seed: 7 });
    const q = buildParams({ stores: 50, distributors: 5, skus: 4, days: 30, seed: 8 });
    if (!p.ok || !q.ok) throw new Error('params');
    const table = syntheticSeries(1);
    const a = demandPlanFor(p.params, table);
    const b = demandPlanFor(p.params, table);
    const c = demandPlanFor(q.params, table);
    const at = (plan: typeof a) => Array.from({ length: 200 }, (_, i) => demandAt(plan, i, i % 30));
    expect(at(a)).toEqual(at(b));
    expect(at(a)).not.toEqual(at(c));
  });

  it('keeps the generator’s weekly profile and leaves many days without a sale', () => {
    const t = syntheticSeries(3);
    let zeros = 0;
    const weekday = new Array(7).fill(0);
    for (let s = 0; s < t.count; s++)
      for (let d = 0; d < t.length; d++) {
        const v = t.values[s * t.length + d] as number;
        if (v === 0) zeros++;
        weekday[d % 7] += v;
      }
    const share = zeros / t.values.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.7);
    // Saturday and Sunday (the first two days, as in M5's calendar) sell more than midweek
    expect(weekday[0]).toBeGreaterThan(weekday[3] * 1.3);
  });

  it.skipIf(!fs.existsSync(M5_DIR))('plays the real M5 series when ../shared is there (about half the days without a sale)', () => {
    const m5 = loadM5();
    expect(m5?.count).toBe(280);
    expect(m5?.length).toBe(1913);
    const zeros = m5 ? m5.values.filter((v) => v === 0).length / m5.values.length : 0;
    expect(zeros).toBeGreaterThan(0.45);
    expect(zeros).toBeLessThan(0.56);
  });
  if (!fs.existsSync(M5_DIR)) console.warn(`skipping the M5 check: ${M5_DIR} is absent`);
});

describe('both policies on an M5-like channel', () => {
  it('plays the same demand, and the reruns with the same seed are identical', async () => {
    const p = buildParams({ stores: 60, distributors: 3, skus: 4, days: 120, seed: 5 });
    if (!p.ok) throw new Error('params');
    const table = syntheticSeries(5);
    const one = await simulateFast(p.params, { table });
    const two = await simulateFast(p.params, { table });
    expect(one.policies.map((r) => r.demandUnits)).toEqual([one.policies[0]?.demandUnits, one.policies[0]?.demandUnits]);
    expect({ ...one, elapsedMs: 0 }).toEqual({ ...two, elapsedMs: 0 });
    const [base, tl] = one.policies;
    // what the issue expects of pull against push, on the same demand: fewer lost sales, less stock, shorter cycle
    expect(tl?.fillRate).toBeGreaterThan(base?.fillRate ?? 1);
    expect(tl?.averageStock).toBeLessThan(base?.averageStock ?? 0);
    expect(tl?.orderCycleDays).toBeLessThan(2);
    expect(base?.orderCycleDays).toBe(5);
  });
});

describe('a run on its own thread', () => {
  const p = buildParams({ stores: 40, distributors: 2, skus: 3, days: 60, seed: 3 });
  if (!p.ok) throw new Error('params');

  it('gives the result the same run gives in this thread, reporting its days in order up to the last', async () => {
    const days: number[] = [];
    const there = await simulateInThread(p.params, { onProgress: (done) => void days.push(done) });
    const here = await simulateFast(p.params);
    expect({ ...there, elapsedMs: 0 }).toEqual({ ...here, elapsedMs: 0 });
    expect(days.at(-1)).toBe(120);
    expect(days).toEqual([...days].sort((a, b) => a - b));
  });

  it('stops when its progress report throws (a cancelled job), with that error', async () => {
    const stop = new Error('cancelled');
    let reports = 0;
    const run = simulateInThread(p.params, {
      onProgress: async () => {
        reports++;
        throw stop;
      },
    });
    await expect(run).rejects.toBe(stop);
    expect(reports).toBe(1);
  });
});

describe('impossible parameters', () => {
  const refused = (req: Parameters<typeof buildParams>[0]) => {
    const r = buildParams(req);
    return r.ok ? [] : r.errors.map((e) => [e.pointer, e.code]);
  };
  it('names each bad field with a stable code', () => {
    expect(refused({ days: 0 })).toEqual([['/days', 'simulation.days_range']]);
    expect(refused({ days: 3651 })).toEqual([['/days', 'simulation.days_range']]);
    expect(refused({ days: 1.5 })).toEqual([['/days', 'simulation.days_range']]);
    expect(refused({ stores: 100_001 })).toEqual([['/stores', 'simulation.stores_range']]);
    expect(refused({ stores: 5_001, mode: 'product' })).toEqual([['/stores', 'simulation.stores_range']]);
    expect(refused({ stores: 3, distributors: 4 })).toEqual([['/stores', 'simulation.fewer_stores_than_distributors']]);
    expect(refused({ storeLeadDays: -1 })).toEqual([['/storeLeadDays', 'simulation.lead_days_range']]);
    expect(refused({ serviceLevel: 1 })).toEqual([['/serviceLevel', 'simulation.service_level_range']]);
    expect(refused({ serviceLevel: 0.2 })).toEqual([['/serviceLevel', 'simulation.service_level_range']]);
    expect(refused({ policy: 'pull' })).toEqual([['/policy', 'simulation.policy_unknown']]);
    expect(refused({ mode: 'slow' })).toEqual([['/mode', 'simulation.mode_unknown']]);
    expect(refused({ stores: 100_000, skus: 201 })).toEqual([['/skus', 'simulation.skus_range']]);
    expect(refused({ days: 365, policy: 'both', stores: 10, distributors: 2, skus: 3 })).toEqual([]);
  });

  it('stops the CLI with the reasons and runs nothing', () => {
    const out = '/tmp/simulator-unit-refused.json';
    fs.rmSync(out, { force: true });
    const r = spawnSync('node', ['bin/throughline.js', 'simulate', '--days', '0', '--policy', 'pull', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--days: Days must be a whole number from 1 to 3650 (got 0) [simulation.days_range]');
    expect(r.stderr).toContain('--policy: Unknown policy pull');
    expect(r.stderr).toContain('nothing was run');
    expect(fs.existsSync(out)).toBe(false);
  });
});
