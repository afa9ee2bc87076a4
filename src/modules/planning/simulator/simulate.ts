/**
 * A simulation run as one plain async function: parameters in, result out, progress reported per day (the job
 * queue calls this and stores the result as JSON). Both policies play the same demand.
 */

import { type DemandPlan, planDemand, type SeriesTable, seriesFor } from './demand.ts';
import { PolicyEngine } from './engine.ts';
import type { Forecaster } from './forecaster.ts';
import type { SimulationParams } from './params.ts';
import { type SimulationResult, summarise } from './result.ts';

export interface RunOptions {
  /** called after each simulated day: (days done, days in all, across the policies); awaited, and a throw stops the run */
  onProgress?: (day: number, days: number) => void | Promise<void>;
  /** the demand series (default: M5 from ../shared, else the generator) */
  table?: SeriesTable;
  forecaster?: (size: number, window: number) => Forecaster;
  /** yields to the event loop every this many days so a server stays responsive (default 1) */
  yieldEvery?: number;
}

export function demandPlanFor(params: SimulationParams, table?: SeriesTable): DemandPlan {
  const t = table ?? seriesFor(params.seed);
  return planDemand(t, params.seed, params.stores * params.skus, params.storeSizeSigma, (i) => Math.floor(i / params.skus));
}

/** The fast mode: every policy in memory. */
export async function simulateFast(params: SimulationParams, opts: RunOptions = {}): Promise<SimulationResult> {
  const started = performance.now();
  const plan = demandPlanFor(params, opts.table);
  const total = params.days * params.policies.length;
  const results = [];
  let done = 0;
  for (const policy of params.policies) {
    const engine = new PolicyEngine(params, policy, plan, { forecaster: opts.forecaster });
    for (let t = 0; t < params.days; t++) {
      engine.day(t);
      done++;
      await opts.onProgress?.(done, total);
      if (done % (opts.yieldEvery ?? 1) === 0) await new Promise((r) => setImmediate(r));
    }
    results.push(summarise(engine, params.days));
  }
  return resultOf(params, 'fast', plan, results, started);
}

/** A run's result: what was played (the channel's size, the seed, the mode), the demand's source, each policy's figures. */
export function resultOf(
  params: SimulationParams,
  mode: SimulationParams['mode'],
  plan: DemandPlan,
  policies: SimulationResult['policies'],
  started: number,
): SimulationResult {
  const { days, distributors, stores, skus, seed } = params;
  return {
    params: { days, distributors, stores, skus, seed, mode },
    demandSource: plan.table.source,
    policies,
    elapsedMs: Math.round(performance.now() - started),
  };
}
