/**
 * Model choice per series by rolling-origin backtest, and the forecast with intervals.
 *
 * The series is read from its first non-zero value (a product's history starts when it is first sold). With n points
 * left, horizon h and K windows (default 3, fewer if the history is short), the origins are n - K h, ..., n - h. Each
 * candidate is fitted once on the points before the first origin; with those parameters held fixed it then reads the
 * history up to each origin and forecasts the next h points (negative forecasts become 0, as demand cannot be
 * negative). Its score is the mean over the windows of the window's RMSSE (scale from the points before the first
 * origin). The lowest score wins; the winner is then refitted on the whole history, starting the optimiser from its
 * backtest parameters, and forecasts the h points after it.
 *
 * Intervals: normal, mean +- z * sqrt(sigma2 * v_h), sigma2 the in-sample one-step residual variance of the final fit
 * and v_h the model's h-step variance factor (analytical for naive, seasonal naive and additive ETS; SES-type
 * approximations for multiplicative ETS, Croston, SBA, TSB and Theta); the lower bound is cut at 0.
 */
import { MODELS } from './models.ts';
import { normalQuantile } from './normal.ts';
import { type Fit, MODEL_NAMES, type ModelName } from './types.ts';

export interface ForecastOptions {
  horizon: number;
  /** Season length: 7 for daily data (weekly seasonality), 52 for weekly data (yearly), 1 for none. */
  seasonLength: number;
  /** Central coverage of the interval, default 0.95. */
  level?: number;
  /** Backtest windows, default 3. */
  windows?: number;
  /** Candidate models for the automatic choice, default AUTO_MODELS. */
  models?: readonly ModelName[];
}

export interface SeriesForecast {
  model: ModelName;
  mean: number[];
  lower: number[];
  upper: number[];
  level: number;
  /** The backtest: windows used and each candidate's mean RMSSE over them (lower is better). */
  backtest: { windows: number; scores: Partial<Record<ModelName, number>> };
}

export interface Selection {
  best: ModelName;
  windows: number;
  scores: Partial<Record<ModelName, number>>;
  /** Each candidate's backtest fit (a warm start for its final fit). */
  fits: Partial<Record<ModelName, Fit>>;
}

/** The history is too short to forecast this horizon (needs twice the horizon, at least 8 points, from the first sale). */
export class InsufficientHistoryError extends RangeError {
  constructor(
    readonly needed: number,
    readonly have: number,
  ) {
    super(`too little history: ${have} points from the first sale, ${needed} needed`);
  }
}

/**
 * The automatic choice's candidates: every model but the two benchmarks. Naive and seasonal naive are there to be
 * beaten; left in the pool, they win three short windows by chance often enough to cost accuracy (measured on M5,
 * docs/PLANNING.md).
 */
export const AUTO_MODELS: readonly ModelName[] = MODEL_NAMES.filter((m) => m !== 'naive' && m !== 'seasonal_naive');

export const minimumHistory = (horizon: number) => Math.max(2 * horizon, 8);

/** The rolling origins of a backtest of n points: K windows of h (fewer if short), the first origin n - K h. */
export function backtestOrigins(n: number, h: number, windows = 3): { windows: number; first: number } {
  const K = Math.max(1, Math.min(windows, Math.floor((n - Math.max(h, 8)) / h)));
  return { windows: K, first: n - K * h };
}

function prepare(y: ArrayLike<number>): Float64Array {
  let start = 0;
  while (start < y.length && !(y[start]! > 0)) start++;
  const out = new Float64Array(y.length - start);
  for (let t = start; t < y.length; t++) {
    const v = y[t]!;
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`demand must be finite and not negative (point ${t}: ${v})`);
    out[t - start] = v;
  }
  return out;
}

function checkOptions(o: ForecastOptions): void {
  if (!Number.isInteger(o.horizon) || o.horizon < 1) throw new RangeError(`horizon must be a whole number >= 1, got ${o.horizon}`);
  if (!Number.isInteger(o.seasonLength) || o.seasonLength < 1) throw new RangeError(`seasonLength must be a whole number >= 1`);
}

function candidates(names: readonly ModelName[], o: ForecastOptions, fitLength: number): ModelName[] {
  const m = o.seasonLength;
  return names.filter((name) => {
    const def = MODELS[name];
    if (def.seasonal && m <= 1) return false;
    return fitLength >= def.minLength(m);
  });
}

/**
 * Mean RMSSE of each of `names` over K rolling origins, the best of those in the pool `o.models`; the series must
 * already be prepared (see `prepare`).
 */
function backtest(y: Float64Array, o: ForecastOptions, names: readonly ModelName[] = o.models ?? AUTO_MODELS): Selection {
  const pool = o.models ?? AUTO_MODELS;
  const n = y.length;
  const h = o.horizon;
  const m = o.seasonLength;
  const { windows: K, first } = backtestOrigins(n, h, o.windows);
  let sq = 0;
  let k = 0;
  for (let t = 1; t < first; t++) {
    sq += (y[t]! - y[t - 1]!) ** 2;
    k++;
  }
  const scale = k > 0 && sq > 0 ? Math.sqrt(sq / k) : 1;
  const out = new Float64Array(h);
  const scores: Partial<Record<ModelName, number>> = {};
  const fits: Partial<Record<ModelName, Fit>> = {};
  let best: ModelName | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const name of candidates(names, o, first)) {
    const def = MODELS[name];
    let fit: Fit;
    try {
      fit = def.fit(y, first, m);
    } catch (e) {
      if (e instanceof RangeError) continue;
      throw e;
    }
    let score = 0;
    for (let w = K; w >= 1; w--) {
      const origin = n - w * h;
      def.forecast(fit, y, origin, m, h, out);
      let s = 0;
      for (let i = 0; i < h; i++) {
        const f = Math.max(out[i]!, 0);
        s += (y[origin + i]! - f) ** 2;
      }
      score += Math.sqrt(s / h) / scale / K;
    }
    if (!Number.isFinite(score)) continue;
    scores[name] = score;
    fits[name] = fit;
    if (score < bestScore && pool.includes(name)) {
      bestScore = score;
      best = name;
    }
  }
  if (best === null) throw new InsufficientHistoryError(minimumHistory(h), n);
  return { best, windows: K, scores, fits };
}

