/**
 * Store and clerk rankings for a period (a campaign's, or any): stores by units sold (their sell-scans, from the
 * daily sell-through rollup), clerks by units they sell-scanned that were delivered to their store (a unit scanned
 * as sold elsewhere than where it was delivered is counted in the scan's warnings, not in the ranking).
 */
import type { Db } from '../../../context.ts';

export interface RankingQuery {
  tenantId: number;
  gtins: string[];
  regionPrefixes: string[];
  start: string;
  end: string;
  /** only these stores (a distributor's own, for its data scope); null = all */
  storeIds: number[] | null;
  limit: number;
}

export interface StoreRank {
  rank: number;
  storeId: number;
  code: string;
  name: string;
  divisionCode: string | null;
  units: number;
}

export interface ClerkRank {
  rank: number;
  userId: number;
  name: string;
  storeCode: string;
  storeName: string;
  units: number;
  scans: number;
}

export async function storeRanking(sql: Db, q: RankingQuery): Promise<StoreRank[]> {
  const rows = await sql<{ id: string; code: string; name: string; division_code: string | null; units: string }[]>`
    select p.id, p.code, p.name, p.division_code, sum(s.units_out)::text as units
    from sell_through_daily s join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id and p.kind = 'store'
    where s.tenant_id = ${q.tenantId} and s.day between ${q.start}::date and ${q.end}::date
      and (cardinality(${q.gtins}::text[]) = 0 or s.gtin = any(${q.gtins}::bpchar[]))
      and (cardinality(${q.regionPrefixes}::text[]) = 0
        or exists (select 1 from unnest(${q.regionPrefixes}::text[]) r where p.division_code like r || '%'))
      and (${q.storeIds === null} or p.id = any(${q.storeIds ?? []}::bigint[]))
    group by p.id, p.code, p.name, p.division_code order by sum(s.units_out) desc, p.code limit ${q.limit}`;
  return rows.map((r, i) => ({
    rank: i + 1,
    storeId: Number(r.id),
    code: r.code,
    name: r.name,
    divisionCode: r.division_code,
    units: Number(r.units),
  }));
}

/**
 * Clerks by units sold, from their sell scans (`scans` of kind 'sell': the outcome holds the codes counted and the
 * warnings, one per unit not delivered to the store). Products are not told apart here: a sell scan's outcome does
 * not keep its codes' products; the channel-incentive ledger does, per unit, where a clerk bonus is paid.
 */
export async function clerkRanking(sql: Db, q: RankingQuery): Promise<ClerkRank[]> {
  const rows = await sql<{ id: string; name: string; store_code: string; store_name: string; units: string; scans: number }[]>`
    with sells as (
      select substring(s.actor from '^user:(\\d+)$')::bigint as user_id,
        (s.outcome->>'codes')::int - coalesce((select count(*) from jsonb_array_elements(s.outcome->'warnings') w
          where w->>'code' = 'sell.not_delivered_here'), 0)::int as units
      from scans s
      where s.tenant_id = ${q.tenantId} and s.kind = 'sell'
        and s.created_at >= (${q.start}::date)::timestamp at time zone 'Asia/Shanghai'
        and s.created_at < (${q.end}::date + 1)::timestamp at time zone 'Asia/Shanghai'
    )
    select u.id, u.display_name as name, p.code as store_code, p.name as store_name, sum(x.units)::text as units, count(*)::int as scans
    from sells x join users u on u.tenant_id = ${q.tenantId} and u.id = x.user_id
    join parties p on p.tenant_id = u.tenant_id and p.id = u.party_id and p.kind = 'store'
    where (cardinality(${q.regionPrefixes}::text[]) = 0
        or exists (select 1 from unnest(${q.regionPrefixes}::text[]) r where p.division_code like r || '%'))
      and (${q.storeIds === null} or p.id = any(${q.storeIds ?? []}::bigint[]))
    group by u.id, u.display_name, p.code, p.name having sum(x.units) > 0
    order by sum(x.units) desc, u.id limit ${q.limit}`;
  return rows.map((r, i) => ({
    rank: i + 1,
    userId: Number(r.id),
    name: r.name,
    storeCode: r.store_code,
    storeName: r.store_name,
    units: Number(r.units),
    scans: r.scans,
  }));
}
