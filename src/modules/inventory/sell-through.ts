/**
 * Recent sell-through read from the daily rollup (`sell_through_daily`, kept by the trace module's stock
 * projection): units out per holder and product over a window of whole business days, as total and sum of
 * squares, so the mean and the spread of daily demand come from one indexed range per (holder, product).
 */
import type { Db } from '../../context.ts';
import { BUSINESS_TIME_ZONE } from '../trace/sell-through.ts';
import { demandStats } from './order-up-to.ts';

export const DEFAULT_WINDOW_DAYS = 28;

/** The window: `days` whole business days ending the day before `asOf` (today's sales are not complete yet). */
export interface Window {
  days: number;
  /** first day in the window (YYYY-MM-DD) */
  from: string;
  /** the day after the window: the as-of day */
  to: string;
}

/** Today in the brands' business time zone, YYYY-MM-DD (read at the boundary and passed in). */
export function businessToday(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: BUSINESS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function windowOf(asOf: string, days: number): Window {
  const to = new Date(`${asOf}T00:00:00Z`);
  const from = new Date(to.getTime() - days * 86_400_000);
  return { days, from: from.toISOString().slice(0, 10), to: asOf };
}

export interface SellThrough {
  unitsOut: number;
  /** mean units out per day over the window */
  dailyRate: number;
  /** sample standard deviation of the daily units out */
  sigma: number;
}

const key = (holder: number, gtin: string) => `${holder}|${gtin}`;

/** Sell-through of each (holder, unit GTIN) pair over the window, in one statement; pairs with none get zeros. */
export async function sellThroughOf(
  db: Db,
  tenantId: number,
  pairs: { holder: number; gtin: string }[],
  window: Window,
): Promise<(holder: number, gtin: string) => SellThrough> {
  const unique = [...new Map(pairs.map((p) => [key(p.holder, p.gtin), p])).values()];
  const rows = unique.length
    ? await db<{ holder: number; gtin: string; total: string; sq: string }[]>`
        select x.holder::int as holder, x.gtin::text as gtin, coalesce(sum(d.units_out), 0)::text as total,
          coalesce(sum(d.units_out * d.units_out), 0)::text as sq
        from unnest(${unique.map((p) => p.holder)}::bigint[], ${unique.map((p) => p.gtin)}::bpchar[]) as x(holder, gtin)
        left join sell_through_daily d on d.tenant_id = ${tenantId} and d.holder_party_id = x.holder and d.gtin = x.gtin
          and d.day >= ${window.from}::date and d.day < ${window.to}::date
        group by x.holder, x.gtin`
    : [];
  const byKey = new Map(
    rows.map((r) => {
      const total = Number(r.total);
      const stats = demandStats(total, Number(r.sq), window.days);
      return [key(Number(r.holder), r.gtin), { unitsOut: total, dailyRate: stats.mean, sigma: stats.sigma }];
    }),
  );
  return (holder, gtin) => byKey.get(key(holder, gtin)) ?? { unitsOut: 0, dailyRate: 0, sigma: 0 };
}
