/**
 * Exponential smoothing (ETS, additive errors, Hyndman et al. 2008) in six forms: no trend or an additive damped
 * trend, times no, additive or multiplicative seasonality. The smoothing parameters are fitted by minimising the
 * in-sample sum of squared one-step errors with Nelder-Mead over a logistic map that keeps them admissible
 * (0 < alpha < 1, 0 < beta < alpha, 0 < gamma < 1 - alpha, 0.8 <= phi <= 0.98). Initial states are not optimised:
 * they come from the first seasons (level and trend from season means, seasonal indices from each season's deviations
 * or ratios to its mean), which keeps the search to at most four dimensions.
 *
 * params layout: [alpha, beta, gamma, phi, l0, b0, s_0 .. s_{m-1}] (s only for seasonal forms).
 */
import { nelderMead } from './nelder-mead.ts';
import { type Fit, logistic, logit, type ModelDef, type ModelName } from './types.ts';

enum Season {
  None = 0,
  Additive = 1,
  Multiplicative = 2,
}

const A = 0;
const B = 1;
const G = 2;
const PHI = 3;
const L0 = 4;
const B0 = 5;
const S0 = 6;

/** Final state after a run (level, trend), written by `run`. */
const last = new Float64Array(2);

/**
 * One pass of the recursions over y[0..n) with the parameters in p, the seasonal states in `s` (a working copy, left
 * holding the latest index of each phase: s[t mod m]). Returns the sum of squared one-step errors.
 */
function run(y: Float64Array, n: number, m: number, damped: boolean, season: Season, p: Float64Array, s: Float64Array): number {
  const a = p[A]!;
  const b = damped ? p[B]! : 0;
  const g = p[G]!;
  const phi = damped ? p[PHI]! : 0;
  let l = p[L0]!;
  let tr = damped ? p[B0]! : 0;
  let sse = 0;
  if (season === Season.None) {
    for (let t = 0; t < n; t++) {
      const base = l + phi * tr;
      const e = y[t]! - base;
      sse += e * e;
      l = base + a * e;
      tr = phi * tr + b * e;
    }
  } else if (season === Season.Additive) {
    for (let i = 0; i < m; i++) s[i] = p[S0 + i]!;
    let k = 0;
    for (let t = 0; t < n; t++) {
      const base = l + phi * tr;
      const st = s[k]!;
      const e = y[t]! - base - st;
      sse += e * e;
      l = base + a * e;
      tr = phi * tr + b * e;
      s[k] = st + g * e;
      if (++k === m) k = 0;
    }
  } else {
    for (let i = 0; i < m; i++) s[i] = p[S0 + i]!;
    let k = 0;
    for (let t = 0; t < n; t++) {
      // a multiplicative season of a level at or below 0 means nothing: through a long spell without sales (out of
      // stock, delisted) the level is held at a small floor, and the seasonal indices wait for it to recover
      const lt = l + phi * tr;
      const floored = !(lt > 1e-6);
      const base = floored ? 1e-6 : lt;
      const st = s[k]!;
      const e = y[t]! - base * st;
      sse += e * e;
      const es = st > 1e-6 ? e / st : e;
      l = base + a * es;
      tr = phi * tr + b * es;
      if (!floored) {
        // normalised indices lie in [0, m] (all of a season's demand in one phase at most)
        const sn = st + (g * e) / base;
        s[k] = Math.min(Math.max(sn, 0), m);
      }
      if (++k === m) k = 0;
    }
  }
  last[0] = l;
  last[1] = tr;
  return sse;
}

/** Initial level, trend and seasonal states from the first seasons; null when the form cannot start (see below). */
function initialStates(y: Float64Array, n: number, m: number, damped: boolean, season: Season, p: Float64Array): boolean {
  if (season === Season.None) {
    const k0 = Math.min(n, 10);
    let s1 = 0;
    for (let t = 0; t < k0; t++) s1 += y[t]!;
    p[L0] = s1 / k0;
    p[B0] = 0;
    if (damped && n >= 2 * k0) {
      let s2 = 0;
      for (let t = k0; t < 2 * k0; t++) s2 += y[t]!;
      p[B0] = (s2 / k0 - s1 / k0) / k0;
    }
    return true;
  }
  // up to 20 seasons (20 weeks of daily data): seasonal indices from one noisy season would stay wrong for long
  const k = Math.min(Math.floor(n / m), Math.max(2, Math.floor(140 / m)));
  if (k < 1) return false;
  let first = 0;
  let lastMean = 0;
  let sumMeans = 0;
  for (let i = 0; i < m; i++) p[S0 + i] = 0;
  for (let j = 0; j < k; j++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += y[j * m + i]!;
    const mean = sum / m;
    if (j === 0) first = mean;
    lastMean = mean;
    sumMeans += mean;
    for (let i = 0; i < m; i++) p[S0 + i]! += season === Season.Additive ? (y[j * m + i]! - mean) / k : y[j * m + i]!;
  }
  p[L0] = first;
  p[B0] = damped && k >= 2 && season === Season.Additive ? (lastMean - first) / ((k - 1) * m) : 0;
  if (season === Season.Multiplicative) {
    // ratios of each phase's total to the seasons' mean total: undefined when those seasons sold nothing
    if (!(sumMeans > 0) || !(first > 0)) return false;
    for (let i = 0; i < m; i++) p[S0 + i] = p[S0 + i]! / sumMeans;
  }
  let mean = 0;
  for (let i = 0; i < m; i++) mean += p[S0 + i]! / m;
  for (let i = 0; i < m; i++) p[S0 + i] = season === Season.Additive ? p[S0 + i]! - mean : p[S0 + i]! / mean;
  return true;
}

