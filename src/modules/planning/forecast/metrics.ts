/**
 * Accuracy measures as the M5 competitor's guide defines them (Makridakis et al. 2022): errors are scaled by the
 * in-sample one-step naive forecast's error over the series' history from its first non-zero value, so that series of
 * different volumes compare. MASE uses absolute errors, RMSSE squared ones; WRMSSE weighs each series' RMSSE by its
 * share of dollar sales over the last 28 days of history (weights of one level add up to 1).
 */

function firstNonZero(history: ArrayLike<number>): number {
  for (let t = 0; t < history.length; t++) if (history[t] !== 0) return t;
  return history.length;
}

/** Mean squared one-step difference over history[first non-zero..]; its square root is RMSSE's denominator. */
export function rmsseScale(history: ArrayLike<number>, lag = 1): number {
  const start = firstNonZero(history);
  let s = 0;
  let k = 0;
  for (let t = start + lag; t < history.length; t++) {
    const d = history[t]! - history[t - lag]!;
    s += d * d;
    k++;
  }
  return k > 0 ? Math.sqrt(s / k) : Number.NaN;
}

/** Mean absolute one-step difference over history[first non-zero..]: MASE's denominator. */
export function maseScale(history: ArrayLike<number>, lag = 1): number {
  const start = firstNonZero(history);
  let s = 0;
  let k = 0;
  for (let t = start + lag; t < history.length; t++) {
    s += Math.abs(history[t]! - history[t - lag]!);
    k++;
  }
  return k > 0 ? s / k : Number.NaN;
}

function check(actual: ArrayLike<number>, forecast: ArrayLike<number>): void {
  if (actual.length !== forecast.length || actual.length === 0)
    throw new RangeError(`actual and forecast must have the same, non-zero length (${actual.length}, ${forecast.length})`);
}

/** Root mean squared error of a forecast against actuals. */
export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  check(actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (actual[i]! - forecast[i]!) ** 2;
  return Math.sqrt(s / actual.length);
}

/** MASE: mean absolute error over the mean absolute naive difference of the history (NaN when that is undefined or 0). */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, history: ArrayLike<number>, lag = 1): number {
  check(actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i]! - forecast[i]!);
  const scale = maseScale(history, lag);
  return scale > 0 ? s / actual.length / scale : Number.NaN;
}

/** RMSSE: RMSE over the root mean squared naive difference of the history (NaN when that is undefined or 0). */
export function rmsse(actual: ArrayLike<number>, forecast: ArrayLike<number>, history: ArrayLike<number>, lag = 1): number {
  const scale = rmsseScale(history, lag);
  return scale > 0 ? rmse(actual, forecast) / scale : Number.NaN;
}

export interface WeightedSeries {
  actual: ArrayLike<number>;
  forecast: ArrayLike<number>;
  /** RMSSE's denominator, already square-rooted (rmsseScale). */
  scale: number;
  weight: number;
}

/** WRMSSE of one level: sum of weight x RMSSE. Series of zero weight are skipped (their scale may be undefined). */
export function wrmsse(series: Iterable<WeightedSeries>): number {
  let total = 0;
  for (const s of series) {
    if (s.weight === 0) continue;
    total += (s.weight * rmse(s.actual, s.forecast)) / s.scale;
  }
  return total;
}

/** Weights in proportion to dollar sales (units x price per day) over the last `days` of each series' history. */
export function dollarWeights(units: ArrayLike<number>[], prices: ArrayLike<number>[], end: number, days = 28): Float64Array {
  const w = new Float64Array(units.length);
  let total = 0;
  for (let i = 0; i < units.length; i++) {
    let s = 0;
    const u = units[i]!;
    const p = prices[i]!;
    for (let t = Math.max(0, end - days); t < end; t++) s += u[t]! * (p[t]! || 0);
    w[i] = s;
    total += s;
  }
  if (total > 0) for (let i = 0; i < w.length; i++) w[i] = w[i]! / total;
  return w;
}
