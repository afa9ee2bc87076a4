/**
 * What a run reports, per policy. Definitions (docs/PLANNING.md, "Channel simulator"):
 * - fill rate: units sold / units demanded by consumers at the stores (lost sales are not backordered);
 * - stock-out rate: of the store x SKU x days with consumer demand, the share where the shelf ran out before the
 *   day's demand was met (some or all of it lost);
 * - stock turns of a level: its units out over the run, annualised (x 365 / days), / its average stock on hand
 *   (end of day); the channel's: consumer sales annualised / the average of all three levels' stock on hand
 *   (stock in transit is not counted at any level). Units are costed alike, so cost of goods sold is units;
 * - order cycle time: days from placing an order to receiving it, averaged over the order lines received (a line
 *   is one SKU of one order); the brand's production orders are not orders in the channel and are left out of the
 *   channel's figure; the month-end push is not an order (nobody ordered it).
 */
import type { Level, PolicyEngine } from './engine.ts';
import { LEVELS } from './engine.ts';
import { type PolicyName, TARGETS } from './params.ts';

export interface LevelResult {
  averageStock: number;
  unitsOut: number;
  stockTurns: number | null;
  orderLines: number;
  orderedUnits: number;
  cancelledUnits: number;
  orderCycleDays: number | null;
}

export interface TargetCheck {
  value: number | null;
  target: number;
  /** `min`: value must reach the target; `max`: value must stay below it */
  kind: 'min' | 'max';
  met: boolean;
}

export interface PolicyResult {
  policy: PolicyName;
  demandUnits: number;
  soldUnits: number;
  lostUnits: number;
  fillRate: number;
  stockOutRate: number;
  stockOutDays: number;
  demandDays: number;
  pushedUnits: number;
  stockTurns: number | null;
  orderCycleDays: number | null;
  averageStock: number;
  levels: Record<Level, LevelResult>;
  targets: { stockTurns: TargetCheck; stockOutRate: TargetCheck; orderCycleDays: TargetCheck };
  /** daily end-of-day stock per level, and the fill rate per week, for the charts */
  series: { stock: Record<Level, number[]>; weeklyFillRate: number[] };
}

export interface SimulationResult {
  params: {
    days: number;
    distributors: number;
    stores: number;
    skus: number;
    seed: number;
    mode: string;
  };
  demandSource: 'm5-tiny' | 'synthetic';
  policies: PolicyResult[];
  elapsedMs: number;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

export function summarise(e: PolicyEngine, days: number): PolicyResult {
  const year = 365 / days;
  const levels = {} as Record<Level, LevelResult>;
  let totalStock = 0;
  let channelLines = 0;
  let channelCycle = 0;
  for (const level of LEVELS) {
    const t = e.tiers[level];
    const averageStock = t.stockDays / days;
    totalStock += averageStock;
    if (level !== 'brand') {
      channelLines += t.received;
      channelCycle += t.cycleSum;
    }
    levels[level] = {
      averageStock: round(averageStock, 2),
      unitsOut: t.outflow,
      stockTurns: averageStock > 0 ? round((t.outflow * year) / averageStock, 3) : null,
      orderLines: t.orderLines,
      orderedUnits: t.orderedUnits,
      cancelledUnits: t.cancelledUnits,
      orderCycleDays: t.received ? round(t.cycleSum / t.received, 3) : null,
    };
  }
  const stockTurns = totalStock > 0 ? round((e.sold * year) / totalStock, 3) : null;
  const stockOutRate = e.demandDays ? round(e.stockOutDays / e.demandDays, 5) : 0;
  const orderCycleDays = channelLines ? round(channelCycle / channelLines, 3) : null;
  return {
    policy: e.policy.name,
    demandUnits: e.demand,
    soldUnits: e.sold,
    lostUnits: e.demand - e.sold,
    fillRate: e.demand ? round(e.sold / e.demand, 5) : 1,
    stockOutRate,
    stockOutDays: e.stockOutDays,
    demandDays: e.demandDays,
    pushedUnits: e.pushed,
    stockTurns,
    orderCycleDays,
    averageStock: round(totalStock, 2),
    levels,
    targets: {
      stockTurns: { value: stockTurns, target: TARGETS.stockTurns, kind: 'min', met: (stockTurns ?? 0) >= TARGETS.stockTurns },
      stockOutRate: { value: stockOutRate, target: TARGETS.stockOutRate, kind: 'max', met: stockOutRate < TARGETS.stockOutRate },
      orderCycleDays: {
        value: orderCycleDays,
        target: TARGETS.orderCycleDays,
        kind: 'max',
        met: orderCycleDays !== null && orderCycleDays < TARGETS.orderCycleDays,
      },
    },
    series: {
      stock: {
        brand: Array.from(e.series.brand),
        distributors: Array.from(e.series.distributors),
        stores: Array.from(e.series.stores),
      },
      weeklyFillRate: e.weeklyFill.map((x) => round(x, 4)),
    },
  };
}

/** The side-by-side table the CLI prints. */
export function formatTable(r: SimulationResult): string {
  const cols = r.policies;
  const fmt = (x: number | null, d = 2) =>
    x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);
  const mark = (c: TargetCheck) => (c.met ? ' ✓' : ' ✗');
  const rows: [string, ...string[]][] = [
    ['', ...cols.map((c) => c.policy)],
    ['fill rate', ...cols.map((c) => pct(c.fillRate))],
    ['stock-out rate (target < 5%)', ...cols.map((c) => pct(c.stockOutRate) + mark(c.targets.stockOutRate))],
    ['stock turns, channel (target >= 6)', ...cols.map((c) => fmt(c.stockTurns) + mark(c.targets.stockTurns))],
    ...LEVELS.map((l): [string, ...string[]] => [`  turns: ${l}`, ...cols.map((c) => fmt(c.levels[l].stockTurns))]),
    ['order cycle, days (target < 2)', ...cols.map((c) => fmt(c.orderCycleDays) + mark(c.targets.orderCycleDays))],
    ...(['distributors', 'stores'] as const).map((l): [string, ...string[]] => [
      `  cycle: ${l}`,
      ...cols.map((c) => fmt(c.levels[l].orderCycleDays)),
    ]),
    ['average stock, units', ...cols.map((c) => fmt(c.averageStock, 0))],
    ...LEVELS.map((l): [string, ...string[]] => [`  stock: ${l}`, ...cols.map((c) => fmt(c.levels[l].averageStock, 0))]),
    ['units demanded', ...cols.map((c) => fmt(c.demandUnits, 0))],
    ['units lost', ...cols.map((c) => fmt(c.lostUnits, 0))],
    ['units pushed at month end', ...cols.map((c) => fmt(c.pushedUnits, 0))],
  ];
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '))
    .join('\n');
}
