import type { RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';

export interface ProductListQuery {
  q?: string;
  category?: string;
  page: number;
  pageSize: number;
  sort: 'name' | '-name' | 'sku' | '-sku' | 'listPrice' | '-listPrice';
}

/** The text taken literally inside a LIKE pattern (its wildcards and the escape character escaped). */
const likeText = (s: string) => s.replace(/[\\%_]/g, '\\$&');

const COLUMNS = 'id, sku, gtin, name_zh, name_en, category, spec, shelf_life_days, list_price_fen, currency, status';

function toItem(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    sku: r.sku as string,
    gtin: r.gtin as string,
    nameZh: r.name_zh as string,
    nameEn: r.name_en as string,
    category: r.category as string,
    spec: r.spec as string | null,
    shelfLifeDays: r.shelf_life_days as number,
    listPriceFen: Number(r.list_price_fen),
    currency: r.currency as string,
    status: r.status as string,
    // its GTINs by packaging level (unit, case, pallet): what codes can be made for, and found by
    ...(r.packaging ? { packaging: r.packaging as { level: string; gtin: string }[] } : {}),
  };
}

/** The catalogue is visible to every role of the tenant (everyone orders from it). */
export async function listProducts(ctx: RequestContext, q: ProductListQuery) {
  const sql = ctx.sql;
  const where = sql`tenant_id = ${ctx.actor.tenantId}
    ${q.category ? sql`and category = ${q.category}` : sql``}
    ${
      q.q
        ? sql`and (name_zh ilike ${`%${likeText(q.q)}%`} or name_en ilike ${`%${likeText(q.q)}%`} or sku ilike ${`${likeText(q.q)}%`}
            or gtin = ${q.q.padStart(14, '0')} or id in (
              select l.product_id from packaging_levels l where l.tenant_id = ${ctx.actor.tenantId} and l.gtin = ${q.q.padStart(14, '0')}))`
        : sql``
    }`;
  const order = {
    name: sql`name_zh asc, id`,
    '-name': sql`name_zh desc, id`,
    sku: sql`sku asc`,
    '-sku': sql`sku desc`,
    listPrice: sql`list_price_fen asc, id`,
    '-listPrice': sql`list_price_fen desc, id`,
  }[q.sort];
  const [rows, [c]] = await Promise.all([
    sql`select ${sql.unsafe(COLUMNS)},
          (select json_agg(json_build_object('level', l.level, 'gtin', l.gtin) order by l.units_per, l.gtin)
           from packaging_levels l where l.tenant_id = products.tenant_id and l.product_id = products.id) as packaging
        from products where ${where} order by ${order}
        limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from products where ${where}`,
  ]);
  return { items: rows.map(toItem), total: c?.n ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getProduct(ctx: RequestContext, id: number) {
  const sql = ctx.sql;
  const t = ctx.actor.tenantId;
  const [r] = await sql`select ${sql.unsafe(COLUMNS)} from products where tenant_id = ${t} and id = ${id}`;
  if (!r) throw AppError.notFound();
  const [packaging, lots] = await Promise.all([
    sql`select level, gtin, quantity, units_per from packaging_levels where tenant_id = ${t} and product_id = ${id}
        order by units_per`,
    sql`select l.id, l.lot_code, l.production_date, l.expiry_date, f.name as factory_name from lots l
        left join parties f on f.tenant_id = l.tenant_id and f.id = l.factory_id
        where l.tenant_id = ${t} and l.product_id = ${id} order by l.production_date desc limit 100`,
  ]);
  return {
    ...toItem(r),
    packaging: packaging.map((l) => ({ level: l.level, gtin: l.gtin, quantity: l.quantity, unitsPer: l.units_per })),
    lots: lots.map((l) => ({
      id: Number(l.id),
      lotCode: l.lot_code,
      productionDate: l.production_date,
      expiryDate: l.expiry_date,
      factoryName: l.factory_name,
    })),
  };
}

export async function productCategories(ctx: RequestContext) {
  const rows = await ctx.sql`
    select c.code, c.name_zh, c.name_en, count(p.id)::int as n from product_categories c
    left join products p on p.tenant_id = c.tenant_id and p.category = c.code
    where c.tenant_id = ${ctx.actor.tenantId} group by c.code, c.name_zh, c.name_en order by c.code`;
  return rows.map((r) => ({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en, count: r.n }));
}
