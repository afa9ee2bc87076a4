import type { Sql } from '../../src/db/connection.ts';

export interface PlanningProduct {
  id: number;
  sku: string;
  /** the unit GTIN (sell-through history is kept per GTIN) */
  gtin: string;
}

export interface PlanningFixture {
  tenant: number;
  /** the demo brand's first two active products, by SKU */
  A: PlanningProduct;
  B: PlanningProduct;
  /** the demo distributor D0001 and the first of its stores, by code */
  distributor: { id: number; code: string };
  store1: { id: number; code: string };
}

/**
 * What the planning tests write sell-through history and stock for, found in the demo brand: two products, a
 * distributor and one of its stores.
 */
export async function planningFixture(sql: Sql): Promise<PlanningFixture> {
  const tenant = Number((await sql<{ id: number }[]>`select id from tenants where code = 'demo'`)[0]?.id);
  const products = await sql<PlanningProduct[]>`
    select p.id::int, p.sku, l.gtin from products p
    join packaging_levels l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.level = 'unit'
    where p.tenant_id = ${tenant} and p.status = 'active' order by p.sku limit 2`;
  const [distributor] = await sql<{ id: number; code: string }[]>`
    select id::int, code from parties where tenant_id = ${tenant} and code = 'D0001'`;
  if (products.length < 2 || !distributor) throw new Error('the demo brand lacks two active products or D0001');
  const [store1] = await sql<{ id: number; code: string }[]>`
    select id::int, code from parties where tenant_id = ${tenant} and parent_id = ${distributor.id} and kind = 'store'
    order by code limit 1`;
  if (!store1) throw new Error('D0001 has no store');
  return { tenant, A: products[0] as PlanningProduct, B: products[1] as PlanningProduct, distributor, store1 };
}

/** A plan's line for a party (by code) and SKU, as the plans API answers it. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
export const lineOf = (plan: Record<string, any>, party: string, sku: string) =>
  plan.lines.find((l: { party: { code: string }; sku: string }) => l.party.code === party && l.sku === sku);
