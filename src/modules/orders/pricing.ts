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

export interface PriceRule {
  priceListId: number;
  code: string;
  scope: 'base' | 'group' | 'region' | 'customer';
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
  scope: PriceRule['scope'];
  priority: number;
  own: boolean;
  product_id: number;
  min_qty: number;
  price_fen: number;
}

const SCOPE_RANK = { customer: 3, group: 2, region: 1, base: 0 } as const;

/** The tiers of every list that reaches the buyer for these products, best first. */
async function candidateTiers(
  db: Db,
  tenantId: number,
  buyerPartyId: number,
  sellerPartyId: number | null,
  productIds: number[],
  day: string,
) {
  const tiers = await db<Tier[]>`
    select pl.id::int as price_list_id, pl.code, pl.scope, pl.priority, (pl.seller_party_id is not null) as own,
      i.product_id::int as product_id, i.min_qty, i.price_fen::int as price_fen
    from price_lists pl
    join price_list_items i on i.tenant_id = pl.tenant_id and i.price_list_id = pl.id
    where pl.tenant_id = ${tenantId} and pl.active
      and (pl.seller_party_id is null or pl.seller_party_id = ${sellerPartyId ?? -1})
      and (pl.valid_from is null or pl.valid_from <= ${day}::date) and (pl.valid_to is null or pl.valid_to >= ${day}::date)
      and i.product_id = any(${productIds}::bigint[])
      and (pl.scope = 'base'
        or (pl.scope = 'customer' and pl.party_id = ${buyerPartyId})
        or (pl.scope = 'group' and pl.group_id in (
          select m.group_id from customer_group_members m where m.tenant_id = ${tenantId} and m.party_id = ${buyerPartyId}))
        or (pl.scope = 'region' and exists (
          select 1 from parties b where b.tenant_id = ${tenantId} and b.id = ${buyerPartyId}
            and b.division_code like pl.division_code || '%')))`;
  tiers.sort(
    (a, b) =>
      b.priority - a.priority ||
      SCOPE_RANK[b.scope] - SCOPE_RANK[a.scope] ||
      Number(b.own) - Number(a.own) ||
      a.price_list_id - b.price_list_id ||
      b.min_qty - a.min_qty,
  );
  const byProduct = new Map<number, Tier[]>();
  for (const t of tiers) byProduct.set(t.product_id, [...(byProduct.get(t.product_id) ?? []), t]);
  return byProduct;
}

/**
 * Prices for many lines at once (index-aligned with `lines`); null where no list reaching the buyer has the product
 * at that quantity.
 */
export async function resolvePrices(
  db: Db,
  tenantId: number,
  buyerPartyId: number,
  sellerPartyId: number | null,
  lines: readonly { productId: number; quantity: number }[],
  at: Date = new Date(),
): Promise<(ResolvedPrice | null)[]> {
  if (!lines.length) return [];
  const day = at.toISOString().slice(0, 10);
  const byProduct = await candidateTiers(db, tenantId, buyerPartyId, sellerPartyId, [...new Set(lines.map((l) => l.productId))], day);
  return lines.map((line) => {
    // the best list that has a tier for this quantity, and its best such tier (tiers sorted best list first)
    const tier = byProduct.get(line.productId)?.find((t) => t.min_qty <= line.quantity);
    if (!tier) return null;
    return {
      unitPriceFen: tier.price_fen,
      rule: { priceListId: tier.price_list_id, code: tier.code, scope: tier.scope, priority: tier.priority, minQty: tier.min_qty },
    };
  });
}
