import type { ImportSpec } from '../../platform/import-driver.ts';
import { checkProduct, type ValidProduct, yuanToFen } from './product-rules.ts';
import { insertProducts } from './product-writes.ts';

const int = (s: string | undefined) => (s === undefined || s === '' ? null : /^\d+$/.test(s) ? Number(s) : Number.NaN);

/** Products with their case and pallet levels on one row; prices in yuan with up to 2 decimals. */
export const productsImport: ImportSpec<ValidProduct> = {
  entity: 'products',
  columns: [
    { key: 'sku', header: 'sku', aliases: ['SKU', '商品编码'] },
    { key: 'gtin', header: 'gtin', aliases: ['GTIN', '单品GTIN'] },
    { key: 'name_zh', header: 'name_zh', aliases: ['中文名称'] },
    { key: 'name_en', header: 'name_en', aliases: ['英文名称'] },
    { key: 'category', header: 'category', aliases: ['品类'] },
    { key: 'spec', header: 'spec', aliases: ['规格'] },
    { key: 'shelf_life_days', header: 'shelf_life_days', aliases: ['保质期天数'] },
    { key: 'list_price', header: 'list_price', aliases: ['零售价'] },
    { key: 'case_gtin', header: 'case_gtin', aliases: ['箱GTIN'] },
    { key: 'case_quantity', header: 'case_quantity', aliases: ['每箱数量'] },
    { key: 'pallet_gtin', header: 'pallet_gtin', aliases: ['托盘GTIN'] },
    { key: 'pallet_quantity', header: 'pallet_quantity', aliases: ['每托箱数'] },
  ],
  parseRow(v, index) {
    const at = `/rows/${index}`;
    const fen = v.list_price ? yuanToFen(v.list_price) : undefined;
    const { product, errors } = checkProduct(
      {
        sku: v.sku ?? '',
        gtin: v.gtin ?? '',
        nameZh: v.name_zh ?? '',
        nameEn: v.name_en ?? '',
        category: v.category ?? '',
        spec: v.spec || null,
        shelfLifeDays: int(v.shelf_life_days) as number,
        listPriceFen: fen === undefined ? (v.list_price ? -1 : (undefined as unknown as number)) : fen,
        caseGtin: v.case_gtin || null,
        caseQuantity: int(v.case_quantity),
        palletGtin: v.pallet_gtin || null,
        palletQuantity: int(v.pallet_quantity),
      },
      at,
    );
    for (const e of errors) if (e.pointer === `${at}/listPriceFen`) e.pointer = `${at}/listPrice`;
    return { value: product, errors };
  },
  async write(tx, tenantId, items) {
    const r = await insertProducts(tx, tenantId, items, (i, f) => `/rows/${i}/${f}`);
    return { errors: r.errors, count: r.ids.length };
  },
};
