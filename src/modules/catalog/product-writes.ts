import type { Db } from '../../context.ts';
import { copyInto, reserveIds } from '../../db/copy.ts';
import type { FieldError } from '../../http/problem.ts';
import type { ValidProduct } from './product-rules.ts';

/** Writes checked products and their packaging levels in bulk; per-row errors and nothing written if any. */
export async function insertProducts(
  tx: Db,
  tenantId: number,
  products: ValidProduct[],
  pointer: (index: number, field: string) => string,
): Promise<{ errors: FieldError[]; ids: number[] }> {
  const errors: FieldError[] = [];
  const skus = new Map<string, number>();
  const gtinAt = new Map<string, [number, string]>();
  products.forEach((p, i) => {
    if (skus.has(p.sku)) errors.push({ pointer: pointer(i, 'sku'), code: 'import.duplicate', params: { field: 'sku', value: p.sku } });
    skus.set(p.sku, i);
    for (const l of p.packaging) {
      const field = l.level === 'unit' ? 'gtin' : `${l.level}Gtin`;
      if (gtinAt.has(l.gtin))
        errors.push({ pointer: pointer(i, field), code: 'import.duplicate', params: { field: 'GTIN', value: l.gtin } });
      gtinAt.set(l.gtin, [i, field]);
    }
  });
  const [dupSkus, dupGtins, categories] = await Promise.all([
    tx<{ sku: string }[]>`select sku from products where tenant_id = ${tenantId} and sku = any(${[...skus.keys()]}::text[])`,
    tx<{ gtin: string }[]>`select gtin from packaging_levels where tenant_id = ${tenantId} and gtin = any(${[...gtinAt.keys()]}::text[])`,
    tx<{ code: string }[]>`select code from product_categories where tenant_id = ${tenantId}`,
  ]);
  for (const d of dupSkus)
    errors.push({ pointer: pointer(skus.get(d.sku) ?? 0, 'sku'), code: 'import.exists', params: { field: 'sku', value: d.sku } });
  for (const d of dupGtins) {
    const [i, field] = gtinAt.get(d.gtin) ?? [0, 'gtin'];
    errors.push({ pointer: pointer(i, field), code: 'import.exists', params: { field: 'GTIN', value: d.gtin } });
  }
  const known = new Set(categories.map((c) => c.code));
  products.forEach((p, i) => {
    if (!known.has(p.category))
      errors.push({ pointer: pointer(i, 'category'), code: 'import.reference', params: { field: 'category', value: p.category } });
  });
  if (errors.length) return { errors, ids: [] };
  const ids = await reserveIds(tx, 'products', products.length);
  await copyInto(
    tx,
    'products',
    ['tenant_id', 'id', 'sku', 'gtin', 'name_zh', 'name_en', 'category', 'spec', 'shelf_life_days', 'list_price_fen'],
    products.map((p, i) => [
      tenantId,
      ids[i],
      p.sku,
      p.gtin,
      p.nameZh,
      p.nameEn,
      p.category,
      p.spec ?? null,
      p.shelfLifeDays,
      p.listPriceFen,
    ]),
  );
  await copyInto(
    tx,
    'packaging_levels',
    ['tenant_id', 'product_id', 'level', 'gtin', 'quantity', 'units_per'],
    products.flatMap((p, i) => p.packaging.map((l) => [tenantId, ids[i], l.level, l.gtin, l.quantity, l.unitsPer])),
  );
  return { errors, ids };
}
