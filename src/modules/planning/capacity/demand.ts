/**
 * The demand plan by SKU and week, from the replenishment plans (a pure rule; plans/ has the lines):
 *
 * for each distributor's latest plan that is not rejected, each of the distributor's own lines (its stores are
 * served from its stock, so their lines are not demand on the factories) puts
 *   - its quantity (the agreed one once accepted, else the suggestion) in the week of the plan's first day, and
 *   - its forecast daily demand on every day after the first review period up to the horizon
 *     (as_of + R .. as_of + H − 1), in the week of that day: the replenishment orders still to come.
 */
import { dayNumber, dayOf, mondayOf } from './weeks.ts';

export interface PlanDemandLine {
  sku: string;
  category: string;
  asOf: string;
  reviewDays: number;
  horizonDays: number;
  quantity: number;
  meanDaily: number;
}

export interface WeekDemand {
  sku: string;
  category: string;
  week: string;
  /** from plan quantities */
  planned: number;
  /** from forecasts beyond the plans' first review period */
  forecast: number;
  total: number;
}

export function demandByWeek(lines: PlanDemandLine[], from: string, to: string): WeekDemand[] {
  const lo = dayNumber(mondayOf(from));
  const hi = dayNumber(to);
  const cells = new Map<string, WeekDemand>();
  const add = (l: PlanDemandLine, day: number, planned: number, forecast: number) => {
    if (day < lo || day > hi + 6) return;
    const week = mondayOf(dayOf(day));
    if (dayNumber(week) > hi) return;
    const k = `${l.sku}\u0000${week}`;
    const c = cells.get(k) ?? { sku: l.sku, category: l.category, week, planned: 0, forecast: 0, total: 0 };
    c.planned += planned;
    c.forecast += forecast;
    c.total = c.planned + c.forecast;
    cells.set(k, c);
  };
  for (const l of lines) {
    const start = dayNumber(l.asOf);
    if (l.quantity > 0) add(l, start, l.quantity, 0);
    if (l.meanDaily > 0) for (let d = start + l.reviewDays; d < start + l.horizonDays; d++) add(l, d, 0, l.meanDaily);
  }
  return [...cells.values()]
    .map((c) => ({ ...c, forecast: round2(c.forecast), total: round2(c.planned + c.forecast) }))
    .sort((a, b) => a.week.localeCompare(b.week) || a.sku.localeCompare(b.sku));
}

const round2 = (x: number) => Math.round(x * 100) / 100;
