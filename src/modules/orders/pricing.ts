/**
 * Price resolution: for a buyer, a product and a quantity, the price and the rule that gave it.
 *
 * Candidates are the active price lists valid on the day that reach the buyer: its seller's base lists, lists for a
 * customer group it belongs to, for a region containing its address, or for the buyer itself. The winner is the
 * list with the highest priority (then the more specific scope: customer > group > region > base; then the seller's
 * own lists before the brand's); within it, the tier with the highest minimum quantity not above the quantity.
 * A buyer in several groups therefore gets the group list the priorities say, never silently the base price.
 * One query fetches every candidate tier for all the products of an order, so 10,000 lines cost one round trip.
 */
import type { Db } from '../../context.ts';

type ListScope = 'base' | 'group' | 'region' | 'customer';

export interface PriceRule {
  /** the price list's id, or the group buy's */
  priceListId: number;
  code: string;
  /** group_buy: the group buy's own price (the order joined a group buy) */
  scope: ListScope | 'group_buy';
  priority: number;
  minQty: number;
}

export interface ResolvedPrice {
  unitPriceFen: number;
  rule: PriceRule;
}

interface Tier {
  price_list_id: number;
  code: string;
  scope: ListScope;
  priority: number;
  own: boolean;
  product_id: number;
  min_qty: number;
  price_fen: number;
}

const SCOPE_RANK = { customer: 3, group: 2, region: 1, base: 0 } as const;

/** One line to price: who buys from whom (null seller: the brand), which product, how many. */
export interface PriceQuery {
  buyerPartyId: number;
  sellerPartyId: number | null;
  productId: number;
  quantity: number;
}

const pairKey = (buyer: number, seller: number | null, product: number) => `${buyer}:${seller ?? 0}:${product}`;

/**
 * The tiers of every list that reaches each (buyer, seller, product), best first. One query for any number of
 * buyers, so a batch of orders from many customers is priced in one round trip as well.
 */
async function candidateTiers(db: Db, tenantId: number, queries: readonly PriceQuery[], day: string) {
  const seen = new Set<string>();
  const buyers: number[] = [];
  const sellers: number[] = [];
  const products: number[] = [];
  for (const q of queries) {
    const k = pairKey(q.buyerPartyId, q.sellerPartyId, q.productId);
    if (seen.has(k)) continue;
    seen.add(k);
    buyers.push(q.buyerPartyId);
    sellers.push(q.sellerPartyId ?? -1);
    products.push(q.productId);
  }
  // per line an index probe into the product's tiers (lateral), so the cost follows the lines, not the lists
  const tiers = await db<(Tier & { buyer: number; seller: number })[]>`
    select x.buyer::int, x.seller::int, t.*
    from unnest(${buyers}::bigint[], ${sellers}::bigint[], ${products}::bigint[]) as x(buyer, seller, product)
    cross join lateral (
      select pl.id::int as price_list_id, pl.code, pl.scope, pl.priority, (pl.seller_party_id is not null) as own,
        i.product_id::int as product_id, i.min_qty, i.price_fen::int as price_fen
      from price_list_items i
      join price_lists pl on pl.tenant_id = i.tenant_id and pl.id = i.price_list_id
      where i.tenant_id = ${tenantId} and i.product_id = x.product and pl.active
        and (pl.seller_party_id is null or pl.seller_party_id = x.seller)
        and (pl.valid_from is null or pl.valid_from <= ${day}::date) and (pl.valid_to is null or pl.valid_to >= ${day}::date)
        and (pl.scope = 'base'
          or (pl.scope = 'customer' and pl.party_id = x.buyer)
          or (pl.scope = 'group' and pl.group_id in (
            select m.group_id from customer_group_members m where m.tenant_id = ${tenantId} and m.party_id = x.buyer))
          or (pl.scope = 'region' and exists (
            select 1 from parties b where b.tenant_id = ${tenantId} and b.id = x.buyer
              and b.division_code like pl.division_code || '%')))
    ) t`;
  tiers.sort(
    (a, b) =>
      b.priority - a.priority ||
      SCOPE_RANK[b.scope] - SCOPE_RANK[a.scope] ||
      Number(b.own) - Number(a.own) ||
      a.price_list_id - b.price_list_id ||
      b.min_qty - a.min_qty,
  );
  const byLine = new Map<string, Tier[]>();
  for (const t of tiers) {
    const k = pairKey(t.buyer, t.seller === -1 ? null : t.seller, t.product_id);
    const list = byLine.get(k);
    if (list) list.push(t);
    else byLine.set(k, [t]);
  }
  return byLine;
}

/**
 * Prices for many lines of many buyers at once (index-aligned with `queries`); null where no list reaching the
 * buyer has the product at that quantity.
 */
export async function resolvePriceQueries(
  db: Db,
  tenantId: number,
  queries: readonly PriceQuery[],
  at: Date = new Date(),
): Promise<(ResolvedPrice | null)[]> {
  if (!queries.length) return [];
  const byLine = await candidateTiers(db, tenantId, queries, at.toISOString().slice(0, 10));
  return queries.map((q) => {
    // the best list that has a tier for this quantity, and its best such tier (tiers sorted best list first)
    const tier = byLine.get(pairKey(q.buyerPartyId, q.sellerPartyId, q.productId))?.find((t) => t.min_qty <= q.quantity);
    if (!tier) return null;
    return {
      unitPriceFen: tier.price_fen,
      rule: { priceListId: tier.price_list_id, code: tier.code, scope: tier.scope, priority: tier.priority, minQty: tier.min_qty },
    };
  });
}

/**
 * Prices for many lines of one buyer at once (index-aligned with `lines`); null where no list reaching the buyer
 * has the product at that quantity.
 */
export function resolvePrices(
  db: Db,
  tenantId: number,
  buyerPartyId: number,
  sellerPartyId: number | null,
  lines: readonly { productId: number; quantity: number }[],
  at: Date = new Date(),
): Promise<(ResolvedPrice | null)[]> {
  return resolvePriceQueries(
    db,
    tenantId,
    lines.map((l) => ({ buyerPartyId, sellerPartyId, productId: l.productId, quantity: l.quantity })),
    at,
  );
}
