/**
 * The flow of goods (Sankey), distributor scorecards, store rankings and new-product launches.
 */
import type { Fragment } from 'postgres';
import type { Sql } from '../../db/connection.ts';
import type { Locale } from '../../http/messages.ts';
import { divisionName } from '../parties/index.ts';
import { partyNames } from './dashboards.ts';
import { regionOf, wholeMonths } from './grains.ts';
import { addDays, type Filters, type View } from './view.ts';

const n = (v: unknown) => Number(v ?? 0);
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
const monthEnd = (day: string) => {
  const d = new Date(Date.parse(`${monthOf(day)}T00:00:00Z`));
  d.setUTCMonth(d.getUTCMonth() + 1);
  return addDays(d.toISOString().slice(0, 10), -1);
};

export interface FlowNode {
  id: string;
  name: string;
  kind: string;
}
export interface FlowLink {
  source: string;
  target: string;
  shippedUnits: number;
  receivedUnits: number;
  orderedUnits: number;
  orderedFen: number;
}

/**
 * Goods by order from sellers (factories, warehouses, the brand) to distributors, and from distributors to the
 * provinces of the stores they serve, per month (the range is widened to whole months).
 */
export async function flows(
  sql: Sql,
  f: Filters,
  view: View,
  locale: Locale = 'zh-CN',
): Promise<{ period: { from: string; to: string }; nodes: FlowNode[]; links: FlowLink[] }> {
  const table = f.gtin ? sql`an_flow_sku_month` : sql`an_flow_month`;
  const narrow: Fragment[] = [];
  if (f.gtin) narrow.push(sql`t.gtin = ${f.gtin}`);
  else if (f.category) narrow.push(sql`t.category = ${f.category}`);
  if (f.region) narrow.push(sql`t.buyer_province = ${f.region.provinceCode}`);
  if (view.mode === 'parties')
    narrow.push(sql`(t.seller_party_id = any(${view.ids}::bigint[]) or t.buyer_key = any(${view.ids}::bigint[]))`);
  else if (view.provinces || view.cities) {
    const provinces = [...(view.provinces ?? []), ...(view.cities ?? []).map((c) => c.slice(0, 2))];
    narrow.push(sql`t.buyer_province = any(${provinces}::text[])`);
  }
  const rows = await sql`
    select t.seller_party_id, t.buyer_key, t.buyer_province, sum(t.shipped)::bigint as shipped, sum(t.received)::bigint as received,
      sum(t.ordered_units)::bigint as ordered_units, sum(t.ordered_fen)::bigint as ordered_fen
    from ${table} t
    where t.tenant_id = ${f.tenantId} and t.month between ${monthOf(f.from)}::date and ${monthOf(f.to)}::date
      ${narrow.length ? sql`and ${narrow.reduce((a, b) => sql`${a} and ${b}`)}` : sql``}
    group by 1, 2, 3`;
  const names = await partyNames(sql, f.tenantId, [
    ...new Set(rows.flatMap((r) => [n(r.seller_party_id), n(r.buyer_key)]).filter((id) => id > 0)),
  ]);
  const nodes = new Map<string, FlowNode>();
  const party = (id: number) => {
    const key = `p${id}`;
    const p = names.get(id);
    if (!nodes.has(key)) nodes.set(key, { id: key, name: p?.name ?? String(id), kind: p?.kind ?? 'party' });
    return key;
  };
  const region = (code: string) => {
    const key = `r${code}`;
    if (!nodes.has(key)) nodes.set(key, { id: key, name: divisionName(code, locale) ?? (code || '—'), kind: 'region' });
    return key;
  };
  const links = new Map<string, FlowLink>();
  for (const r of rows) {
    const source = party(n(r.seller_party_id));
    const target = n(r.buyer_key) > 0 ? party(n(r.buyer_key)) : region(String(r.buyer_province));
    if (source === target) continue;
    const k = `${source}>${target}`;
    const l = links.get(k) ?? { source, target, shippedUnits: 0, receivedUnits: 0, orderedUnits: 0, orderedFen: 0 };
    l.shippedUnits += n(r.shipped);
    l.receivedUnits += n(r.received);
    l.orderedUnits += n(r.ordered_units);
    l.orderedFen += n(r.ordered_fen);
    links.set(k, l);
  }
  return {
    period: { from: monthOf(f.from), to: monthEnd(f.to) },
    nodes: [...nodes.values()],
    links: [...links.values()].sort((a, b) => b.shippedUnits - a.shippedUnits || a.source.localeCompare(b.source)),
  };
}

