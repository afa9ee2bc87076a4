/**
 * Demand against production capacity by factory and week (a pure rule). Capacity is given per factory and week for
 * a SKU or for a product line (category). A SKU's demand in a week goes to the factories with capacity rows for
 * that SKU that week; when none has one, to those with rows for its product line; shared in proportion to their
 * capacity (evenly when all are 0). Demand no factory makes that week is reported without a factory. Each row:
 * capacity, demand, gap = demand − capacity, and the shortfall max(0, gap): where supply falls short.
 */
import type { WeekDemand } from './demand.ts';

export interface CapacityRow {
  factory: string;
  factoryName: string;
  week: string;
  itemKind: 'sku' | 'category';
  item: string;
  capacity: number;
}

export interface ReportRow {
  factory: string | null;
  factoryName: string | null;
  week: string;
  itemKind: 'sku' | 'category';
  item: string;
  capacity: number;
  demand: number;
  gap: number;
  shortfall: number;
  /** the SKUs whose demand is counted here */
  skus: string[];
}

export function capacityReport(capacity: CapacityRow[], demand: WeekDemand[]): ReportRow[] {
  const key = (r: { factory: string | null; week: string; itemKind: string; item: string }) =>
    `${r.factory ?? ''}\u0000${r.week}\u0000${r.itemKind}\u0000${r.item}`;
  const rows = new Map<string, ReportRow>();
  const byItem = new Map<string, CapacityRow[]>();
  for (const c of capacity) {
    rows.set(key(c), { ...c, demand: 0, gap: 0, shortfall: 0, skus: [] });
    const k = `${c.week}\u0000${c.itemKind}\u0000${c.item}`;
    byItem.set(k, [...(byItem.get(k) ?? []), c]);
  }
  for (const d of demand) {
    if (d.total <= 0) continue;
    const makers = byItem.get(`${d.week}\u0000sku\u0000${d.sku}`) ?? byItem.get(`${d.week}\u0000category\u0000${d.category}`) ?? [];
    if (!makers.length) {
      const k = key({ factory: null, week: d.week, itemKind: 'sku', item: d.sku });
      const r = rows.get(k) ?? {
        factory: null,
        factoryName: null,
        week: d.week,
        itemKind: 'sku' as const,
        item: d.sku,
        capacity: 0,
        demand: 0,
        gap: 0,
        shortfall: 0,
        skus: [d.sku],
      };
      r.demand += d.total;
      rows.set(k, r);
      continue;
    }
    const total = makers.reduce((a, m) => a + m.capacity, 0);
    for (const m of makers) {
      const share = total > 0 ? m.capacity / total : 1 / makers.length;
      const r = rows.get(key(m)) as ReportRow;
      r.demand += d.total * share;
      if (!r.skus.includes(d.sku)) r.skus.push(d.sku);
    }
  }
  return [...rows.values()]
    .map((r) => {
      const demandUnits = Math.round(r.demand * 100) / 100;
      const gap = Math.round((demandUnits - r.capacity) * 100) / 100;
      return { ...r, demand: demandUnits, gap, shortfall: Math.max(0, gap), skus: r.skus.sort() };
    })
    .sort(
      (a, b) =>
        a.week.localeCompare(b.week) ||
        (a.factory ?? '\uffff').localeCompare(b.factory ?? '\uffff') ||
        a.itemKind.localeCompare(b.itemKind) ||
        a.item.localeCompare(b.item),
    );
}
