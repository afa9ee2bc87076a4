/**
 * How accurate a chosen model was in the backtest that chose it, against the seasonal naive benchmark: on the same
 * rolling origins as model choice (select.ts), each model fitted once on the points before the first origin and its
 * parameters held fixed, the forecast of every window scored with MASE and RMSSE (metrics.ts: scaled by the one-step
 * naive differences of the history up to that window's origin, from the first sale), the mean over the windows.
 * Below 1 beats the in-sample naive step; the benchmark's figures are the bar the model has to clear. When the season
 * does not fit before the first origin (yearly seasonality in less than 53 weeks), the benchmark is naive.
 */
import { mase, rmsse } from './metrics.ts';
import { MODELS } from './models.ts';
import { backtestOrigins, type ForecastOptions, minimumHistory } from './select.ts';
import type { ModelName } from './types.ts';

export interface ModelAccuracy {
  name: ModelName;
  /** mean over the windows; null when undefined (a history with no change to scale by) */
  mase: number | null;
  rmsse: number | null;
}

export interface BacktestAccuracy {
  windows: number;
  horizon: number;
  model: ModelAccuracy;
  benchmark: ModelAccuracy;
}

function score(name: ModelName, y: Float64Array, o: ForecastOptions, windows: number, first: number): ModelAccuracy | null {
  const def = MODELS[name];
  const m = o.seasonLength;
  const h = o.horizon;
  if ((def.seasonal && m <= 1) || first < def.minLength(m)) return null;
  let fit: ReturnType<typeof def.fit>;
  try {
    fit = def.fit(y, first, m);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  const out = new Float64Array(h);
  let a = 0;
  let r = 0;
  for (let w = windows; w >= 1; w--) {
    const origin = y.length - w * h;
    def.forecast(fit, y, origin, m, h, out);
    for (let i = 0; i < h; i++) out[i] = Math.max(0, out[i]!);
    const actual = y.subarray(origin, origin + h);
    const history = y.subarray(0, origin);
    a += mase(actual, out, history) / windows;
    r += rmsse(actual, out, history) / windows;
  }
  return { name, mase: Number.isFinite(a) ? a : null, rmsse: Number.isFinite(r) ? r : null };
}

/** The backtest accuracy of `model` and of the benchmark on y (read from its first sale); null if too short. */
export function backtestAccuracy(y: ArrayLike<number>, o: ForecastOptions, model: ModelName): BacktestAccuracy | null {
  let start = 0;
  while (start < y.length && !(y[start]! > 0)) start++;
  const p = Float64Array.from({ length: y.length - start }, (_, i) => y[start + i]!);
  if (p.length < minimumHistory(o.horizon)) return null;
  const { windows, first } = backtestOrigins(p.length, o.horizon, o.windows);
  const chosen = score(model, p, o, windows, first);
  const benchmark = score('seasonal_naive', p, o, windows, first) ?? score('naive', p, o, windows, first);
  if (!chosen || !benchmark) return null;
  return { windows, horizon: o.horizon, model: chosen, benchmark };
}
