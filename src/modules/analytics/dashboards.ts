/**
 * The dashboard queries: each reads pre-aggregated facts (grains.ts) inside the filters and the viewer's view.
 */
import type { Sql } from '../../db/connection.ts';
import type { Locale } from '../../http/messages.ts';
import { businessToday } from '../inventory/index.ts';
import { regionName as divisionRegionName } from '../parties/index.ts';
import { type ChannelFigures, channelSums, dailyGrain, figures, provinceGrain, regionOf, TABLE, whereOf, wholeMonths } from './grains.ts';
import { LEVELS } from './measures.ts';
import { addDays, type Filters, nextLevel, type View } from './view.ts';

const n = (v: unknown) => Number(v ?? 0);
/**
 * A region's name in the reader's language (its code when it is not a division). A municipality's city row reads as
 * the municipality (北京市, not 市辖区: parties/divisions.ts regionName).
 */
const regionName = (code: string, locale: Locale) => divisionRegionName(code, locale) ?? code;

export interface BreakdownRow extends ChannelFigures {
  level: 'province' | 'city' | 'party';
  code: string;
  name: string;
  /** the party's id (drill into it with ?party=) */
  partyId: number | null;
  kind: string | null;
}

/** Channel figures per next level down (provinces, cities in a province, parties in a city or a view of parties). */
async function breakdown(sql: Sql, f: Filters, view: View, locale: Locale): Promise<BreakdownRow[]> {
  const level = nextLevel(f, view);
  if (level !== 'party') {
    const g = level === 'province' && !(view.mode === 'tenant' && view.cities?.length) ? provinceGrain(f) : 'C';
    const key = level === 'province' ? sql`t.province_code` : sql`t.city_code`;
    const rows = await sql`
      select ${key} as code, ${channelSums(sql)} from ${sql(TABLE[g])} t where ${whereOf(sql, g, f, view)}
      group by 1 order by sell_out_units desc, code`;
    return rows.map((r) => ({
      level,
      code: String(r.code),
      name: regionName(String(r.code), locale),
      partyId: null,
      kind: null,
      ...figures(r),
    }));
  }
  // parties: whole months read party x month, otherwise party x SKU x day
  const months = wholeMonths(f) && !f.gtin && !f.category;
  const rows = months
    ? await sql`
        select t.party_id, ${channelSums(sql)} from an_party_month t
        where t.tenant_id = ${f.tenantId} and t.month between ${f.from}::date and ${f.to}::date
          and ${partyNarrowing(sql, f, view)}
        group by 1 order by sell_out_units desc, sell_in_fen desc limit 500`
    : await sql`
        select t.party_id, ${channelSums(sql)} from an_party_day t
        where ${whereOf(sql, 'A', f, view)} ${view.mode === 'tenant' ? sql`` : sql``}
        group by 1 order by sell_out_units desc, sell_in_fen desc limit 500`;
  const names = await partyNames(
    sql,
    f.tenantId,
    rows.map((r) => n(r.party_id)),
  );
  return rows.map((r) => {
    const p = names.get(n(r.party_id));
    return {
      level,
      code: p?.code ?? String(r.party_id),
      name: p?.name ?? '',
      partyId: n(r.party_id),
      kind: p?.kind ?? null,
      ...figures(r),
    };
  });
}

/** Narrowing of a party-keyed table (alias t with party_id, province_code, city_code) to the view and region. */
function partyNarrowing(sql: Sql, f: Filters, view: View) {
  return view.mode === 'parties' ? sql`t.party_id = any(${view.ids}::bigint[]) and ${regionOf(sql, f, view)}` : regionOf(sql, f, view);
}

export async function partyNames(sql: Sql, tenantId: number, ids: number[]) {
  if (!ids.length) return new Map<number, { code: string; name: string; kind: string }>();
  const rows = await sql<{ id: number; code: string; name: string; kind: string }[]>`
    select id, code, name, kind from parties where tenant_id = ${tenantId} and id = any(${ids}::bigint[])`;
  return new Map(rows.map((r) => [Number(r.id), { code: r.code, name: r.name, kind: r.kind }]));
}

export interface Overview {
  grain: string;
  totals: ChannelFigures;
  series: ({ day: string } & ChannelFigures)[];
  breakdown: BreakdownRow[];
}

