/** Naive (last value) and seasonal naive (the value one season earlier), the M5 benchmarks. */
import type { Fit, ModelDef } from './types.ts';

function residualVariance(y: Float64Array, n: number, lag: number): number {
  let s = 0;
  let k = 0;
  for (let t = lag; t < n; t++) {
    const e = y[t]! - y[t - lag]!;
    s += e * e;
    k++;
  }
  return k > 1 ? s / (k - 1) : 0;
}

export const naive: ModelDef = {
  name: 'naive',
  seasonal: false,
  minLength: () => 2,
  fit: (y, n) => ({ params: new Float64Array(0), sigma2: residualVariance(y, n, 1) }),
  forecast(_fit, y, origin, _m, h, out) {
    const last = y[origin - 1]!;
    for (let i = 0; i < h; i++) out[i] = last;
  },
  /** A random walk: the variance grows with h. */
  varianceFactors(_fit, _m, h, out) {
    for (let i = 0; i < h; i++) out[i] = i + 1;
  },
};

export const seasonalNaive: ModelDef = {
  name: 'seasonal_naive',
  seasonal: true,
  minLength: (m) => m + 1,
  fit: (y, n, m): Fit => ({ params: new Float64Array(0), sigma2: residualVariance(y, n, m) }),
  forecast(_fit, y, origin, m, h, out) {
    for (let i = 0; i < h; i++) out[i] = y[origin - m + (i % m)]!;
  },
  /** A seasonal random walk: the variance grows by one step per completed season. */
  varianceFactors(_fit, m, h, out) {
    for (let i = 0; i < h; i++) out[i] = Math.floor(i / m) + 1;
  },
};
