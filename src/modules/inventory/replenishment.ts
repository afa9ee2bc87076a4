/**
 * Replenishment suggestions for one distributor or store: for each product it sold (or shipped on) in the window,
 * the order-up-to level from its recent sell-through, its lane's lead time, the review period and the service
 * level, and what to order to reach it (order-up-to.ts has the rule). Every input is returned with the line, so
 * a planner can see why a quantity is what it is.
 */
import type { Db, RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { partyScope, seesWholeTenant } from '../auth/index.ts';
import { caseSizes } from '../catalog/index.ts';
import { daysOfSupply, demandStats, inverseNormal, orderUpToLevel, suggestedQuantity } from './order-up-to.ts';
import type { Window } from './sell-through.ts';

/** Lead times of lanes without their own (days): the brand ships to a distributor in 2, a distributor to a store in 1. */
export const DEFAULT_LEAD_TIME_DAYS: Record<'distributor' | 'store', number> = { distributor: 2, store: 1 };
export const DEFAULT_REVIEW_DAYS = 7;
export const DEFAULT_SERVICE_LEVEL = 0.95;

export interface SuggestionParams {
  serviceLevel: number;
  reviewDays: number;
  window: Window;
  /** only these SKUs (accepting part of the suggestions) */
  skus?: string[];
}

export interface Buyer {
  id: number;
  code: string;
  name: string;
  kind: 'distributor' | 'store';
  seller: { id: number; code: string; name: string };
}

export interface SuggestionLine {
  productId: number;
  sku: string;
  name: string;
  unitsOut: number;
  /** d: mean daily demand over the window */
  dailyDemand: number;
  /** σ: standard deviation of daily demand */
  sigma: number;
  /** L */
  leadTimeDays: number;
  /** R */
  reviewDays: number;
  z: number;
  /** S */
  orderUpTo: number;
  onHand: number;
  inTransit: number;
  onOrder: number;
  daysOfSupply: number | null;
  minQty: number | null;
  multipleOf: number | null;
  /** units in a case of the SKU (the catalog's case level), null when it has none: suggestions are whole cases */
  caseSize: number | null;
  suggested: number;
}

export interface Suggestions {
  party: { code: string; name: string; kind: string };
  seller: { code: string; name: string };
  leadTimeDays: number;
  leadTimeSource: 'lane' | 'default';
  reviewDays: number;
  serviceLevel: number;
  z: number;
  window: Window;
  lines: SuggestionLine[];
}

/**
 * The buyer a caller asks about: a party in the caller's scope (its own when none is named) that orders, with
 * whom it orders from (a store from its distributor, a distributor from the brand), as placement decides it.
 */
export async function buyerInScope(db: Db, ctx: RequestContext, code: string | undefined, pointer: string): Promise<Buyer> {
  if (!code && ctx.actor.partyId == null) throw AppError.field(pointer, 'replenishment.party_required', {});
  const [row] = await db<
    { id: number; code: string; name: string; kind: string; seller_id: number | null; seller_code: string; seller_name: string }[]
  >`
    select p.id::int, p.code, p.name, p.kind, s.id::int as seller_id, s.code as seller_code, s.name as seller_name
    from parties p
    left join lateral (
      select x.id, x.code, x.name from parties x
      where x.tenant_id = p.tenant_id and (case when p.kind = 'store' then x.id = p.parent_id else x.kind = 'brand' end)
      order by x.id limit 1
    ) s on true
    where ${partyScope(ctx.sql, ctx.actor)} and ${code ? db`p.code = ${code}` : db`p.id = ${ctx.actor.partyId as number}`}`;
  if (!row) throw AppError.field(pointer, 'stock.unknown_party', { value: code ?? null });
  if ((row.kind !== 'distributor' && row.kind !== 'store') || row.seller_id == null)
    throw AppError.field(pointer, 'replenishment.not_a_buyer', { value: row.code });
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    seller: { id: row.seller_id, code: row.seller_code, name: row.seller_name },
  };
}

/** Whether the caller may order for a buyer in its scope: its own party, or any as brand staff (as placement rules). */
export function mayOrderFor(ctx: RequestContext, buyerId: number): boolean {
  return seesWholeTenant(ctx.actor) || ctx.actor.role === 'brand_sales' || ctx.actor.partyId === buyerId;
}

