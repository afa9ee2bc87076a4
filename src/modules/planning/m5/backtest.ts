/**
 * The M5 backtest behind `throughline planning backtest`: every model and the automatic choice fitted on each item x
 * store series up to day `end`, forecasting the next `horizon` days, scored against the actuals.
 *
 * Scores per model: level 12 RMSSE as the plain mean over the series and weighted the M5 way (dollar sales of the 28
 * days up to `end`: that is the level-12 WRMSSE); and the M5 WRMSSE over the 12 levels (bottom-up sums of the
 * level-12 forecasts, each level weighted 1/12).
 */
import {
  dollarWeights,
  forecastAllModels,
  InsufficientHistoryError,
  MODEL_NAMES,
  type ModelName,
  rmse,
  rmsseScale,
} from '../forecast/index.ts';
import { m5Hierarchy, sumRows } from './hierarchy.ts';
import { type M5Data, M5InputError } from './m5-data.ts';

export const BACKTEST_MODELS = [...MODEL_NAMES, 'auto'] as const;
export type BacktestModel = (typeof BACKTEST_MODELS)[number];

export const MAX_HORIZON = 365;

export interface BacktestResult {
  end: number;
  horizon: number;
  /** One row per series and model, in the data's series order. */
  rows: { id: string; model: BacktestModel; forecast: number[] }[];
  /** Per model: plain mean level-12 RMSSE, weighted (level-12 WRMSSE), WRMSSE over levels 1-12. */
  scores: { model: BacktestModel; meanRmsse: number; weightedRmsse: number; wrmsse12: number }[];
  /** How often each model was the automatic choice. */
  chosen: Partial<Record<ModelName, number>>;
  /** Series whose history from the first sale was too short for the models (forecast: their recent mean). */
  shortSeries: number;
  /** Series without a sale up to `end` (every model forecasts 0; not scored: their RMSSE scale is undefined). */
  neverSold: number;
  /** Model x series forecasts that could not be fitted (e.g. multiplicative ETS on a level gone to 0): recent mean. */
  unfitted: Partial<Record<ModelName, number>>;
  scored: boolean;
}

/** `end`: the number of days of history (forecasts start on day end + 1). */
export function checkBacktestInput(data: M5Data, end: number, horizon: number): void {
  const last = data.days.length;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON)
    throw new M5InputError(`--horizon must be a whole number from 1 to ${MAX_HORIZON}, got ${horizon}`);
  if (!Number.isInteger(end) || end < 1 || end > last)
    throw new M5InputError(`--end must be a day of the data, d_1 .. d_${last}, got d_${end}`);
  if (end + horizon > last)
    throw new M5InputError(
      `--end d_${end}: the data ends at d_${last}, so with --horizon ${horizon} the latest end with actuals to score against is d_${last - horizon}`,
    );
  if (end < 2 * horizon)
    throw new M5InputError(`--end d_${end}: at least ${2 * horizon} days of history are needed for --horizon ${horizon}`);
}

export function runM5Backtest(
  data: M5Data,
  end: number,
  horizon: number,
  onProgress?: (done: number, total: number) => void,
): BacktestResult {
  checkBacktestInput(data, end, horizon);
  const N = data.series.length;
  const perModel = new Map<BacktestModel, Float64Array[]>(BACKTEST_MODELS.map((m) => [m, []]));
  const chosen: Partial<Record<ModelName, number>> = {};
  let shortSeries = 0;
  let neverSold = 0;
  const unfitted: Partial<Record<ModelName, number>> = {};
  for (let i = 0; i < N; i++) {
    const history = data.units[i]!.subarray(0, end);
    let all: ReturnType<typeof forecastAllModels> | null = null;
    try {
      all = forecastAllModels(history, { horizon, seasonLength: 7 });
    } catch (e) {
      if (!(e instanceof InsufficientHistoryError)) throw e;
      shortSeries++;
    }
    let recent = 0;
    for (let t = Math.max(0, end - 28); t < end; t++) recent += history[t]! / Math.min(28, end);
    const fallback = new Float64Array(horizon).fill(recent);
    for (const name of MODEL_NAMES) {
      const f = all?.forecasts[name];
      perModel.get(name)!.push(f ? Float64Array.from(f) : fallback);
      if (!f && all) unfitted[name] = (unfitted[name] ?? 0) + 1;
    }
    perModel.get('auto')!.push(all ? Float64Array.from(all.forecasts[all.auto]!) : fallback);
    if (!history.some((v) => v > 0)) neverSold++;
    else if (all) chosen[all.auto] = (chosen[all.auto] ?? 0) + 1;
    onProgress?.(i + 1, N);
  }
  const rows: BacktestResult['rows'] = [];
  for (let i = 0; i < N; i++)
    for (const model of BACKTEST_MODELS) rows.push({ id: data.series[i]!.id, model, forecast: Array.from(perModel.get(model)![i]!) });

  // scoring: weights, scales and actuals of every aggregate series
  const hierarchy = m5Hierarchy(data.series);
  const bottomWeights = dollarWeights(data.units, data.prices, end);
  const levels = hierarchy.map((a) => {
    const history = sumRows(data.units, a.members, 0, end);
    const actual = sumRows(data.units, a.members, end, end + horizon);
    let weight = 0;
    for (const i of a.members) weight += bottomWeights[i]!;
    return { ...a, scale: rmsseScale(history), actual, weight };
  });
  const scores = BACKTEST_MODELS.map((model) => {
    const f = perModel.get(model)!;
    const byLevel = new Float64Array(12);
    let plain = 0;
    let count = 0;
    let weighted = 0;
    for (const a of levels) {
      if (!(a.scale > 0)) continue;
      const e = rmse(a.actual, sumRows(f, a.members, 0, horizon)) / a.scale;
      byLevel[a.level - 1]! += a.weight * e;
      if (a.level === 12) {
        plain += e;
        count++;
        weighted += a.weight * e;
      }
    }
    return { model, meanRmsse: plain / count, weightedRmsse: weighted, wrmsse12: byLevel.reduce((s, v) => s + v, 0) / 12 };
  });
  return { end, horizon, rows, scores, chosen, shortSeries, neverSold, unfitted, scored: true };
}