export interface Scorecard {
  partyId: number;
  code: string;
  name: string;
  /** units the distributor shipped away by scan */
  shippedUnits: number;
  /** units its direct downstream (stores, tier-2 distributors) received by scan */
  receivedDownstream: number;
  /** receivedDownstream / shippedUnits (null when nothing was shipped) */
  scanCompliance: number | null;
  diversionAlerts: number;
  /** its orders received, and the mean hours from placing them to receiving them */
  ordersReceived: number;
  avgOrderToReceiptHours: number | null;
  sellInFen: number;
  rebatesFen: number;
}

/**
 * Distributor scorecards. Without a SKU or category they read party x month (the range widened to whole months);
 * with a category, the distributor grain (its own rows and its direct downstream's); with a SKU, party x SKU x day.
 */
export async function scorecards(sql: Sql, f: Filters, view: View): Promise<{ period: { from: string; to: string }; items: Scorecard[] }> {
  const mode = f.gtin ? 'sku' : f.category ? 'category' : 'month';
  const period = mode === 'month' ? { from: monthOf(f.from), to: monthEnd(f.to) } : { from: f.from, to: f.to };
  const ownSums = sql`sum(t.units_out)::bigint as shipped, sum(t.diversions)::bigint as diversions, sum(t.receipts)::bigint as receipts,
    sum(t.receipt_minutes)::bigint as receipt_minutes, sum(t.ordered_fen)::bigint as sell_in_fen, sum(t.rebates_fen)::bigint as rebates_fen`;
  // the distributors to score: those in the view, inside the region
  const region =
    f.region?.level === 1
      ? sql`and p.province_code = ${f.region.code}`
      : f.region?.level === 2
        ? sql`and p.city_code = ${f.region.code}`
        : f.region?.level === 3
          ? sql`and p.district_code = ${f.region.code}`
          : sql``;
  const territory =
    view.mode === 'tenant' && (view.provinces || view.cities)
      ? sql`and (p.province_code = any(${view.provinces ?? []}::text[]) or p.city_code = any(${view.cities ?? []}::text[]))`
      : sql``;
  const scored = await sql<{ id: number }[]>`
    select p.id from parties p where p.tenant_id = ${f.tenantId} and p.kind = 'distributor' ${region} ${territory}
      ${view.mode === 'parties' ? sql`and p.id = any(${view.ids}::bigint[])` : sql``}`;
  const ids = scored.map((r) => n(r.id));
  if (!ids.length) return { period, items: [] };
  const [ownRows, downstream] = await Promise.all([
    mode === 'month'
      ? sql`select t.party_id, ${ownSums} from an_party_month t
          where t.tenant_id = ${f.tenantId} and t.party_id = any(${ids}::bigint[]) and t.month between ${period.from}::date and ${period.to}::date
          group by 1`
      : mode === 'category'
        ? sql`select t.distributor_id as party_id, ${ownSums} from an_dist_day t
            where t.tenant_id = ${f.tenantId} and t.distributor_id = any(${ids}::bigint[]) and t.relation = 'self'
              and t.category = ${f.category} and t.day between ${period.from}::date and ${period.to}::date
            group by 1`
        : sql`select t.party_id, ${ownSums} from an_party_day t
            where t.tenant_id = ${f.tenantId} and t.party_id = any(${ids}::bigint[]) and t.gtin = ${f.gtin}
              and t.day between ${period.from}::date and ${period.to}::date ${f.category ? sql`and t.category = ${f.category}` : sql``}
            group by 1`,
    mode === 'month'
      ? sql`select t.party_id, sum(t.child_received)::bigint as received from an_party_month t
          where t.tenant_id = ${f.tenantId} and t.party_id = any(${ids}::bigint[]) and t.month between ${period.from}::date and ${period.to}::date
          group by 1`
      : mode === 'category'
        ? sql`select t.distributor_id as party_id, sum(t.received_in)::bigint as received from an_dist_day t
            where t.tenant_id = ${f.tenantId} and t.distributor_id = any(${ids}::bigint[]) and t.relation = 'child'
              and t.category = ${f.category} and t.day between ${period.from}::date and ${period.to}::date
            group by 1`
        : sql`select c.parent_id as party_id, sum(t.received_in)::bigint as received
            from an_party_day t join parties c on c.tenant_id = t.tenant_id and c.id = t.party_id
            where t.tenant_id = ${f.tenantId} and t.gtin = ${f.gtin} and c.parent_id = any(${ids}::bigint[])
              and t.day between ${period.from}::date and ${period.to}::date ${f.category ? sql`and t.category = ${f.category}` : sql``}
            group by 1`,
  ]);
  const received = new Map(downstream.map((r) => [n(r.party_id), n(r.received)]));
  const active = ownRows.map((r) => n(r.party_id));
  const names = await partyNames(sql, f.tenantId, active);
  const items = ownRows.map((r) => {
    const id = n(r.party_id);
    const shipped = n(r.shipped);
    const down = received.get(id) ?? 0;
    const receipts = n(r.receipts);
    return {
      partyId: id,
      code: names.get(id)?.code ?? String(id),
      name: names.get(id)?.name ?? '',
      shippedUnits: shipped,
      receivedDownstream: down,
      scanCompliance: shipped > 0 ? Math.round((down / shipped) * 10_000) / 10_000 : null,
      diversionAlerts: n(r.diversions),
      ordersReceived: receipts,
      avgOrderToReceiptHours: receipts > 0 ? Math.round((n(r.receipt_minutes) / receipts / 60) * 10) / 10 : null,
      sellInFen: n(r.sell_in_fen),
      rebatesFen: n(r.rebates_fen),
    };
  });
  items.sort((a, b) => b.shippedUnits - a.shippedUnits || a.code.localeCompare(b.code));
  return { period, items };
}

