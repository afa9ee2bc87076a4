/**
 * The lift in sell-out a campaign brought, measured against comparable stores without it (difference in
 * differences): stores in the campaign's regions ("treated") and stores elsewhere that sold the same products in the
 * baseline ("control"), each group's units sold per store and day before and during the campaign. With T and C the
 * ratios during/before of the two groups, lift = T / C - 1: what the campaign's regions sold beyond what the rest of
 * the country's trend (season, price, a holiday) explains.
 *
 * Sell-out is the stores' daily outflow in the sell-through rollup (`sell_through_daily`: a store's units out are
 * its sell-scans), so the report reads a few thousand pre-aggregated rows, never events.
 */
import type { Db } from '../../../context.ts';

export interface LiftQuery {
  tenantId: number;
  /** the campaign's products (unit GTINs); empty = all */
  gtins: string[];
  /** the campaign's regions as division-code prefixes (44, 4401, 440103); empty = the whole country (no control) */
  regionPrefixes: string[];
  /** first and last business day of the campaign (YYYY-MM-DD, inclusive) */
  start: string;
  end: string;
  /** days before `start` that make the baseline (default: as many as the campaign lasts, at least 7) */
  baselineDays?: number;
}

export interface GroupSales {
  stores: number;
  unitsBefore: number;
  unitsDuring: number;
  /** units per store and day */
  rateBefore: number | null;
  rateDuring: number | null;
}

export interface LiftReport {
  baseline: { start: string; end: string };
  campaign: { start: string; end: string };
  treated: GroupSales;
  control: GroupSales;
  /** T / C - 1 (0.12 = 12 % more than comparable stores); null when a group has no stores or no baseline sales */
  lift: number | null;
  /** units per store per day of each group, day by day, for a chart */
  series: { day: string; treated: number; control: number }[];
}

const DAY_MS = 86_400_000;

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The difference-in-differences lift, from the two groups' sales (pure: unit-tested). */
export function liftOf(treated: GroupSales, control: GroupSales): number | null {
  if (!treated.rateBefore || !control.rateBefore || control.rateDuring === null || treated.rateDuring === null) return null;
  const t = treated.rateDuring / treated.rateBefore;
  const c = control.rateDuring / control.rateBefore;
  return c === 0 ? null : t / c - 1;
}

export async function sellOutLift(sql: Db, q: LiftQuery): Promise<LiftReport> {
  const campaignDays = daysBetween(q.start, q.end);
  const baselineDays = q.baselineDays ?? Math.max(7, campaignDays);
  const baseStart = addDays(q.start, -baselineDays);
  const baseEnd = addDays(q.start, -1);
  const rows = await sql<{ treated: boolean; day: string; stores: number; units: string }[]>`
    with stores as (
      select p.id, (cardinality(${q.regionPrefixes}::text[]) = 0
        or exists (select 1 from unnest(${q.regionPrefixes}::text[]) r where p.division_code like r || '%')) as treated
      from parties p where p.tenant_id = ${q.tenantId} and p.kind = 'store'
    ), sales as (
      select s.holder_party_id, s.day, sum(s.units_out) as units from sell_through_daily s
      where s.tenant_id = ${q.tenantId} and s.day between ${baseStart}::date and ${q.end}::date
        and (cardinality(${q.gtins}::text[]) = 0 or s.gtin = any(${q.gtins}::bpchar[]))
        and s.holder_party_id in (select id from stores)
      group by 1, 2
    ), active as (
      -- both groups are the stores that sold the products in the baseline: a store that never carried them says
      -- nothing about a trend (so a store the campaign brought to stock them is not counted: the lift is a floor)
      select distinct holder_party_id as id from sales where day <= ${baseEnd}::date
    )
    select st.treated, s.day::text as day, count(distinct s.holder_party_id)::int as stores, sum(s.units)::text as units
    from sales s join stores st on st.id = s.holder_party_id
    where s.holder_party_id in (select id from active)
    group by 1, 2 order by 2`;
  const [counts] = await sql<{ treated: number; control: number }[]>`
    with stores as (
      select p.id, (cardinality(${q.regionPrefixes}::text[]) = 0
        or exists (select 1 from unnest(${q.regionPrefixes}::text[]) r where p.division_code like r || '%')) as treated
      from parties p where p.tenant_id = ${q.tenantId} and p.kind = 'store'
    ), sold as (
      select distinct s.holder_party_id as id from sell_through_daily s
      where s.tenant_id = ${q.tenantId} and s.day between ${baseStart}::date and ${baseEnd}::date
        and (cardinality(${q.gtins}::text[]) = 0 or s.gtin = any(${q.gtins}::bpchar[]))
    )
    select count(*) filter (where st.treated and st.id in (select id from sold))::int as treated,
      count(*) filter (where not st.treated and st.id in (select id from sold))::int as control
    from stores st`;
  const group = (treated: boolean): GroupSales => {
    const stores = treated ? (counts?.treated ?? 0) : (counts?.control ?? 0);
    let before = 0;
    let during = 0;
    for (const r of rows)
      if (r.treated === treated) {
        if (r.day < q.start) before += Number(r.units);
        else during += Number(r.units);
      }
    return {
      stores,
      unitsBefore: before,
      unitsDuring: during,
      rateBefore: stores ? before / stores / baselineDays : null,
      rateDuring: stores ? during / stores / campaignDays : null,
    };
  };
  const treated = group(true);
  const control = group(false);
  const series: LiftReport['series'] = [];
  for (let day = baseStart; day <= q.end; day = addDays(day, 1)) {
    const of = (t: boolean, n: number) => {
      const r = rows.find((x) => x.treated === t && x.day === day);
      return r && n ? Number(r.units) / n : 0;
    };
    series.push({ day, treated: of(true, treated.stores), control: of(false, control.stores) });
  }
  return {
    baseline: { start: baseStart, end: baseEnd },
    campaign: { start: q.start, end: q.end },
    treated,
    control,
    lift: q.regionPrefixes.length ? liftOf(treated, control) : null,
    series,
  };
}
