/**
 * The channel stock list (GET /stock) with days of supply: by lot (the default, one row per holder, product and
 * lot) or by SKU (lots summed; a holder that sold a product in the window but has none left is listed too, with 0
 * days of supply: a stock-out). The daily rate is the holder's units out per day over the window (its shipments
 * and sales, from the daily rollup); days of supply = the holder's on hand of the product (all lots) / that rate,
 * null when nothing went out. Rows are in the caller's data scope.
 */
import type { RequestContext } from '../../context.ts';
import { partyScope } from '../auth/index.ts';
import { daysOfSupply } from './order-up-to.ts';
import { nullableRound } from './replenishment.ts';
import { sellThroughOf, type Window } from './sell-through.ts';

export interface StockQuery {
  party?: string;
  sku?: string;
  by: 'lot' | 'sku';
  limit: number;
  window: Window;
}

interface Row {
  holder: number;
  gtin: string;
  party_code: string;
  party_name: string;
  kind: string;
  sku: string;
  name_zh: string;
  name_en: string;
  lot: string | null;
  on_hand: number;
  in_transit_in: number;
  sold: number;
  safety_stock: number | null;
  /** the holder's on hand of the product over all lots */
  total_on_hand: number;
}

export async function listStock(ctx: RequestContext, q: StockQuery) {
  const sql = ctx.sql;
  const t = ctx.actor.tenantId;
  const filters = sql`${q.party ? sql`and p.code = ${q.party}` : sql``} ${q.sku ? sql`and pr.sku = ${q.sku}` : sql``}`;
  const rows =
    q.by === 'lot'
      ? await sql<Row[]>`
          select s.holder_party_id::int as holder, s.gtin::text as gtin, p.code as party_code, p.name as party_name, p.kind,
            pr.sku, pr.name_zh, pr.name_en, s.lot, s.on_hand::int, s.in_transit_in::int, s.sold::int, ss.min_units::int as safety_stock,
            (select sum(x.on_hand)::int from stock x where x.tenant_id = s.tenant_id and x.holder_party_id = s.holder_party_id
              and x.gtin = s.gtin) as total_on_hand
          from stock s
          join parties p on p.tenant_id = s.tenant_id and p.id = s.holder_party_id
          join packaging_levels pl on pl.tenant_id = s.tenant_id and pl.gtin = s.gtin
          join products pr on pr.tenant_id = pl.tenant_id and pr.id = pl.product_id
          left join safety_stock ss on ss.tenant_id = s.tenant_id and ss.holder_party_id = s.holder_party_id and ss.product_id = pr.id
          where ${partyScope(sql, ctx.actor)} ${filters} and (s.on_hand <> 0 or s.in_transit_in <> 0)
          order by p.code, pr.sku, s.lot limit ${q.limit}`
      : await sql<Row[]>`
          with keys as (
            select holder_party_id, gtin from stock where tenant_id = ${t} and (on_hand <> 0 or in_transit_in <> 0)
            union
            select holder_party_id, gtin from sell_through_daily
            where tenant_id = ${t} and day >= ${q.window.from}::date and day < ${q.window.to}::date
          )
          select k.holder_party_id::int as holder, k.gtin::text as gtin, p.code as party_code, p.name as party_name, p.kind,
            pr.sku, pr.name_zh, pr.name_en, null as lot, coalesce(st.on_hand, 0)::int as on_hand,
            coalesce(st.in_transit_in, 0)::int as in_transit_in, coalesce(st.sold, 0)::int as sold, ss.min_units::int as safety_stock,
            coalesce(st.on_hand, 0)::int as total_on_hand
          from keys k
          join parties p on p.tenant_id = ${t} and p.id = k.holder_party_id
          join packaging_levels pl on pl.tenant_id = ${t} and pl.gtin = k.gtin
          join products pr on pr.tenant_id = pl.tenant_id and pr.id = pl.product_id
          left join lateral (
            select sum(s.on_hand) as on_hand, sum(s.in_transit_in) as in_transit_in, sum(s.sold) as sold from stock s
            where s.tenant_id = ${t} and s.holder_party_id = k.holder_party_id and s.gtin = k.gtin
          ) st on true
          left join safety_stock ss on ss.tenant_id = ${t} and ss.holder_party_id = k.holder_party_id and ss.product_id = pr.id
          where ${partyScope(sql, ctx.actor)} ${filters}
          order by p.code, pr.sku limit ${q.limit}`;
  const rate = await sellThroughOf(sql, t, rows, q.window);
  return {
    window: q.window,
    items: rows.map((r) => {
      const st = rate(r.holder, r.gtin);
      return {
        party: { code: r.party_code, name: r.party_name, kind: r.kind },
        sku: r.sku,
        name: ctx.locale === 'en' ? r.name_en : r.name_zh,
        lot: r.lot,
        onHand: r.on_hand,
        inTransit: r.in_transit_in,
        sold: r.sold,
        safetyStock: r.safety_stock,
        unitsOut: st.unitsOut,
        dailyRate: nullableRound(st.dailyRate, 3),
        daysOfSupply: nullableRound(daysOfSupply(r.total_on_hand ?? 0, st.dailyRate), 1),
      };
    }),
  };
}