export interface StoreRank {
  rank: number;
  partyId: number;
  code: string;
  name: string;
  cityCode: string;
  sellOutUnits: number;
  consumerScans: number;
  receivedUnits: number;
}

/** How a ranking was read: the kept order of one month's store rows, or an aggregate of month or day rows. */
export type RankingSource = 'an_party_month_store_top' | 'an_party_month' | 'an_party_day';

/**
 * Whether the kept order of a month's store rows (index `an_party_month_store_top`, migration 0031) answers the
 * ranking exactly: one whole month, the brand's whole channel (no region, SKU, category or party, a viewer who
 * sees the whole tenant). Anything narrower could find fewer than N of its stores among the first entries, so it
 * reads the exact aggregate instead.
 */
export function readsKeptTop(f: Filters, view: View): boolean {
  return (
    wholeMonths(f) &&
    monthOf(f.from) === monthOf(f.to) &&
    !f.gtin &&
    !f.category &&
    !f.region &&
    !f.party &&
    view.mode === 'tenant' &&
    view.provinces == null &&
    view.cities == null
  );
}

/**
 * Stores ranked by units sold (sell-scans), then consumer scans, then party id (so ties always break the same way),
 * with units received. The brand's national ranking of one month reads the first `limit` entries of the kept order
 * (one row per store and month, so the same figures as the aggregate); every other request aggregates party x month
 * (whole months) or party x SKU x day rows inside its filters and scope. `exact` forces the aggregate (tests
 * compare both).
 */
export async function storeRankings(
  sql: Sql,
  f: Filters,
  view: View,
  limit: number,
  opts: { exact?: boolean } = {},
): Promise<{ grain: RankingSource; items: StoreRank[] }> {
  const months = wholeMonths(f) && !f.gtin && !f.category;
  const scope =
    view.mode === 'parties' ? sql`t.party_id = any(${view.ids}::bigint[]) and ${regionOf(sql, f, view)}` : regionOf(sql, f, view);
  const grain: RankingSource =
    !opts.exact && readsKeptTop(f, view) ? 'an_party_month_store_top' : months ? 'an_party_month' : 'an_party_day';
  const rows =
    grain === 'an_party_month_store_top'
      ? // the order by is the index's, and the kind the index's predicate: PostgreSQL reads its first `limit` entries
        await sql`
        select t.party_id, t.city_code, t.units_out as sold, t.scans, t.received_in as received
        from an_party_month t
        where t.tenant_id = ${f.tenantId} and t.month = ${f.from}::date and t.kind = 'store'
        order by t.units_out desc, t.scans desc, t.party_id limit ${limit}`
      : grain === 'an_party_month'
        ? await sql`
        select t.party_id, max(t.city_code) as city_code, sum(t.units_out)::bigint as sold, sum(t.scans)::bigint as scans,
          sum(t.received_in)::bigint as received
        from an_party_month t
        where t.tenant_id = ${f.tenantId} and t.kind = 'store' and t.month between ${f.from}::date and ${f.to}::date and ${scope}
        group by 1 order by sold desc, scans desc, t.party_id limit ${limit}`
        : await sql`
        select t.party_id, max(t.city_code) as city_code, sum(t.units_out)::bigint as sold, sum(t.scans)::bigint as scans,
          sum(t.received_in)::bigint as received
        from an_party_day t
        where t.tenant_id = ${f.tenantId} and t.kind = 'store' and t.day between ${f.from}::date and ${f.to}::date and ${scope}
          ${f.gtin ? sql`and t.gtin = ${f.gtin}` : sql``} ${f.category ? sql`and t.category = ${f.category}` : sql``}
        group by 1 order by sold desc, scans desc, t.party_id limit ${limit}`;
  const names = await partyNames(
    sql,
    f.tenantId,
    rows.map((r) => n(r.party_id)),
  );
  return {
    grain,
    items: rows.map((r, i) => ({
      rank: i + 1,
      partyId: n(r.party_id),
      code: names.get(n(r.party_id))?.code ?? '',
      name: names.get(n(r.party_id))?.name ?? '',
      cityCode: String(r.city_code ?? ''),
      sellOutUnits: n(r.sold),
      consumerScans: n(r.scans),
      receivedUnits: n(r.received),
    })),
  };
}