/** Sell-in, sell-through and sell-out: daily series, totals, and the next level down. */
export async function overview(sql: Sql, f: Filters, view: View, locale: Locale = 'zh-CN'): Promise<Overview> {
  const g = dailyGrain(f, view);
  const [series, rows] = await Promise.all([
    sql`
      select to_char(t.day, 'YYYY-MM-DD') as day, ${channelSums(sql)} from ${sql(TABLE[g])} t
      where ${whereOf(sql, g, f, view)} group by t.day order by t.day`,
    breakdown(sql, f, view, locale),
  ]);
  const s = series.map((r) => ({ day: String(r.day), ...figures(r) }));
  const totals = s.reduce((a, r) => {
    for (const k of Object.keys(a) as (keyof ChannelFigures)[]) a[k] += r[k];
    return a;
  }, figures({}));
  return { grain: TABLE[g], totals, series: s, breakdown: rows };
}

export interface StockLevel {
  level: string;
  /** stock now (the stock projection has no past days) */
  onHand: number;
  inTransit: number;
  /** units out per day, mean over the DOS_WINDOW days ending today (so far): the days that end where the stock stands */
  dailyOut: number;
  /** on hand now / daily out over the days up to now; null when nothing went out */
  daysOfSupply: number | null;
}

/** What the stock figures stand at: the stock at `stockAt`, the daily outflow over the days `from`..`to` (today). */
export interface StockBasis {
  stockAt: string;
  dailyOutFrom: string;
  dailyOutTo: string;
  days: number;
}

export const DOS_WINDOW = 28;

/**
 * Stock now and days of supply at each level of the channel, and per next region level. The stock is only known as
 * it is now, so the daily outflow it is divided by is the one up to now too: the DOS_WINDOW days ending today (China
 * time), whatever period the page is set to. It was the 28 days ending the period's `to`, so a past period divided
 * today's stock by that period's outflow.
 */
export async function stockByLevel(
  sql: Sql,
  f: Filters,
  view: View,
  locale: Locale = 'zh-CN',
  now: Date = new Date(),
): Promise<{
  levels: StockLevel[];
  basis: StockBasis;
  breakdown: { code: string; name: string; level: string; onHand: number; inTransit: number }[];
}> {
  const today = businessToday(now);
  const window = { ...f, from: addDays(today, -(DOS_WINDOW - 1)), to: today };
  const g = dailyGrain(window, view);
  const outQ = sql`
    select t.kind, sum(t.units_out)::bigint as out from ${sql(TABLE[g])} t where ${whereOf(sql, g, window, view)} group by 1`;
  const group = nextLevel(f, view);
  const stockQ =
    view.mode === 'tenant'
      ? sql`
        select t.kind, ${group === 'province' ? sql`t.province_code` : sql`t.city_code`} as code,
          sum(t.on_hand)::bigint as on_hand, sum(t.in_transit)::bigint as in_transit
        from an_stock_city t
        where t.tenant_id = ${f.tenantId} and ${regionOf(sql, f, view)}
          ${f.gtin ? sql`and t.gtin = ${f.gtin}` : sql``} ${f.category ? sql`and t.category = ${f.category}` : sql``}
        group by 1, 2`
      : sql`
        select p.kind, p.code, sum(s.on_hand)::bigint as on_hand, sum(s.in_transit_in)::bigint as in_transit
        from stock s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
        ${f.category ? sql`join products pr on pr.tenant_id = s.tenant_id and pr.gtin = s.gtin and pr.category = ${f.category}` : sql``}
        where s.tenant_id = ${f.tenantId} and s.holder_party_id = any(${view.ids}::bigint[])
          ${f.gtin ? sql`and s.gtin = ${f.gtin}` : sql``}
          ${f.region?.level === 1 ? sql`and p.province_code = ${f.region.code}` : sql``}
          ${f.region?.level === 2 ? sql`and p.city_code = ${f.region.code}` : sql``}
        group by 1, 2`;
  const [outs, stock] = await Promise.all([outQ, stockQ]);
  const outOf = new Map(outs.map((r) => [String(r.kind), n(r.out)]));
  const levels = LEVELS.map((level) => {
    const rows = stock.filter((r) => r.kind === level);
    const onHand = rows.reduce((a, r) => a + n(r.on_hand), 0);
    const inTransit = rows.reduce((a, r) => a + n(r.in_transit), 0);
    const dailyOut = (outOf.get(level) ?? 0) / DOS_WINDOW;
    return { level, onHand, inTransit, dailyOut, daysOfSupply: dailyOut > 0 ? Math.round((onHand / dailyOut) * 10) / 10 : null };
  }).filter((l) => l.onHand || l.inTransit || l.dailyOut);
  const rows = stock
    .map((r) => ({
      code: String(r.code),
      name: group === 'party' ? String(r.code) : regionName(String(r.code), locale),
      level: String(r.kind),
      onHand: n(r.on_hand),
      inTransit: n(r.in_transit),
    }))
    .sort((a, b) => b.onHand - a.onHand || a.code.localeCompare(b.code))
    .slice(0, 1000);
  const basis = { stockAt: now.toISOString(), dailyOutFrom: window.from, dailyOutTo: window.to, days: DOS_WINDOW };
  return { levels, basis, breakdown: rows };
}

