/**
 * The standard Theta method (Assimakopoulos & Nikolopoulos 2000) in the form shown equivalent to SES with drift by
 * Hyndman & Billah (2003), as R's forecast::thetaf computes it: when the series is seasonal (autocorrelation at lag m
 * beyond 1.645 standard errors, at least two seasons), it is deseasonalised by a classical multiplicative
 * decomposition; then forecast = SES level + b/2 * (i + (1 - (1 - alpha)^n) / alpha) for step i + 1, b being the
 * slope of the least-squares line through the (deseasonalised) series; the seasonal indices are put back.
 *
 * params: [alpha, l0, slope, seasonal (0/1), s_0 .. s_{m-1}].
 */
import type { ModelDef } from './types.ts';

function seasonalIndices(y: Float64Array, n: number, m: number): Float64Array | null {
  if (m <= 1 || n < 2 * m) return null;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t]! / n;
  let c0 = 0;
  for (let t = 0; t < n; t++) c0 += (y[t]! - mean) ** 2;
  if (!(c0 > 0)) return null;
  let sumSq = 0;
  let rm = 0;
  for (let k = 1; k <= m; k++) {
    let c = 0;
    for (let t = k; t < n; t++) c += (y[t]! - mean) * (y[t - k]! - mean);
    const r = c / c0;
    if (k < m) sumSq += r * r;
    else rm = r;
  }
  if (!(Math.abs(rm) > 1.645 * Math.sqrt((1 + 2 * sumSq) / n))) return null;
  // centred moving average of order m (2 x m when m is even), ratio of sums per phase
  const half = Math.floor(m / 2);
  const num = new Float64Array(m);
  const den = new Float64Array(m);
  let window = 0;
  for (let t = 0; t < m; t++) window += y[t]!;
  for (let c = half; c + half < n; c++) {
    // window holds y[c-half .. c-half+m)
    let ma: number;
    if (m % 2 === 1) ma = window / m;
    else {
      ma = (window - y[c - half]! / 2 + y[c + half]! / 2) / m;
    }
    num[c % m]! += y[c]!;
    den[c % m]! += ma;
    const next = c - half + m;
    if (next >= n) break;
    window += y[next]! - y[c - half]!;
  }
  const s = new Float64Array(m);
  let sMean = 0;
  for (let i = 0; i < m; i++) {
    if (!(den[i]! > 0)) return null;
    s[i] = num[i]! / den[i]!;
    sMean += s[i]! / m;
  }
  for (let i = 0; i < m; i++) {
    s[i] = s[i]! / sMean;
    if (!(s[i]! > 0.01)) return null;
  }
  return s;
}

function sesSse(x: Float64Array, n: number, alpha: number, l0: number): number {
  let l = l0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const e = x[t]! - l;
    sse += e * e;
    l += alpha * e;
  }
  return sse;
}

export const theta: ModelDef = {
  name: 'theta',
  seasonal: false,
  minLength: () => 4,
  fit(y, n, m) {
    const s = seasonalIndices(y, n, m);
    const mm = s ? m : 1;
    const x = new Float64Array(n);
    for (let t = 0; t < n; t++) x[t] = s ? y[t]! / s[t % m]! : y[t]!;
    // least-squares slope against t
    const tMean = (n - 1) / 2;
    let xMean = 0;
    for (let t = 0; t < n; t++) xMean += x[t]! / n;
    let sxy = 0;
    let sxx = 0;
    for (let t = 0; t < n; t++) {
      sxy += (t - tMean) * (x[t]! - xMean);
      sxx += (t - tMean) ** 2;
    }
    const slope = sxx > 0 ? sxy / sxx : 0;
    const k0 = Math.min(n, 10);
    let l0 = 0;
    for (let t = 0; t < k0; t++) l0 += x[t]! / k0;
    // golden-section search for alpha on the SES errors
    const g = (Math.sqrt(5) - 1) / 2;
    let lo = 0.001;
    let hi = 0.999;
    let c = hi - g * (hi - lo);
    let d = lo + g * (hi - lo);
    let fc = sesSse(x, n, c, l0);
    let fd = sesSse(x, n, d, l0);
    for (let it = 0; it < 20; it++) {
      if (fc < fd) {
        hi = d;
        d = c;
        fd = fc;
        c = hi - g * (hi - lo);
        fc = sesSse(x, n, c, l0);
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo + g * (hi - lo);
        fd = sesSse(x, n, d, l0);
      }
    }
    const alpha = (lo + hi) / 2;
    const params = new Float64Array(4 + mm);
    params.set([alpha, l0, slope, s ? 1 : 0]);
    if (s) params.set(s, 4);
    // residual variance of the one-step forecasts in the series' own scale
    let sse = 0;
    let l = l0;
    let decay = 1;
    for (let t = 0; t < n; t++) {
      const e = y[t]! - (l + (slope / 2) * ((1 - decay) / alpha)) * (s ? s[t % m]! : 1);
      decay *= 1 - alpha;
      sse += e * e;
      l += alpha * (x[t]! - l);
    }
    return { params, sigma2: sse / Math.max(1, n - 3) };
  },
  forecast(fit, y, origin, m, h, out) {
    const p = fit.params;
    const alpha = p[0]!;
    const slope = p[2]!;
    const seasonal = p[3] === 1;
    let l = p[1]!;
    for (let t = 0; t < origin; t++) l += alpha * ((seasonal ? y[t]! / p[4 + (t % m)]! : y[t]!) - l);
    const drift = (1 - (1 - alpha) ** origin) / alpha;
    for (let i = 0; i < h; i++) {
      const f = l + (slope / 2) * (i + drift);
      out[i] = seasonal ? f * p[4 + ((origin + i) % m)]! : f;
    }
  },
  /** As forecast::thetaf: the SES (ETS(A,N,N)) factors 1 + (h - 1) alpha^2. */
  varianceFactors(fit, _m, h, out) {
    const a = fit.params[0]!;
    for (let i = 0; i < h; i++) out[i] = 1 + i * a * a;
  },
};
