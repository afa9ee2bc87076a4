/**
 * Moving a plan through CPFR (cpfr.ts has the rule): each change locks the plan row, checks the transition for the
 * caller's side, writes, and audits in one transaction. The brand's accept then makes the order drafts: one per
 * buyer of the lines with a quantity, through the orders module with the idempotency key `plan:<id>`, so a retried
 * accept (after a lost answer, or a crash between the drafts) finds the drafts already made and makes none twice.
 */
import type { RequestContext } from '../../../context.ts';
import type { Tx } from '../../../db/connection.ts';
import { AppError, type FieldError } from '../../../http/problem.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, whoOf } from '../../auth/index.ts';
import { roleMay } from '../../auth/roles.ts';
import { caseSizes } from '../../catalog/index.ts';
import { orderableRefusal } from '../../inventory/index.ts';
import { createDraft } from '../../orders/index.ts';
import { decide, type PlanAction, type PlanStatus, type Side } from './cpfr.ts';
import { planScope } from './views.ts';

/** The caller's side of a plan: the brand (may plan) or the distributor (may respond); 403 for anyone else. */
export function sideOf(ctx: RequestContext): Side {
  if (roleMay(ctx.actor.role, 'plans:write')) return 'brand';
  if (roleMay(ctx.actor.role, 'plans:respond')) return 'distributor';
  throw AppError.forbidden();
}

interface Locked {
  id: number;
  status: PlanStatus;
  distributor_id: number;
}

async function lockPlan(tx: Tx, ctx: RequestContext, id: number): Promise<Locked> {
  const [plan] = await tx<Locked[]>`
    select rp.id::int, rp.status, rp.distributor_id::int from replenishment_plans rp
    join parties p on p.tenant_id = rp.tenant_id and p.id = rp.distributor_id
    where ${planScope(tx, ctx)} and rp.id = ${id}
    for update of rp`;
  if (!plan) throw AppError.notFound();
  return plan;
}

async function move(
  tx: Tx,
  ctx: RequestContext,
  plan: Locked,
  action: PlanAction,
  side: Side,
  details: Record<string, unknown> = {},
  note?: string | null,
): Promise<PlanStatus> {
  const to = decide(plan.status, action, side);
  await tx`
    update replenishment_plans set status = ${to}, updated_at = now() ${note !== undefined ? tx`, note = ${note}` : tx``}
    where tenant_id = ${ctx.actor.tenantId} and id = ${plan.id}`;
  await appendAudit(tx, whoOf(ctx), {
    action: `plan.${action}`,
    entityType: 'replenishment_plan',
    entityId: plan.id,
    details: { from: plan.status, to, side, ...details },
  });
  return to;
}

export async function sharePlan(ctx: RequestContext, id: number): Promise<void> {
  const side = sideOf(ctx);
  await ctx.sql.begin(async (tx) => {
    const plan = await lockPlan(tx, ctx, id);
    // a plan without lines (no sell-through history to plan from) asks the distributor nothing: it is not shared
    const [lines] = await tx<{ n: number }[]>`
      select count(*)::int as n from replenishment_plan_lines where tenant_id = ${ctx.actor.tenantId} and plan_id = ${id}`;
    if (!lines?.n) throw new AppError(409, 'plans.empty', { id });
    await move(tx, ctx, plan, 'share', side);
  });
}

export interface LineAdjustment {
  lineNo: number;
  quantity: number;
  reason?: string;
}

/**
 * The distributor's quantities, line by line, each with its reason (a quantity equal to the suggestion clears the
 * adjustment). All lines or none: any bad line refuses the whole change, naming each.
 */
