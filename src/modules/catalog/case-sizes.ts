/**
 * A product's case as ordering counts it: the catalog's packaging level 'case' (the smallest, should a product have
 * two), with the units it holds. Replenishment suggestions, plans and a distributor's adjustments are whole cases of
 * it; the demo history ships in it. One query, so "units per case" means the same wherever it is read.
 */
import type { Db } from '../../context.ts';

export interface ProductCase {
  /** units of the product in one case */
  unitsPer: number;
  /** the case's GTIN */
  gtin: string;
}

/** The cases of the tenant's products (only `productIds` when given), by product id; a product without one is absent. */
export async function productCases(db: Db, tenantId: number, productIds?: number[]): Promise<Map<number, ProductCase>> {
  if (productIds && !productIds.length) return new Map();
  const rows = await db<{ product_id: number; units_per: number; gtin: string }[]>`
    select distinct on (product_id) product_id::int, units_per::int, gtin from packaging_levels
    where tenant_id = ${tenantId} and level = 'case' ${productIds ? db`and product_id = any(${productIds}::bigint[])` : db``}
    order by product_id, units_per, gtin`;
  return new Map(rows.map((r) => [r.product_id, { unitsPer: r.units_per, gtin: r.gtin }]));
}

/** Units per case of each product, by product id (productCases without the GTIN). */
export async function caseSizes(db: Db, tenantId: number, productIds: number[]): Promise<Map<number, number>> {
  const cases = await productCases(db, tenantId, productIds);
  return new Map([...cases].map(([id, c]) => [id, c.unitsPer]));
}
