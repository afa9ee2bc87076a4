/**
 * Which fact table answers a request, and the WHERE that narrows it to the filters and the viewer's view.
 *
 * | grain | table            | key                              | read when                                      |
 * | P     | an_province_day  | province x level x day            | the brand or provinces, no SKU, no city        |
 * | PC    | an_province_cat_day | category x province x level x day | the same, one category                     |
 * | PS    | an_province_sku_day | province x level x SKU x day   | the brand or provinces, one SKU, no city       |
 * | C     | an_city_day      | city x level x SKU x day          | a SKU or a city is named, or a rep has cities  |
 * | D     | an_dist_day      | distributor x level x category x day | a whole distributor subtree, no SKU, no region |
 * | A     | an_party_day     | party x SKU x day                 | any other set of parties (a store, a district)  |
 */
import type { Fragment } from 'postgres';
import type { Sql } from '../../db/connection.ts';
import type { Filters, View } from './view.ts';

export type Grain = 'P' | 'PC' | 'PS' | 'C' | 'D' | 'A';

export const TABLE: Record<Grain, string> = {
  P: 'an_province_day',
  PC: 'an_province_cat_day',
  PS: 'an_province_sku_day',
  C: 'an_city_day',
  D: 'an_dist_day',
  A: 'an_party_day',
};

export function dailyGrain(f: Filters, view: View): Grain {
  if (view.mode === 'parties') return view.subtree && view.root?.kind === 'distributor' && !f.gtin && !f.region ? 'D' : 'A';
  if ((f.region && f.region.level >= 2) || view.cities?.length) return 'C';
  return provinceGrain(f);
}

/** The province grain that holds the filter: per SKU, per category, or all. */
export function provinceGrain(f: Filters): Grain {
  return f.gtin ? 'PS' : f.category ? 'PC' : 'P';
}

/** The rows of grain `g` inside the filters and the view, between `from` and `to` (days, inclusive). */
export function whereOf(sql: Sql, g: Grain, f: Filters, view: View, from = f.from, to = f.to): Fragment {
  const parts: Fragment[] = [sql`t.tenant_id = ${f.tenantId} and t.day between ${from}::date and ${to}::date`];
  if (f.category && g !== 'P') parts.push(sql`t.category = ${f.category}`);
  if (f.gtin && (g === 'C' || g === 'A' || g === 'PS')) parts.push(sql`t.gtin = ${f.gtin}`);
  if (g === 'D' && view.mode === 'parties' && view.root) parts.push(sql`t.distributor_id = ${view.root.id}`);
  if (g === 'A' && view.mode === 'parties') parts.push(sql`t.party_id = any(${view.ids}::bigint[])`);
  if (g !== 'D') parts.push(regionOf(sql, f, view, g === 'P' || g === 'PC' || g === 'PS'));
  return parts.reduce((a, b) => sql`${a} and ${b}`);
}

/** Region narrowing on a table with province_code (and city_code unless `provinceOnly`). */
export function regionOf(sql: Sql, f: Filters, view: View, provinceOnly = false): Fragment {
  const parts: Fragment[] = [];
  if (f.region?.level === 1) parts.push(sql`t.province_code = ${f.region.code}`);
  if (f.region?.level === 2 && !provinceOnly) parts.push(sql`t.city_code = ${f.region.code}`);
  if (view.mode === 'tenant' && (view.provinces || view.cities)) {
    const provinces = view.provinces ?? [];
    const cities = view.cities ?? [];
    parts.push(
      provinceOnly
        ? sql`t.province_code = any(${provinces}::text[])`
        : sql`(t.province_code = any(${provinces}::text[]) or t.city_code = any(${cities}::text[]))`,
    );
  }
  return parts.length ? parts.reduce((a, b) => sql`${a} and ${b}`) : sql`true`;
}

/** The channel's figures as sums over rows of any grain (each row has a `kind`: the level of the channel). */
export const channelSums = (sql: Sql) => sql`
  coalesce(sum(t.ordered_fen) filter (where t.kind = 'distributor'), 0)::bigint as sell_in_fen,
  coalesce(sum(t.shipped_in) filter (where t.kind = 'distributor'), 0)::bigint as sell_in_units,
  coalesce(sum(t.received_in) filter (where t.kind = 'distributor'), 0)::bigint as sell_in_received,
  coalesce(sum(t.units_out) filter (where t.kind = 'distributor'), 0)::bigint as sell_through_units,
  coalesce(sum(t.received_in) filter (where t.kind = 'store'), 0)::bigint as sell_through_received,
  coalesce(sum(t.units_out) filter (where t.kind = 'store'), 0)::bigint as sell_out_units,
  coalesce(sum(t.scans) filter (where t.kind = 'store'), 0)::bigint as consumer_scans`;

export interface ChannelFigures {
  sellInFen: number;
  sellInUnits: number;
  sellInReceived: number;
  sellThroughUnits: number;
  sellThroughReceived: number;
  sellOutUnits: number;
  consumerScans: number;
}

export function figures(r: Record<string, unknown>): ChannelFigures {
  return {
    sellInFen: Number(r.sell_in_fen ?? 0),
    sellInUnits: Number(r.sell_in_units ?? 0),
    sellInReceived: Number(r.sell_in_received ?? 0),
    sellThroughUnits: Number(r.sell_through_units ?? 0),
    sellThroughReceived: Number(r.sell_through_received ?? 0),
    sellOutUnits: Number(r.sell_out_units ?? 0),
    consumerScans: Number(r.consumer_scans ?? 0),
  };
}

/** Whole months inside [from, to]: the party x month grain answers exactly then. */
export function wholeMonths(f: Filters): boolean {
  const next = new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000);
  return f.from.endsWith('-01') && next.getUTCDate() === 1;
}