export async function suggestionsFor(db: Db, ctx: RequestContext, buyer: Buyer, params: SuggestionParams): Promise<Suggestions> {
  const t = ctx.actor.tenantId;
  const { window } = params;
  // one statement: what it sold by product in the window, with its stock, what is on its way and what it ordered
  // that has not shipped yet, the lane's lead time and the seller's ordering rules
  const [[lane], rows] = await Promise.all([
    db<{ lead_time_days: number }[]>`
      select lead_time_days from replenishment_lanes
      where tenant_id = ${t} and seller_party_id = ${buyer.seller.id} and buyer_party_id = ${buyer.id}`,
    db<
      {
        product_id: number;
        sku: string;
        name_zh: string;
        name_en: string;
        total: string;
        sq: string;
        on_hand: string;
        in_transit: string;
        on_order: string;
        min_qty: number | null;
        multiple_of: number | null;
      }[]
    >`
      with demand as (
        select d.gtin, sum(d.units_out) as total, sum(d.units_out * d.units_out) as sq from sell_through_daily d
        where d.tenant_id = ${t} and d.holder_party_id = ${buyer.id} and d.day >= ${window.from}::date and d.day < ${window.to}::date
        group by d.gtin having sum(d.units_out) > 0
      ), open_lines as (
        select l.product_id, sum(l.quantity - l.shipped_qty) as qty
        from orders o join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
        where o.tenant_id = ${t} and o.buyer_party_id = ${buyer.id} and o.status in ('pending_approval', 'approved', 'partially_shipped')
        group by l.product_id
      )
      select pr.id::int as product_id, pr.sku, pr.name_zh, pr.name_en, dm.total::text as total, dm.sq::text as sq,
        coalesce(st.on_hand, 0)::text as on_hand, coalesce(st.in_transit, 0)::text as in_transit,
        coalesce(ol.qty, 0)::text as on_order, r.min_qty, r.multiple_of
      from demand dm
      join packaging_levels pl on pl.tenant_id = ${t} and pl.gtin = dm.gtin
      join products pr on pr.tenant_id = ${t} and pr.id = pl.product_id
      left join lateral (
        select sum(s.on_hand) as on_hand, sum(s.in_transit_in) as in_transit from stock s
        where s.tenant_id = ${t} and s.holder_party_id = ${buyer.id} and s.gtin = dm.gtin
      ) st on true
      left join open_lines ol on ol.product_id = pr.id
      left join order_rules r on r.tenant_id = ${t} and r.product_id = pr.id
      where pr.status = 'active' ${params.skus ? db`and pr.sku = any(${params.skus}::text[])` : db``}
      order by pr.sku`,
  ]);
  const caseOf = await caseSizes(
    db,
    t,
    rows.map((r) => r.product_id),
  );
  const leadTimeDays = lane ? Number(lane.lead_time_days) : DEFAULT_LEAD_TIME_DAYS[buyer.kind];
  const z = inverseNormal(params.serviceLevel);
  const lines = rows.map((r): SuggestionLine => {
    const units = Number(r.total);
    const d = demandStats(units, Number(r.sq), window.days);
    const onHand = Number(r.on_hand);
    const inTransit = Number(r.in_transit);
    const onOrder = Number(r.on_order);
    const level = orderUpToLevel({ mean: d.mean, sigma: d.sigma, leadTimeDays, reviewDays: params.reviewDays, z });
    const caseSize = caseOf.get(r.product_id) ?? null;
    return {
      productId: r.product_id,
      sku: r.sku,
      name: ctx.locale === 'en' ? r.name_en : r.name_zh,
      unitsOut: units,
      dailyDemand: round(d.mean, 3),
      sigma: round(d.sigma, 3),
      leadTimeDays,
      reviewDays: params.reviewDays,
      z: round(z, 4),
      orderUpTo: round(level, 2),
      onHand,
      inTransit,
      onOrder,
      daysOfSupply: nullableRound(daysOfSupply(onHand, d.mean), 1),
      minQty: r.min_qty,
      multipleOf: r.multiple_of,
      caseSize,
      suggested: suggestedQuantity({
        level,
        onHand,
        inTransit,
        onOrder,
        minQty: r.min_qty,
        multipleOf: r.multiple_of,
        caseSize,
      }),
    };
  });
  return {
    party: { code: buyer.code, name: buyer.name, kind: buyer.kind },
    seller: { code: buyer.seller.code, name: buyer.seller.name },
    leadTimeDays,
    leadTimeSource: lane ? 'lane' : 'default',
    reviewDays: params.reviewDays,
    serviceLevel: params.serviceLevel,
    z: round(z, 4),
    window,
    lines,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function nullableRound(x: number | null, digits: number): number | null {
  return x == null ? null : round(x, digits);
}
