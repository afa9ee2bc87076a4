/**
 * Computing replenishment plans: for each distributor named, a plan over it and the stores it serves, with a line
 * per (party, product) that sold in the history window (rule.ts has the figures). The inputs are read for all the
 * parties of a plan at once (forecasts, lanes' lead times, stock, open orders, ordering rules, case sizes); every plan of a run
 * is written in one transaction at the end, so a run that fails or is cancelled half-way writes nothing.
 */
import type { RequestContext } from '../../../context.ts';
import type { Tx } from '../../../db/connection.ts';
import { AppError, type FieldError } from '../../../http/problem.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, partyScope, whoOf } from '../../auth/index.ts';
import { caseSizes } from '../../catalog/index.ts';
import { DEFAULT_LEAD_TIME_DAYS, inverseNormal, type Window, windowOf } from '../../inventory/index.ts';
import type { DemandForecaster, ForecastFallback } from './forecaster.ts';
import { planLine } from './rule.ts';

export interface PlanParams {
  /** distributor codes (or every active distributor in scope with `all`) */
  distributors?: string[];
  all?: boolean;
  serviceLevel: number;
  horizonDays: number;
  reviewDays: number;
  historyDays: number;
  /** the first day planned for (the history ends the day before); today in China when absent */
  asOf: string;
  skus?: string[];
}

interface Party {
  id: number;
  code: string;
  kind: 'distributor' | 'store';
  seller_id: number;
}

export interface ComputedLine {
  partyId: number;
  sellerId: number;
  productId: number;
  mean: number;
  sd: number;
  leadTimeDays: number;
  demandLR: number;
  demandHorizon: number;
  safetyStock: number;
  orderUpTo: number;
  onHand: number;
  inTransit: number;
  onOrder: number;
  suggested: number;
  /** the forecast d and σ come from (a model name or 'sell_through_mean') and, when a model was not usable, why */
  forecastModel: string;
  forecastFallback: ForecastFallback | null;
}

export interface ComputedPlan {
  distributorId: number;
  distributorCode: string;
  lines: ComputedLine[];
}

/** The distributors a run plans for, checked: each must exist in the caller's scope and be a distributor. */
export async function resolveDistributors(ctx: RequestContext, p: Pick<PlanParams, 'distributors' | 'all'>, pointer: string) {
  if (p.all) {
    return ctx.sql<{ id: number; code: string }[]>`
      select p.id::int, p.code from parties p
      where ${partyScope(ctx.sql, ctx.actor)} and p.kind = 'distributor' and p.status = 'active' order by p.code`;
  }
  const codes = p.distributors ?? [];
  if (!codes.length) throw AppError.field(`${pointer}/distributors`, 'field.required', { field: 'distributors' });
  const rows = await ctx.sql<{ id: number; code: string; kind: string }[]>`
    select p.id::int, p.code, p.kind from parties p where ${partyScope(ctx.sql, ctx.actor)} and p.code = any(${codes}::text[])`;
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const errors: FieldError[] = [];
  codes.forEach((c, i) => {
    const r = byCode.get(c);
    if (!r) errors.push({ pointer: `${pointer}/distributors/${i}`, code: 'plans.unknown_party', params: { value: c } });
    else if (r.kind !== 'distributor')
      errors.push({ pointer: `${pointer}/distributors/${i}`, code: 'plans.not_a_distributor', params: { value: c } });
  });
  if (errors.length) throw AppError.invalid(errors);
  const seen = new Set<number>();
  return rows.filter((r) => r.kind === 'distributor' && !seen.has(r.id) && seen.add(r.id)).map(({ id, code }) => ({ id, code }));
}

/** The products named by SKU, checked (each must exist). */
export async function resolveSkus(ctx: RequestContext, skus: string[] | undefined, pointer: string): Promise<number[] | undefined> {
  if (!skus) return undefined;
  const rows = await ctx.sql<{ id: number; sku: string }[]>`
    select id::int, sku from products where tenant_id = ${ctx.actor.tenantId} and sku = any(${skus}::text[])`;
  const bySku = new Map(rows.map((r) => [r.sku, r.id]));
  const errors: FieldError[] = [];
  skus.forEach((s, i) => {
    if (!bySku.has(s)) errors.push({ pointer: `${pointer}/skus/${i}`, code: 'plans.unknown_sku', params: { value: s } });
  });
  if (errors.length) throw AppError.invalid(errors);
  return [...bySku.values()];
}