/** Chooses the model for a series by rolling-origin backtest (see the file's comment). */
export function selectModel(y: ArrayLike<number>, o: ForecastOptions): Selection {
  checkOptions(o);
  const p = prepare(y);
  if (p.length < minimumHistory(o.horizon)) throw new InsufficientHistoryError(minimumHistory(o.horizon), p.length);
  return backtest(p, o);
}

/** One model's forecast and interval on the whole (prepared) history. */
function finalForecast(
  name: ModelName,
  y: Float64Array,
  o: ForecastOptions,
  warm?: Fit,
): { mean: number[]; lower: number[]; upper: number[] } {
  const h = o.horizon;
  const def = MODELS[name];
  const fit = def.fit(y, y.length, o.seasonLength, warm);
  const mean = new Float64Array(h);
  const v = new Float64Array(h);
  def.forecast(fit, y, y.length, o.seasonLength, h, mean);
  def.varianceFactors(fit, o.seasonLength, h, v);
  const z = normalQuantile(0.5 + (o.level ?? 0.95) / 2);
  const r = { mean: new Array<number>(h), lower: new Array<number>(h), upper: new Array<number>(h) };
  for (let i = 0; i < h; i++) {
    const f = Math.max(mean[i]!, 0);
    const half = z * Math.sqrt(Math.max(0, fit.sigma2 * v[i]!));
    r.mean[i] = f;
    r.lower[i] = Math.max(0, f - half);
    r.upper[i] = f + half;
  }
  return r;
}

const zeros = (h: number) => new Array<number>(h).fill(0);

/** The automatic forecast: the model chosen by backtest, refitted on the whole history, with its interval. */
export function forecastSeries(y: ArrayLike<number>, o: ForecastOptions): SeriesForecast {
  checkOptions(o);
  const level = o.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const p = prepare(y);
  if (p.length === 0 && y.length >= minimumHistory(o.horizon)) {
    // never sold: nothing to learn from, and nothing to expect
    return {
      model: 'naive',
      mean: zeros(o.horizon),
      lower: zeros(o.horizon),
      upper: zeros(o.horizon),
      level,
      backtest: { windows: 0, scores: {} },
    };
  }
  if (p.length < minimumHistory(o.horizon)) throw new InsufficientHistoryError(minimumHistory(o.horizon), p.length);
  const sel = backtest(p, o);
  const f = finalOfBest(sel, p, o);
  return { model: f.model, mean: f.mean, lower: f.lower, upper: f.upper, level, backtest: { windows: sel.windows, scores: sel.scores } };
}

/**
 * The backtest's winner refitted on the whole history; should it not fit there (a multiplicative level fallen to 0 in
 * the latest stretch), the runner-up, and so on.
 */
function finalOfBest(sel: Selection, p: Float64Array, o: ForecastOptions): ReturnType<typeof finalForecast> & { model: ModelName } {
  const pool = o.models ?? AUTO_MODELS;
  const ranked = (Object.keys(sel.scores) as ModelName[]).filter((m) => pool.includes(m)).sort((a, b) => sel.scores[a]! - sel.scores[b]!);
  for (const name of ranked) {
    try {
      return { model: name, ...finalForecast(name, p, o, sel.fits[name]) };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  throw new InsufficientHistoryError(minimumHistory(o.horizon), p.length);
}

/**
 * Every model's forecast plus the automatic choice (for the backtest CLI): `forecasts[name]` for each model that
 * could be fitted (on the backtest window and on the whole history), and `auto` naming the chosen one.
 */
export function forecastAllModels(
  y: ArrayLike<number>,
  o: ForecastOptions,
): { auto: ModelName; forecasts: Partial<Record<ModelName, number[]>>; scores: Partial<Record<ModelName, number>> } {
  checkOptions(o);
  const p = prepare(y);
  const forecasts: Partial<Record<ModelName, number[]>> = {};
  if (p.length === 0) {
    for (const name of MODEL_NAMES) forecasts[name] = zeros(o.horizon);
    return { auto: 'naive', forecasts, scores: {} };
  }
  if (p.length < minimumHistory(o.horizon)) throw new InsufficientHistoryError(minimumHistory(o.horizon), p.length);
  const sel = backtest(p, o, MODEL_NAMES);
  for (const name of Object.keys(sel.fits) as ModelName[]) {
    try {
      forecasts[name] = finalForecast(name, p, o, sel.fits[name]).mean;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  const pool = o.models ?? AUTO_MODELS;
  const auto = (Object.keys(forecasts) as ModelName[])
    .filter((m) => pool.includes(m) && sel.scores[m] !== undefined)
    .sort((a, b) => sel.scores[a]! - sel.scores[b]!)[0];
  if (!auto) throw new InsufficientHistoryError(minimumHistory(o.horizon), p.length);
  return { auto, forecasts, scores: sel.scores };
}