export interface MapRow {
  code: string;
  name: string;
  sellInUnits: number;
  sellOutUnits: number;
  consumerScans: number;
  onHand: number;
  diversionAlerts: number;
}

/** Per province (or per city inside a province): sales, scans, stock and diversion alerts found there. */
export async function regionMap(
  sql: Sql,
  f: Filters,
  view: View,
  locale: Locale = 'zh-CN',
): Promise<{ level: 'province' | 'city'; rows: MapRow[] }> {
  const level: 'province' | 'city' = f.region ? 'city' : 'province';
  const key = level === 'province' ? sql`t.province_code` : sql`t.city_code`;
  const g = view.mode === 'parties' ? 'A' : level === 'province' && !view.cities?.length ? provinceGrain(f) : 'C';
  const [sales, stock, alerts] = await Promise.all([
    sql`select ${key} as code, ${channelSums(sql)} from ${sql(TABLE[g])} t where ${whereOf(sql, g, f, view)} group by 1`,
    view.mode === 'tenant'
      ? sql`
        select ${key} as code, sum(t.on_hand)::bigint as on_hand from an_stock_city t
        where t.tenant_id = ${f.tenantId} and ${regionOf(sql, f, view)}
          ${f.gtin ? sql`and t.gtin = ${f.gtin}` : sql``} ${f.category ? sql`and t.category = ${f.category}` : sql``}
        group by 1`
      : sql`
        select ${level === 'province' ? sql`p.province_code` : sql`p.city_code`} as code, sum(s.on_hand)::bigint as on_hand
        from stock s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
        ${f.category ? sql`join products pr on pr.tenant_id = s.tenant_id and pr.gtin = s.gtin and pr.category = ${f.category}` : sql``}
        where s.tenant_id = ${f.tenantId} and s.holder_party_id = any(${view.ids}::bigint[]) ${f.gtin ? sql`and s.gtin = ${f.gtin}` : sql``}
          ${f.region ? sql`and p.province_code = ${f.region.provinceCode}` : sql``}
        group by 1`,
    sql`
      select ${key} as code, sum(t.alerts)::bigint as alerts from an_diversion_day t
      where t.tenant_id = ${f.tenantId} and t.day between ${f.from}::date and ${f.to}::date and ${regionOf(sql, f, view)}
        ${view.mode === 'parties' ? sql`and t.distributor_id = any(${view.ids}::bigint[])` : sql``}
      group by 1`,
  ]);
  const rows = new Map<string, MapRow>();
  const row = (code: string) => {
    let r = rows.get(code);
    if (!r) {
      r = { code, name: regionName(code, locale), sellInUnits: 0, sellOutUnits: 0, consumerScans: 0, onHand: 0, diversionAlerts: 0 };
      rows.set(code, r);
    }
    return r;
  };
  for (const s of sales) {
    const r = row(String(s.code));
    const fig = figures(s);
    r.sellInUnits += fig.sellInUnits;
    r.sellOutUnits += fig.sellOutUnits;
    r.consumerScans += fig.consumerScans;
  }
  for (const s of stock) row(String(s.code)).onHand += n(s.on_hand);
  for (const a of alerts) row(String(a.code)).diversionAlerts += n(a.alerts);
  rows.delete('');
  return { level, rows: [...rows.values()].sort((a, b) => b.sellOutUnits - a.sellOutUnits || a.code.localeCompare(b.code)) };
}