export function historyOf(p: PlanParams): Window {
  return windowOf(p.asOf, p.historyDays);
}

/** One distributor's plan, computed (nothing written). */
export async function computePlan(
  ctx: RequestContext,
  forecaster: DemandForecaster,
  distributor: { id: number; code: string },
  p: PlanParams,
  productIds: number[] | undefined,
): Promise<ComputedPlan> {
  const t = ctx.actor.tenantId;
  const db = ctx.sql;
  const parties = await db<Party[]>`
    select p.id::int, p.code, p.kind,
      (case when p.kind = 'store' then p.parent_id
            else (select b.id from parties b where b.tenant_id = p.tenant_id and b.kind = 'brand' order by b.id limit 1) end)::int as seller_id
    from parties p
    where p.tenant_id = ${t} and p.status = 'active'
      and (p.id = ${distributor.id} or (p.parent_id = ${distributor.id} and p.kind = 'store'))`;
  const ids = parties.map((x) => x.id);
  const byId = new Map(parties.map((x) => [x.id, x]));
  const forecasts = await forecaster.forecast(db, {
    tenantId: t,
    partyIds: ids,
    productIds,
    history: historyOf(p),
    horizonDays: p.horizonDays,
  });
  if (!forecasts.length) return { distributorId: distributor.id, distributorCode: distributor.code, lines: [] };
  const productIdsForecast = [...new Set(forecasts.map((f) => f.productId))];
  const [lanes, stock, open, rules, caseOf] = await Promise.all([
    db<{ buyer: number; seller: number; days: number }[]>`
      select buyer_party_id::int as buyer, seller_party_id::int as seller, lead_time_days as days from replenishment_lanes
      where tenant_id = ${t} and buyer_party_id = any(${ids}::bigint[])`,
    db<{ party: number; product: number; on_hand: string; in_transit: string }[]>`
      select s.holder_party_id::int as party, pl.product_id::int as product, sum(s.on_hand)::text as on_hand,
        sum(s.in_transit_in)::text as in_transit
      from stock s join packaging_levels pl on pl.tenant_id = s.tenant_id and pl.gtin = s.gtin and pl.level = 'unit'
      where s.tenant_id = ${t} and s.holder_party_id = any(${ids}::bigint[]) group by 1, 2`,
    db<{ party: number; product: number; qty: string }[]>`
      select o.buyer_party_id::int as party, l.product_id::int as product, sum(l.quantity - l.shipped_qty)::text as qty
      from orders o join order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
      where o.tenant_id = ${t} and o.buyer_party_id = any(${ids}::bigint[])
        and o.status in ('pending_approval', 'approved', 'partially_shipped')
      group by 1, 2`,
    db<{ product: number; min_qty: number; multiple_of: number }[]>`
      select product_id::int as product, min_qty, multiple_of from order_rules
      where tenant_id = ${t} and product_id = any(${productIdsForecast}::bigint[])`,
    // the SKU's case (units per case): suggestions are whole cases
    caseSizes(db, t, productIdsForecast),
  ]);
  const k = (a: number, b: number) => `${a}:${b}`;
  const laneOf = new Map(lanes.map((l) => [k(l.seller, l.buyer), l.days]));
  const stockOf = new Map(stock.map((s) => [k(s.party, s.product), s]));
  const openOf = new Map(open.map((o) => [k(o.party, o.product), Number(o.qty)]));
  const ruleOf = new Map(rules.map((r) => [r.product, r]));
  const z = inverseNormal(p.serviceLevel);
  const lines: ComputedLine[] = [];
  for (const f of forecasts) {
    const party = byId.get(f.partyId);
    if (!party || party.seller_id == null) continue;
    const leadTimeDays = laneOf.get(k(party.seller_id, party.id)) ?? DEFAULT_LEAD_TIME_DAYS[party.kind];
    const st = stockOf.get(k(party.id, f.productId));
    const onHand = Number(st?.on_hand ?? 0);
    const inTransit = Number(st?.in_transit ?? 0);
    const onOrder = openOf.get(k(party.id, f.productId)) ?? 0;
    const rule = ruleOf.get(f.productId);
    const fig = planLine({
      mean: f.mean,
      sd: f.sd,
      leadTimeDays,
      reviewDays: p.reviewDays,
      horizonDays: p.horizonDays,
      z,
      onHand,
      inTransit,
      onOrder,
      minQty: rule?.min_qty ?? null,
      multipleOf: rule?.multiple_of ?? null,
      caseSize: caseOf.get(f.productId) ?? null,
    });
    lines.push({
      partyId: party.id,
      sellerId: party.seller_id,
      productId: f.productId,
      mean: f.mean,
      sd: f.sd,
      leadTimeDays,
      onHand,
      inTransit,
      onOrder,
      ...fig,
      forecastModel: f.model,
      forecastFallback: f.fallback,
    });
  }
  // the distributor's own lines first, then its stores, each by product
  const rank = (l: ComputedLine) => (l.partyId === distributor.id ? '0' : `1${byId.get(l.partyId)?.code}`);
  lines.sort((a, b) => rank(a).localeCompare(rank(b)) || a.productId - b.productId);
  return { distributorId: distributor.id, distributorCode: distributor.code, lines };
}