function etsModel(name: ModelName, damped: boolean, season: Season): ModelDef {
  const dims = 1 + (damped ? 2 : 0) + (season !== Season.None ? 1 : 0);
  const toParams = (u: Float64Array, p: Float64Array) => {
    let k = 0;
    const a = logistic(u[k++]!);
    p[A] = a;
    if (damped) {
      p[B] = a * logistic(u[k++]!);
      p[PHI] = 0.8 + 0.18 * logistic(u[k++]!);
    } else {
      p[B] = 0;
      p[PHI] = 0;
    }
    p[G] = season !== Season.None ? (1 - a) * logistic(u[k++]!) : 0;
  };
  const toU = (p: Float64Array, u: Float64Array) => {
    const clamp = (q: number) => logit(Math.min(Math.max(q, 1e-4), 1 - 1e-4));
    let k = 0;
    u[k++] = clamp(p[A]!);
    if (damped) {
      u[k++] = clamp(p[B]! / p[A]!);
      u[k++] = clamp((p[PHI]! - 0.8) / 0.18);
    }
    if (season !== Season.None) u[k++] = clamp(p[G]! / (1 - p[A]!));
  };
  return {
    name,
    seasonal: season !== Season.None,
    minLength: (m) => (season === Season.None ? 4 : m + Math.max(4, Math.ceil(m / 2))),
    fit(y, n, m, warm) {
      const mm = season === Season.None ? 1 : m;
      const p = new Float64Array(S0 + (season === Season.None ? 0 : m));
      if (!initialStates(y, n, mm, damped, season, p)) throw new RangeError(`${name}: cannot start on this history`);
      const s = new Float64Array(mm);
      const u = new Float64Array(dims);
      if (warm) {
        p[A] = warm.params[A]!;
        p[B] = warm.params[B]!;
        p[G] = warm.params[G]!;
        p[PHI] = warm.params[PHI]!;
        toU(p, u);
      } else {
        p[A] = 0.1;
        p[B] = 0.01;
        p[G] = 0.05;
        p[PHI] = 0.95;
        toU(p, u);
      }
      const r = nelderMead(
        (x) => {
          toParams(x, p);
          return run(y, n, mm, damped, season, p, s);
        },
        u,
        { maxEvals: warm ? 12 * dims : 20 + 15 * dims, step: warm ? 0.5 : 1.5, tolerance: 1e-5 },
      );
      toParams(r.x, p);
      const sse = run(y, n, mm, damped, season, p, s);
      if (!Number.isFinite(sse)) throw new RangeError(`${name}: no admissible fit on this history`);
      return { params: p, sigma2: sse / Math.max(1, n - dims) };
    },
    forecast(fit, y, origin, m, h, out) {
      const mm = season === Season.None ? 1 : m;
      const s = new Float64Array(mm);
      run(y, origin, mm, damped, season, fit.params, s);
      const l = last[0]!;
      const tr = last[1]!;
      const phi = damped ? fit.params[PHI]! : 0;
      let phiH = 0;
      let pow = 1;
      for (let i = 0; i < h; i++) {
        pow *= phi;
        phiH += pow;
        const base = l + phiH * tr;
        const st = season === Season.None ? 0 : s[(origin + i) % mm]!;
        out[i] = season === Season.Multiplicative ? base * st : base + st;
      }
    },
    /**
     * Additive-error ETS with additive components (class 1): var_h / sigma2 = 1 + sum_{j<h} c_j^2, with
     * c_j = alpha + beta (phi + ... + phi^j) + gamma [j mod m = 0]. For multiplicative seasonality there is no closed
     * form; the same factors are used as an approximation (documented).
     */
    varianceFactors(fit, m, h, out) {
      const p = fit.params;
      const a = p[A]!;
      const b = damped ? p[B]! : 0;
      const g = p[G]!;
      const phi = damped ? p[PHI]! : 0;
      let acc = 1;
      let phiJ = 0;
      let pow = 1;
      out[0] = 1;
      for (let j = 1; j < h; j++) {
        pow *= phi;
        phiJ += pow;
        const c = a + b * phiJ + (season !== Season.None && j % m === 0 ? g : 0);
        acc += c * c;
        out[j] = acc;
      }
    },
  };
}

export const ses = etsModel('ses', false, Season.None);
export const etsDamped = etsModel('ets_damped', true, Season.None);
export const etsAdditive = etsModel('ets_additive', false, Season.Additive);
export const etsDampedAdditive = etsModel('ets_damped_additive', true, Season.Additive);
export const etsMultiplicative = etsModel('ets_multiplicative', false, Season.Multiplicative);
export const etsDampedMultiplicative = etsModel('ets_damped_multiplicative', true, Season.Multiplicative);

/** SES with a given alpha, used by Theta: the level after reading y[0..n) from l0. */
export function sesLevel(y: Float64Array, n: number, alpha: number, l0: number): number {
  let l = l0;
  for (let t = 0; t < n; t++) l += alpha * (y[t]! - l);
  return l;
}

export type { Fit };
