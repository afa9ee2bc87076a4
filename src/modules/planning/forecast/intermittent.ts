/**
 * Intermittent demand: Croston (1972), SBA (Syntetos-Boylan approximation, Croston times 1 - alpha/2) and TSB
 * (Teunter-Syntetos-Babai 2011, smoothing the probability of a sale every period instead of the interval).
 * Smoothing constants are chosen from small grids by the in-sample sum of squared one-step errors. Initial states are
 * the fit window's mean non-zero size and mean interval between sales (or share of periods with a sale, for TSB).
 *
 * params: croston/sba [alpha, z0, p0]; tsb [alpha, beta, z0, pi0].
 */
import type { Fit, ModelDef, ModelName } from './types.ts';

const ALPHAS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3];
const TSB_ALPHAS = [0.05, 0.1, 0.2, 0.3];
const TSB_BETAS = [0.01, 0.02, 0.05, 0.1, 0.2];

const state = new Float64Array(3);

function sizesAndIntervals(y: Float64Array, n: number): { size: number; interval: number; share: number } {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < n; t++)
    if (y[t]! > 0) {
      sum += y[t]!;
      count++;
    }
  return count === 0 ? { size: 0, interval: 1, share: 0 } : { size: sum / count, interval: n / count, share: count / n };
}

/** Croston's recursions over y[0..n); returns the SSE of the one-step forecasts (times `bias`), leaves z, p in state. */
function runCroston(y: Float64Array, n: number, alpha: number, z0: number, p0: number, bias: number): number {
  let z = z0;
  let p = p0;
  let q = 1;
  let seen = false;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const v = y[t]!;
    const e = v - (bias * z) / p;
    sse += e * e;
    if (v > 0) {
      z += alpha * (v - z);
      // the interval before the first sale in view is unknown (the series is read from its first sale)
      if (seen) p += alpha * (q - p);
      seen = true;
      q = 1;
    } else q++;
  }
  state[0] = z;
  state[1] = p;
  return sse;
}

function crostonModel(name: ModelName, sba: boolean): ModelDef {
  const bias = (alpha: number) => (sba ? 1 - alpha / 2 : 1);
  return {
    name,
    seasonal: false,
    minLength: () => 4,
    fit(y, n) {
      const { size, interval } = sizesAndIntervals(y, n);
      let best = Number.POSITIVE_INFINITY;
      let alpha = ALPHAS[0]!;
      for (const a of ALPHAS) {
        const sse = runCroston(y, n, a, size, interval, bias(a));
        if (sse < best) {
          best = sse;
          alpha = a;
        }
      }
      return { params: Float64Array.of(alpha, size, interval), sigma2: best / Math.max(1, n - 1) };
    },
    forecast(fit, y, origin, _m, h, out) {
      const [alpha, z0, p0] = fit.params as unknown as [number, number, number];
      runCroston(y, origin, alpha, z0, p0, 1);
      const f = (bias(alpha) * state[0]!) / state[1]!;
      for (let i = 0; i < h; i++) out[i] = f;
    },
    /** SES-type approximation: 1 + (h - 1) alpha^2. */
    varianceFactors(fit, _m, h, out) {
      const a = fit.params[0]!;
      for (let i = 0; i < h; i++) out[i] = 1 + i * a * a;
    },
  };
}

function runTsb(y: Float64Array, n: number, alpha: number, beta: number, z0: number, pi0: number): number {
  let z = z0;
  let pi = pi0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const v = y[t]!;
    const e = v - pi * z;
    sse += e * e;
    if (v > 0) {
      z += alpha * (v - z);
      pi += beta * (1 - pi);
    } else pi -= beta * pi;
  }
  state[0] = z;
  state[1] = pi;
  return sse;
}

export const croston = crostonModel('croston', false);
export const sba = crostonModel('sba', true);

export const tsb: ModelDef = {
  name: 'tsb',
  seasonal: false,
  minLength: () => 4,
  fit(y, n): Fit {
    const { size, share } = sizesAndIntervals(y, n);
    let best = Number.POSITIVE_INFINITY;
    let pa = TSB_ALPHAS[0]!;
    let pb = TSB_BETAS[0]!;
    for (const a of TSB_ALPHAS)
      for (const b of TSB_BETAS) {
        const sse = runTsb(y, n, a, b, size, share);
        if (sse < best) {
          best = sse;
          pa = a;
          pb = b;
        }
      }
    return { params: Float64Array.of(pa, pb, size, share), sigma2: best / Math.max(1, n - 2) };
  },
  forecast(fit, y, origin, _m, h, out) {
    const [a, b, z0, pi0] = fit.params as unknown as [number, number, number, number];
    runTsb(y, origin, a, b, z0, pi0);
    const f = state[0]! * state[1]!;
    for (let i = 0; i < h; i++) out[i] = f;
  },
  /** SES-type approximation on the probability, updated every period: 1 + (h - 1) beta^2. */
  varianceFactors(fit, _m, h, out) {
    const b = fit.params[1]!;
    for (let i = 0; i < h; i++) out[i] = 1 + i * b * b;
  },
};