/** Writes computed plans (status draft) in the caller's transaction, audited; returns their ids in order. */
export async function savePlans(
  tx: Tx,
  ctx: RequestContext,
  plans: ComputedPlan[],
  p: PlanParams,
  forecaster: string,
  jobId: number | null,
): Promise<number[]> {
  const t = ctx.actor.tenantId;
  const ids: number[] = [];
  for (const plan of plans) {
    const [row] = await tx<{ id: number }[]>`
      insert into replenishment_plans (tenant_id, distributor_id, service_level, horizon_days, review_days, history_days, as_of,
        forecaster, job_id, created_by)
      values (${t}, ${plan.distributorId}, ${p.serviceLevel}, ${p.horizonDays}, ${p.reviewDays}, ${p.historyDays}, ${p.asOf},
        ${forecaster}, ${jobId}, ${actorLabel(ctx.actor)})
      returning id::int`;
    const id = Number(row?.id);
    ids.push(id);
    const L = plan.lines;
    if (L.length) {
      await tx`
        insert into replenishment_plan_lines (tenant_id, plan_id, line_no, party_id, seller_party_id, product_id, mean_daily, sd_daily,
          lead_time_days, demand_lr, demand_horizon, safety_stock, order_up_to, on_hand, in_transit, on_order, suggested_qty,
          forecast_model, forecast_fallback)
        select ${t}, ${id}, * from unnest(${L.map((_, i) => i + 1)}::int[], ${L.map((l) => l.partyId)}::bigint[],
          ${L.map((l) => l.sellerId)}::bigint[], ${L.map((l) => l.productId)}::bigint[], ${L.map((l) => l.mean)}::float8[],
          ${L.map((l) => l.sd)}::float8[], ${L.map((l) => l.leadTimeDays)}::int[], ${L.map((l) => l.demandLR)}::float8[],
          ${L.map((l) => l.demandHorizon)}::float8[], ${L.map((l) => l.safetyStock)}::float8[], ${L.map((l) => l.orderUpTo)}::float8[],
          ${L.map((l) => l.onHand)}::bigint[], ${L.map((l) => l.inTransit)}::bigint[], ${L.map((l) => l.onOrder)}::bigint[],
          ${L.map((l) => l.suggested)}::int[], ${L.map((l) => l.forecastModel)}::text[],
          ${L.map((l) => l.forecastFallback)}::text[])`;
    }
    await appendAudit(tx, whoOf(ctx), {
      action: 'plan.create',
      entityType: 'replenishment_plan',
      entityId: id,
      details: {
        distributor: plan.distributorCode,
        lines: L.length,
        serviceLevel: p.serviceLevel,
        horizonDays: p.horizonDays,
        reviewDays: p.reviewDays,
        asOf: p.asOf,
        jobId,
      },
    });
  }
  return ids;
}
