/**
 * The job that computes replenishment plans (`planning.plans.create`): one plan per distributor, progress per
 * distributor, every plan written in one transaction at the end (a failed or cancelled run writes none).
 */
import { type Static, Type } from '@sinclair/typebox';
import { AppError } from '../../../http/problem.ts';
import type { JobKind } from '../../../platform/jobs/index.ts';
import { DEFAULT_REVIEW_DAYS, DEFAULT_SERVICE_LEVEL } from '../../inventory/index.ts';
import { isPlanningDay } from '../capacity/weeks.ts';
import { type ComputedPlan, computePlan, type PlanParams, resolveDistributors, resolveSkus, savePlans } from './create.ts';
import type { DemandForecaster } from './forecaster.ts';

export const PLAN_JOB = 'planning.plans.create';

export const PlanParamsSchema = Type.Object(
  {
    distributors: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
    all: Type.Optional(Type.Boolean()),
    // the probability of not running out before the next delivery: above 0.5 (a safety stock of 0 or less means
    // none), at most 0.999
    serviceLevel: Type.Number({ exclusiveMinimum: 0.5, maximum: 0.999, default: DEFAULT_SERVICE_LEVEL }),
    horizonDays: Type.Integer({ minimum: 7, maximum: 182, default: 28 }),
    reviewDays: Type.Integer({ minimum: 1, maximum: 90, default: DEFAULT_REVIEW_DAYS }),
    // 112 days: the model forecast needs twice the horizon from the first sale (56 days for the default 28) and 3 backtest
    // windows need 3 horizons + 28 days; shorter series fall back to the sell-through mean (docs/PLANNING.md)
    historyDays: Type.Integer({ minimum: 7, maximum: 730, default: 112 }),
    asOf: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
    skus: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type PlanJobParams = Static<typeof PlanParamsSchema>;

export interface PlanJobResult {
  plans: { id: number; distributor: string; lines: number }[];
}

export function planJob(forecaster: DemandForecaster, today: () => string): JobKind<PlanJobParams, PlanJobResult> {
  const full = (p: PlanJobParams): PlanParams => ({ ...p, asOf: p.asOf ?? today() });
  return {
    kind: PLAN_JOB,
    access: 'plans:write',
    maxAttempts: 2,
    params: PlanParamsSchema,
    async check(ctx, p, at) {
      if (!p.all && !p.distributors) throw AppError.field(`${at}/distributors`, 'field.required', { field: 'distributors' });
      if (p.asOf && !isPlanningDay(p.asOf))
        throw AppError.field(`${at}/asOf`, 'field.invalid', { field: 'asOf', reason: 'not a day between 2000 and 2100' });
      await resolveDistributors(ctx, p, at);
      await resolveSkus(ctx, p.skus, at);
    },
    async run(ctx, raw, progress) {
      const p = full(raw);
      const distributors = await resolveDistributors(ctx, p, '/params');
      const productIds = await resolveSkus(ctx, p.skus, '/params');
      const plans: ComputedPlan[] = [];
      const total = distributors.length;
      await progress(0, total + 1, { key: 'plans.progress', params: { done: 0, total } });
      for (const [i, d] of distributors.entries()) {
        plans.push(await computePlan(ctx, forecaster, d, p, productIds));
        await progress(i + 1, total + 1, { key: 'plans.progress', params: { done: i + 1, total } });
      }
      const ids = await ctx.sql.begin((tx) => savePlans(tx, ctx, plans, p, forecaster.name, ctx.jobId));
      // no progress report after the write: a cancel arriving now would not undo it (the runner marks the job done)
      return { plans: plans.map((pl, i) => ({ id: ids[i] as number, distributor: pl.distributorCode, lines: pl.lines.length })) };
    },
  };
}