export async function adjustLines(ctx: RequestContext, id: number, changes: LineAdjustment[]): Promise<void> {
  const side = sideOf(ctx);
  const t = ctx.actor.tenantId;
  await ctx.sql.begin(async (tx) => {
    const plan = await lockPlan(tx, ctx, id);
    decide(plan.status, 'adjust', side);
    const lines = await tx<
      {
        line_no: number;
        product_id: number;
        suggested_qty: number;
        adjusted_qty: number | null;
        min_qty: number | null;
        multiple_of: number | null;
      }[]
    >`
      select l.line_no, l.product_id::int, l.suggested_qty, l.adjusted_qty, r.min_qty, r.multiple_of
      from replenishment_plan_lines l
      left join order_rules r on r.tenant_id = l.tenant_id and r.product_id = l.product_id
      where l.tenant_id = ${t} and l.plan_id = ${id} and l.line_no = any(${changes.map((c) => c.lineNo)}::int[])`;
    const byNo = new Map(lines.map((l) => [l.line_no, l]));
    const caseOf = await caseSizes(
      tx,
      t,
      lines.map((l) => l.product_id),
    );
    const errors: FieldError[] = [];
    const seen = new Map<number, number>();
    changes.forEach((c, i) => {
      const line = byNo.get(c.lineNo);
      if (!line) errors.push({ pointer: `/body/lines/${i}/lineNo`, code: 'plans.unknown_line', params: { value: c.lineNo } });
      else if (seen.has(c.lineNo))
        errors.push({
          pointer: `/body/lines/${i}/lineNo`,
          code: 'field.invalid',
          params: { field: 'lineNo', reason: 'the same line twice' },
        });
      else {
        const refusal = wholeCasesRefusal(c.quantity, { ...line, caseSize: caseOf.get(line.product_id) ?? null });
        if (refusal) errors.push({ pointer: `/body/lines/${i}/quantity`, ...refusal });
        if (c.quantity !== line.suggested_qty && !c.reason?.trim())
          errors.push({ pointer: `/body/lines/${i}/reason`, code: 'plans.reason_required', params: {} });
      }
      seen.set(c.lineNo, i);
    });
    if (errors.length) throw AppError.invalid(errors);
    const by = actorLabel(ctx.actor);
    await tx`
      update replenishment_plan_lines l set
        adjusted_qty = case when c.qty = l.suggested_qty then null else c.qty end,
        adjust_reason = case when c.qty = l.suggested_qty then null else c.reason end,
        adjusted_by = ${by}, adjusted_at = now()
      from unnest(${changes.map((c) => c.lineNo)}::int[], ${changes.map((c) => c.quantity)}::int[],
        ${changes.map((c) => c.reason?.trim() ?? null)}::text[]) as c(line_no, qty, reason)
      where l.tenant_id = ${t} and l.plan_id = ${id} and l.line_no = c.line_no`;
    await tx`update replenishment_plans set updated_at = now() where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'plan.adjust',
      entityType: 'replenishment_plan',
      entityId: id,
      details: {
        lines: changes.map((c) => ({
          lineNo: c.lineNo,
          suggested: byNo.get(c.lineNo)?.suggested_qty,
          from: byNo.get(c.lineNo)?.adjusted_qty ?? byNo.get(c.lineNo)?.suggested_qty,
          to: c.quantity,
          reason: c.reason ?? null,
        })),
      },
    });
  });
}

/**
 * A distributor's quantity for a line as the order it becomes will be checked (inventory's orderableRefusal, the rule
 * the suggestion is rounded by): 0, or at least the minimum in whole cases (and the order rule's multiple); the
 * refusal's code and params, or null.
 */
function wholeCasesRefusal(
  quantity: number,
  line: { min_qty: number | null; multiple_of: number | null; caseSize: number | null },
): Omit<FieldError, 'pointer'> | null {
  const refusal = orderableRefusal(quantity, { minQty: line.min_qty, multipleOf: line.multiple_of, caseSize: line.caseSize });
  if (!refusal) return null;
  if (refusal.reason === 'below_minimum') return { code: 'order.below_minimum', params: { value: quantity, min: refusal.min } };
  if (!line.caseSize) return { code: 'order.not_case_multiple', params: { value: quantity, multiple: refusal.step } };
  const params = { value: quantity, caseSize: line.caseSize, step: refusal.step, multiple: line.multiple_of };
  return refusal.step === line.caseSize
    ? { code: 'plans.not_whole_cases', params }
    : { code: 'plans.not_whole_cases', message: 'plans.not_whole_cases_of_rule', params };
}

export async function sendBackPlan(ctx: RequestContext, id: number, note: string | null): Promise<void> {
  const side = sideOf(ctx);
  await ctx.sql.begin(async (tx) => move(tx, ctx, await lockPlan(tx, ctx, id), 'send_back', side, { note }, note));
}

export async function rejectPlan(ctx: RequestContext, id: number, note: string | null): Promise<void> {
  const side = sideOf(ctx);
  await ctx.sql.begin(async (tx) => move(tx, ctx, await lockPlan(tx, ctx, id), 'reject', side, { note }, note));
}

/**
 * Accept: by the distributor, its answer goes to the brand (shared -> adjusted); by the brand, the plan is agreed
 * (adjusted -> accepted) and its lines become order drafts (-> ordered). Retried on an accepted plan (drafts cut
 * short) it finishes the drafts; on an ordered one it changes nothing. Returns whether anything changed.
 */
export async function acceptPlan(ctx: RequestContext, id: number): Promise<{ replayed: boolean }> {
  const side = sideOf(ctx);
  const t = ctx.actor.tenantId;
  const status = await ctx.sql.begin(async (tx) => {
    const plan = await lockPlan(tx, ctx, id);
    if (side === 'brand' && (plan.status === 'accepted' || plan.status === 'ordered')) return plan.status;
    if (side === 'brand' && plan.status === 'adjusted') {
      const [n] = await tx<{ n: number }[]>`
        select count(*)::int as n from replenishment_plan_lines
        where tenant_id = ${t} and plan_id = ${id} and coalesce(adjusted_qty, suggested_qty) > 0`;
      if (!n?.n) throw new AppError(409, 'plans.nothing_to_order', { id });
    }
    const [adj] = await tx<{ n: number }[]>`
      select count(*)::int as n from replenishment_plan_lines
      where tenant_id = ${t} and plan_id = ${id} and adjusted_qty is not null`;
    await move(tx, ctx, plan, 'accept', side, { adjustedLines: adj?.n ?? 0 });
    return null;
  });
  if (side === 'distributor') return { replayed: false };
  if (status === 'ordered') return { replayed: true };
  await makeDrafts(ctx, id);
  return { replayed: status === 'accepted' };
}

/** One order draft per buyer of the accepted lines with a quantity; then the plan is ordered. */
async function makeDrafts(ctx: RequestContext, id: number): Promise<void> {
  const t = ctx.actor.tenantId;
  const lines = await ctx.sql<
    { party_id: number; party_code: string; seller_id: number; product_id: number; qty: number; suggested: number }[]
  >`
    select l.party_id::int, p.code as party_code, l.seller_party_id::int as seller_id, l.product_id::int,
      coalesce(l.adjusted_qty, l.suggested_qty) as qty, l.suggested_qty as suggested
    from replenishment_plan_lines l join parties p on p.tenant_id = l.tenant_id and p.id = l.party_id
    where l.tenant_id = ${t} and l.plan_id = ${id} and coalesce(l.adjusted_qty, l.suggested_qty) > 0
    order by l.line_no`;
  type Line = (typeof lines)[number];
  const byBuyer = new Map<number, Line[]>();
  for (const l of lines) byBuyer.set(l.party_id, [...(byBuyer.get(l.party_id) ?? []), l]);
  const drafts: { party: string; draftId: number }[] = [];
  for (const [buyerId, ls] of byBuyer) {
    const first = ls[0] as Line;
    const { draft } = await createDraft(ctx, {
      buyerId,
      sellerId: first.seller_id,
      source: 'replenishment',
      params: { planId: id },
      lines: ls.map((l) => ({ productId: l.product_id, quantity: l.qty, suggested: l.suggested })),
      idempotencyKey: `plan:${id}`,
    });
    drafts.push({ party: first.party_code, draftId: draft.id });
  }
  await ctx.sql.begin(async (tx) => {
    const [plan] = await tx<{ status: PlanStatus }[]>`
      select status from replenishment_plans where tenant_id = ${t} and id = ${id} for update`;
    if (plan?.status !== 'accepted') return;
    await tx`
      update replenishment_plans set status = 'ordered', drafts = ${tx.json(drafts as never)}, updated_at = now()
      where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'plan.order',
      entityType: 'replenishment_plan',
      entityId: id,
      details: { from: 'accepted', to: 'ordered', drafts },
    });
  });
}
