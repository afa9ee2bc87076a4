/**
 * Production capacity rows (per factory, week, SKU or product line) and the demand plan read from the plans:
 * writes are all-or-nothing (every bad row named), audited; reads are the brand's.
 */
import type { RequestContext } from '../../../context.ts';
import { AppError, type FieldError } from '../../../http/problem.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, whoOf } from '../../auth/index.ts';
import type { PlanDemandLine } from './demand.ts';
import type { CapacityRow } from './report.ts';
import { isMonday } from './weeks.ts';

export interface CapacityInput {
  factory: string;
  week: string;
  sku?: string;
  category?: string;
  capacity: number;
}

/** Sets the capacity of each (factory, week, item) given; `pointerOf(i)` says where row i came from. */
export async function setCapacity(
  ctx: RequestContext,
  rows: CapacityInput[],
  pointerOf: (i: number) => string,
  source: 'api' | 'import',
): Promise<{ updated: number }> {
  const t = ctx.actor.tenantId;
  const db = ctx.sql;
  const [factories, skus, categories] = await Promise.all([
    db<{ id: number; code: string }[]>`
      select id::int, code from parties where tenant_id = ${t} and kind = 'factory' and code = any(${[...new Set(rows.map((r) => r.factory))]}::text[])`,
    db<
      { sku: string }[]
    >`select sku from products where tenant_id = ${t} and sku = any(${rows.flatMap((r) => (r.sku ? [r.sku] : []))}::text[])`,
    db<{ code: string }[]>`
      select code from product_categories where tenant_id = ${t} and code = any(${rows.flatMap((r) => (r.category ? [r.category] : []))}::text[])`,
  ]);
  const factoryId = new Map(factories.map((f) => [f.code, f.id]));
  const skuSet = new Set(skus.map((s) => s.sku));
  const catSet = new Set(categories.map((c) => c.code));
  const errors: FieldError[] = [];
  const first = new Map<string, number>();
  rows.forEach((r, i) => {
    const at = pointerOf(i);
    if (!factoryId.has(r.factory))
      errors.push({ pointer: `${at}/factory`, code: 'capacity.unknown_factory', params: { value: r.factory } });
    if (!isMonday(r.week)) errors.push({ pointer: `${at}/week`, code: 'capacity.not_monday', params: { value: r.week } });
    if ((r.sku ? 1 : 0) + (r.category ? 1 : 0) !== 1)
      errors.push({
        pointer: `${at}/sku`,
        code: 'field.invalid',
        params: { field: 'sku', reason: 'give a sku or a category (product line), not both' },
      });
    else if (r.sku && !skuSet.has(r.sku)) errors.push({ pointer: `${at}/sku`, code: 'plans.unknown_sku', params: { value: r.sku } });
    else if (r.category && !catSet.has(r.category))
      errors.push({ pointer: `${at}/category`, code: 'capacity.unknown_category', params: { value: r.category } });
    if (!Number.isInteger(r.capacity) || r.capacity < 0 || r.capacity > 1e12)
      errors.push({
        pointer: `${at}/capacity`,
        code: 'field.invalid',
        params: { field: 'capacity', reason: 'a whole number of units, 0 or more' },
      });
    const k = `${r.factory}\u0000${r.week}\u0000${r.sku ?? ''}\u0000${r.category ?? ''}`;
    const seen = first.get(k);
    if (seen !== undefined) errors.push({ pointer: at, code: 'capacity.duplicate', params: { first: seen + 1 } });
    else first.set(k, i);
  });
  if (errors.length) throw AppError.invalid(errors);
  const by = actorLabel(ctx.actor);
  await db.begin(async (tx) => {
    await tx`
      insert into production_capacity (tenant_id, factory_party_id, week, item_kind, item, capacity, updated_by)
      select ${t}, * , ${by} from unnest(${rows.map((r) => factoryId.get(r.factory) as number)}::bigint[], ${rows.map((r) => r.week)}::date[],
        ${rows.map((r) => (r.sku ? 'sku' : 'category'))}::text[], ${rows.map((r) => (r.sku ?? r.category) as string)}::text[],
        ${rows.map((r) => r.capacity)}::bigint[])
      on conflict (tenant_id, factory_party_id, week, item_kind, item) do update
        set capacity = excluded.capacity, updated_by = excluded.updated_by, updated_at = now()`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'capacity.set',
      entityType: 'production_capacity',
      entityId: null,
      details: { source, rows: rows.length, sample: rows.slice(0, 20) },
    });
  });
  return { updated: rows.length };
}

export async function capacityIn(ctx: RequestContext, from: string, to: string, factory?: string): Promise<CapacityRow[]> {
  const db = ctx.sql;
  const rows = await db<{ factory: string; name: string; week: string; item_kind: 'sku' | 'category'; item: string; capacity: string }[]>`
    select p.code as factory, p.name, c.week::text as week, c.item_kind, c.item, c.capacity::text as capacity
    from production_capacity c join parties p on p.tenant_id = c.tenant_id and p.id = c.factory_party_id
    where c.tenant_id = ${ctx.actor.tenantId} and c.week between ${from}::date - 6 and ${to}::date
      ${factory ? db`and p.code = ${factory}` : db``}
    order by c.week, p.code, c.item_kind, c.item`;
  return rows.map((r) => ({
    factory: r.factory,
    factoryName: r.name,
    week: r.week,
    itemKind: r.item_kind,
    item: r.item,
    capacity: Number(r.capacity),
  }));
}

/** The distributors' own lines of each one's latest plan that is not rejected, reaching into [from, to]. */
export async function planDemandLines(ctx: RequestContext, from: string, to: string): Promise<PlanDemandLine[]> {
  const t = ctx.actor.tenantId;
  const rows = await ctx.sql<
    { sku: string; category: string; as_of: string; review_days: number; horizon_days: number; qty: number; mean: number }[]
  >`
    with latest as (
      select distinct on (distributor_id) id, distributor_id, as_of, review_days, horizon_days
      from replenishment_plans where tenant_id = ${t} and status <> 'rejected'
      order by distributor_id, as_of desc, created_at desc, id desc
    )
    select pr.sku, pr.category, lp.as_of::text as as_of, lp.review_days, lp.horizon_days,
      coalesce(l.adjusted_qty, l.suggested_qty) as qty, l.mean_daily as mean
    from latest lp
    join replenishment_plan_lines l on l.tenant_id = ${t} and l.plan_id = lp.id and l.party_id = lp.distributor_id
    join products pr on pr.tenant_id = ${t} and pr.id = l.product_id
    where lp.as_of <= ${to}::date and lp.as_of + lp.horizon_days > ${from}::date - 6`;
  return rows.map((r) => ({
    sku: r.sku,
    category: r.category,
    asOf: r.as_of,
    reviewDays: r.review_days,
    horizonDays: r.horizon_days,
    quantity: Number(r.qty),
    meanDaily: Number(r.mean),
  }));
}