export interface LaunchSide {
  stores: number;
  soldUnits: number;
  /** units sold per store carrying the SKU per day */
  velocity: number;
}

/**
 * A new product's sell-through velocity in the pilot stores (the region or party named) against comparable
 * stores (every other store in the viewer's scope that carries it): units sold per carrying store per day.
 */
export async function launch(
  sql: Sql,
  f: Filters & { gtin: string },
  scopeView: View,
  pilot: Fragment,
): Promise<{
  pilot: LaunchSide;
  comparable: LaunchSide;
  ratio: number | null;
  series: { day: string; pilot: number; comparable: number }[];
}> {
  const scope =
    scopeView.mode === 'parties' ? sql`t.party_id = any(${scopeView.ids}::bigint[])` : regionOf(sql, { ...f, region: null }, scopeView);
  // One read of the SKU's store rows in the range, summed in SQL: per side the carrying stores (any row, even of
  // 0 units sold) and the units sold, and per side and day the units sold (a day with rows of either side is in the
  // series). The rows' columns are all in the covering index an_party_day_store_sku (migration 0033), so the read is
  // an index-only scan in (SKU, day) order; docs/ANALYTICS.md "Launches".
  const rows = await sql<{ pilot: boolean; day: string | null; stores: string | null; sold: string }[]>`
    with r as materialized (
      select t.day, (${pilot}) as pilot, t.party_id, t.units_out
      from an_party_day t
      where t.tenant_id = ${f.tenantId} and t.gtin = ${f.gtin} and t.kind = 'store' and t.day between ${f.from}::date and ${f.to}::date
        and ${scope})
    select r.pilot, null as day, count(distinct r.party_id)::bigint as stores, sum(r.units_out)::bigint as sold from r group by 1
    union all
    select r.pilot, to_char(r.day, 'YYYY-MM-DD'), null, sum(r.units_out)::bigint from r group by 1, r.day`;
  const sides = { pilot: 0, comparable: 0 };
  const sold = { pilot: 0, comparable: 0 };
  const byDay = new Map<string, { pilot: number; comparable: number }>();
  for (const r of rows) {
    const side = r.pilot ? 'pilot' : 'comparable';
    if (r.day == null) {
      sides[side] = n(r.stores);
      sold[side] = n(r.sold);
      continue;
    }
    const d = byDay.get(r.day) ?? { pilot: 0, comparable: 0 };
    d[side] += n(r.sold);
    byDay.set(r.day, d);
  }
  const side = (k: 'pilot' | 'comparable'): LaunchSide => ({
    stores: sides[k],
    soldUnits: sold[k],
    velocity: sides[k] ? Math.round((sold[k] / sides[k] / f.days) * 10_000) / 10_000 : 0,
  });
  const p = side('pilot');
  const c = side('comparable');
  const per = (units: number, stores: number) => (stores ? Math.round((units / stores) * 10_000) / 10_000 : 0);
  return {
    pilot: p,
    comparable: c,
    ratio: c.velocity > 0 ? Math.round((p.velocity / c.velocity) * 1000) / 1000 : null,
    series: [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, v]) => ({ day, pilot: per(v.pilot, p.stores), comparable: per(v.comparable, c.stores) })),
  };
}
