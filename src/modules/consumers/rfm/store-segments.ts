/**
 * RFM of a brand's stores from the orders they place with their distributor or the brand: recency = whole days from
 * a store's last order to the snapshot, frequency = its orders, monetary = their amount in fen. Orders rejected or
 * cancelled are no purchase. Stores without an order are not in the population (RFM scores buyers).
 * Scope: the stores the actor sees (partyScope); a distributor counts only the orders placed with itself or the
 * distributors below it, not what its stores buy elsewhere.
 */
import type { RequestContext } from '../../../context.ts';
import { partyScope } from '../../auth/index.ts';
import { type Member, scoreMembers } from './segment-report.ts';

export interface StoreMember extends Member {
  storeId: number;
  code: string;
  name: string;
  provinceCode: string | null;
  cityCode: string | null;
}

export async function storeMembers(ctx: RequestContext): Promise<StoreMember[]> {
  const { sql, actor } = ctx;
  const distributorView = actor.role === 'distributor_admin' || actor.role === 'distributor_staff';
  // the distributor and those below it, as a list first: as a subquery the planner expected ~200 of them (3 here) and
  // read all the brand's orders (1,000,000: 250 ms) instead of each seller's by index (docs/BENCHMARKS.md, segments)
  const sellerIds = distributorView
    ? (await sql<{ id: string }[]>`select p.id::text from parties p where ${partyScope(sql, actor)} and p.kind = 'distributor'`).map(
        (r) => r.id,
      )
    : null;
  const sellers = sellerIds ? sql`and o.seller_party_id = any(${sellerIds}::bigint[])` : sql``;
  const rows = await sql<
    {
      id: string;
      code: string;
      name: string;
      province_code: string | null;
      city_code: string | null;
      last_at: Date;
      orders: number;
      amount: string;
    }[]
  >`
    select p.id::text, p.code, p.name, p.province_code, p.city_code,
           max(o.created_at) as last_at, count(*)::int as orders, sum(o.total_fen)::text as amount
    from parties p
    join orders o on o.tenant_id = p.tenant_id and o.buyer_party_id = p.id
    where ${partyScope(sql, actor)} and p.kind = 'store' and o.status not in ('rejected', 'cancelled') ${sellers}
    group by p.id, p.code, p.name, p.province_code, p.city_code
    order by p.code`;
  return rows.map((r) => ({
    key: r.code,
    storeId: Number(r.id),
    code: r.code,
    name: r.name,
    provinceCode: r.province_code,
    cityCode: r.city_code,
    lastAt: r.last_at,
    frequency: r.orders,
    monetary: Number(r.amount),
  }));
}

export async function storeSegments(ctx: RequestContext) {
  return scoreMembers(await storeMembers(ctx));
}
