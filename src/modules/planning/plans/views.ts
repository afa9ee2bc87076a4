/**
 * Reading plans in the caller's scope: the brand (planners, admin) sees every plan, a sales rep the plans of the
 * distributors in its territories, a distributor only its own plans once shared (never a draft), a store none.
 */
import type { Fragment } from 'postgres';
import type { Db, RequestContext } from '../../../context.ts';
import { partyScope } from '../../auth/index.ts';
import { caseSizes } from '../../catalog/index.ts';
import { orderStep } from '../../inventory/index.ts';
import type { PlanStatus } from './cpfr.ts';

/** The plans the caller may see, on the aliases `rp` (plan) and `p` (its distributor). */
export function planScope(db: Db, ctx: RequestContext): Fragment {
  const a = ctx.actor;
  if (a.role === 'distributor_admin' || a.role === 'distributor_staff')
    return db`rp.tenant_id = ${a.tenantId} and rp.distributor_id = ${a.partyId ?? -1} and rp.status <> 'draft'`;
  if (a.role === 'brand_admin' || a.role === 'brand_planner' || a.role === 'brand_sales')
    return db`rp.tenant_id = ${a.tenantId} and ${partyScope(ctx.sql, a)}`;
  return db`false`;
}

export interface PlanSummary {
  id: number;
  status: PlanStatus;
  distributor: { code: string; name: string };
  serviceLevel: number;
  horizonDays: number;
  reviewDays: number;
  historyDays: number;
  asOf: string;
  forecaster: string;
  lines: number;
  suggestedUnits: number;
  finalUnits: number;
  adjustedLines: number;
  note: string | null;
  drafts: { party: string; draftId: number }[];
  jobId: number | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlanLineView {
  lineNo: number;
  party: { code: string; name: string; kind: string };
  seller: { code: string };
  sku: string;
  name: string;
  meanDaily: number;
  sdDaily: number;
  leadTimeDays: number;
  demandLR: number;
  demandHorizon: number;
  safetyStock: number;
  orderUpTo: number;
  onHand: number;
  inTransit: number;
  onOrder: number;
  suggested: number;
  /** units per case of the SKU (the catalog's case level); null when it has none */
  caseSize: number | null;
  /** units an adjusted quantity must be a multiple of: whole cases, and of the order rule's multiple (their LCM) */
  orderStep: number;
  /** the order rule's minimum (a quantity above 0 is at least this), null without one */
  minQty: number | null;
  /** the suggestion in cases (whole, as it is rounded to them); null without a case size */
  suggestedCases: number | null;
  adjusted: number | null;
  /** adjusted − suggested (0 when not adjusted) */
  difference: number;
  /** the quantity that goes into the order draft */
  final: number;
  /** the final quantity in cases (whole: an adjustment is refused otherwise; fractional only on lines adjusted before that); null without a case size */
  finalCases: number | null;
  reason: string | null;
  adjustedBy: string | null;
  adjustedAt: Date | null;
  /** the forecast meanDaily and sdDaily come from: a model of planning/forecast or 'sell_through_mean' (null: plans made before it was recorded) */
  forecastModel: string | null;
  /** why the model was not used for this line (its figures are then the sell-through mean's) */
  forecastFallback: string | null;
}

/** How many lines of a plan took their demand from each forecast. */
export interface ForecastUse {
  model: string | null;
  fallback: string | null;
  lines: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function listPlans(
  ctx: RequestContext,
  q: { status?: PlanStatus; distributor?: string; limit: number },
): Promise<PlanSummary[]> {
  const db = ctx.sql;
  const rows = await db<Record<string, unknown>[]>`
    select rp.id::int, rp.status, p.code, p.name, rp.service_level::float8 as service_level, rp.horizon_days, rp.review_days,
      rp.history_days, rp.as_of::text as as_of, rp.forecaster, rp.note, rp.drafts, rp.job_id::int as job_id, rp.created_by,
      rp.created_at, rp.updated_at, coalesce(l.lines, 0)::int as lines, coalesce(l.suggested, 0)::int as suggested,
      coalesce(l.final, 0)::int as final, coalesce(l.adjusted, 0)::int as adjusted
    from replenishment_plans rp
    join parties p on p.tenant_id = rp.tenant_id and p.id = rp.distributor_id
    left join lateral (
      select count(*) as lines, sum(suggested_qty) as suggested, sum(coalesce(adjusted_qty, suggested_qty)) as final,
        count(*) filter (where adjusted_qty is not null and adjusted_qty <> suggested_qty) as adjusted
      from replenishment_plan_lines x where x.tenant_id = rp.tenant_id and x.plan_id = rp.id
    ) l on true
    where ${planScope(db, ctx)} ${q.status ? db`and rp.status = ${q.status}` : db``}
      ${q.distributor ? db`and p.code = ${q.distributor}` : db``}
    order by rp.created_at desc, rp.id desc limit ${q.limit}`;
  return rows.map(summaryOf);
}

function summaryOf(r: Record<string, unknown>): PlanSummary {
  return {
    id: Number(r.id),
    status: r.status as PlanStatus,
    distributor: { code: r.code as string, name: r.name as string },
    serviceLevel: Number(r.service_level),
    horizonDays: Number(r.horizon_days),
    reviewDays: Number(r.review_days),
    historyDays: Number(r.history_days),
    asOf: r.as_of as string,
    forecaster: r.forecaster as string,
    lines: Number(r.lines),
    suggestedUnits: Number(r.suggested),
    finalUnits: Number(r.final),
    adjustedLines: Number(r.adjusted),
    note: (r.note as string | null) ?? null,
    drafts: (r.drafts as PlanSummary['drafts']) ?? [],
    jobId: r.job_id == null ? null : Number(r.job_id),
    createdBy: r.created_by as string,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export type PlanDetail = Omit<PlanSummary, 'lines'> & { lineCount: number; lines: PlanLineView[]; forecasts: ForecastUse[] };

export async function getPlan(ctx: RequestContext, id: number): Promise<PlanDetail | null> {
  const db = ctx.sql;
  const [plan] = (await listPlansById(ctx, id)) ?? [];
  if (!plan) return null;
  const rows = await db<Record<string, unknown>[]>`
    select l.line_no, pa.code as party_code, pa.name as party_name, pa.kind as party_kind, se.code as seller_code, pr.sku,
      pr.name_zh, pr.name_en, l.mean_daily, l.sd_daily, l.lead_time_days, l.demand_lr, l.demand_horizon, l.safety_stock,
      l.order_up_to, l.on_hand::int, l.in_transit::int, l.on_order::int, l.suggested_qty, l.adjusted_qty, l.adjust_reason,
      l.adjusted_by, l.adjusted_at, l.forecast_model, l.forecast_fallback, l.product_id::int, r.min_qty, r.multiple_of
    from replenishment_plan_lines l
    left join order_rules r on r.tenant_id = l.tenant_id and r.product_id = l.product_id
    join parties pa on pa.tenant_id = l.tenant_id and pa.id = l.party_id
    join parties se on se.tenant_id = l.tenant_id and se.id = l.seller_party_id
    join products pr on pr.tenant_id = l.tenant_id and pr.id = l.product_id
    where l.tenant_id = ${ctx.actor.tenantId} and l.plan_id = ${id}
    order by l.line_no`;
  const caseOf = await caseSizes(db, ctx.actor.tenantId, [...new Set(rows.map((r) => Number(r.product_id)))]);
  const lines = rows.map((r): PlanLineView => {
    const suggested = Number(r.suggested_qty);
    const adjusted = r.adjusted_qty == null ? null : Number(r.adjusted_qty);
    const caseSize = caseOf.get(Number(r.product_id)) ?? null;
    const minQty = r.min_qty == null ? null : Number(r.min_qty);
    const inCases = (units: number) => (caseSize ? r2(units / caseSize) : null);
    return {
      lineNo: Number(r.line_no),
      party: { code: r.party_code as string, name: r.party_name as string, kind: r.party_kind as string },
      seller: { code: r.seller_code as string },
      sku: r.sku as string,
      name: (ctx.locale === 'en' ? r.name_en : r.name_zh) as string,
      meanDaily: r2(Number(r.mean_daily)),
      sdDaily: r2(Number(r.sd_daily)),
      leadTimeDays: Number(r.lead_time_days),
      demandLR: r2(Number(r.demand_lr)),
      demandHorizon: r2(Number(r.demand_horizon)),
      safetyStock: r2(Number(r.safety_stock)),
      orderUpTo: r2(Number(r.order_up_to)),
      onHand: Number(r.on_hand),
      inTransit: Number(r.in_transit),
      onOrder: Number(r.on_order),
      suggested,
      caseSize,
      orderStep: orderStep({ multipleOf: r.multiple_of as number | null, caseSize }),
      minQty,
      suggestedCases: inCases(suggested),
      adjusted,
      difference: adjusted == null ? 0 : adjusted - suggested,
      final: adjusted ?? suggested,
      finalCases: inCases(adjusted ?? suggested),
      reason: (r.adjust_reason as string | null) ?? null,
      adjustedBy: (r.adjusted_by as string | null) ?? null,
      adjustedAt: (r.adjusted_at as Date | null) ?? null,
      forecastModel: (r.forecast_model as string | null) ?? null,
      forecastFallback: (r.forecast_fallback as string | null) ?? null,
    };
  });
  const uses = new Map<string, ForecastUse>();
  for (const l of lines) {
    const k = `${l.forecastModel}|${l.forecastFallback}`;
    const u = uses.get(k) ?? { model: l.forecastModel, fallback: l.forecastFallback, lines: 0 };
    u.lines++;
    uses.set(k, u);
  }
  const forecasts = [...uses.values()].sort((a, b) => b.lines - a.lines || String(a.model).localeCompare(String(b.model)));
  const { lines: lineCount, ...rest } = plan;
  return { ...rest, lineCount, lines, forecasts };
}

async function listPlansById(ctx: RequestContext, id: number): Promise<PlanSummary[]> {
  const db = ctx.sql;
  const rows = await db<Record<string, unknown>[]>`
    select rp.id::int, rp.status, p.code, p.name, rp.service_level::float8 as service_level, rp.horizon_days, rp.review_days,
      rp.history_days, rp.as_of::text as as_of, rp.forecaster, rp.note, rp.drafts, rp.job_id::int as job_id, rp.created_by,
      rp.created_at, rp.updated_at,
      (select count(*) from replenishment_plan_lines x where x.tenant_id = rp.tenant_id and x.plan_id = rp.id)::int as lines,
      (select coalesce(sum(suggested_qty), 0) from replenishment_plan_lines x where x.tenant_id = rp.tenant_id and x.plan_id = rp.id)::int as suggested,
      (select coalesce(sum(coalesce(adjusted_qty, suggested_qty)), 0) from replenishment_plan_lines x
        where x.tenant_id = rp.tenant_id and x.plan_id = rp.id)::int as final,
      (select count(*) from replenishment_plan_lines x where x.tenant_id = rp.tenant_id and x.plan_id = rp.id
        and x.adjusted_qty is not null and x.adjusted_qty <> x.suggested_qty)::int as adjusted
    from replenishment_plans rp
    join parties p on p.tenant_id = rp.tenant_id and p.id = rp.distributor_id
    where ${planScope(db, ctx)} and rp.id = ${id}`;
  return rows.map(summaryOf);
}
