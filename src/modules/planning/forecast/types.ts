/** The contract every forecasting model fulfils (see docs/PLANNING.md, "Forecasting"). */
export const MODEL_NAMES = [
  'naive',
  'seasonal_naive',
  'ses',
  'ets_damped',
  'ets_additive',
  'ets_damped_additive',
  'ets_multiplicative',
  'ets_damped_multiplicative',
  'croston',
  'sba',
  'tsb',
  'theta',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** A model fitted on a series' first `n` points: its parameters (model-specific layout) and its residual variance. */
export interface Fit {
  params: Float64Array;
  /** In-sample one-step residual variance (sum of squared one-step errors / (n - parameters)). */
  sigma2: number;
}

export interface ModelDef {
  name: ModelName;
  /** Whether the model uses the season length `m` (and so needs m > 1 and enough history). */
  seasonal: boolean;
  /** The fewest points the model can be fitted on for season length m. */
  minLength(m: number): number;
  /** Fits on y[0..n). `warm` is an earlier fit of the same model to start the optimiser from. */
  fit(y: Float64Array, n: number, m: number, warm?: Fit): Fit;
  /** With the fitted parameters held fixed, reads y[0..origin) and writes the forecasts of origin..origin+h-1 to out. */
  forecast(fit: Fit, y: Float64Array, origin: number, m: number, h: number, out: Float64Array): void;
  /** Writes the h-step-ahead forecast variance divided by sigma2, for steps 1..h, to out[0..h). */
  varianceFactors(fit: Fit, m: number, h: number, out: Float64Array): void;
}

export const logistic = (u: number) => 1 / (1 + Math.exp(-u));
export const logit = (p: number) => Math.log(p / (1 - p));
