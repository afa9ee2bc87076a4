import { describe, expect, it } from 'vitest';
import {
  forecastBatch,
  forecastSeries,
  InsufficientHistoryError,
  MODEL_NAMES,
  MODELS,
  type ModelName,
  modelOf,
  packSeries,
  selectModel,
} from '../../src/modules/planning/forecast/index.ts';

/** Each model on series whose forecasts can be worked out by hand. */
const h = 14;
const series = (n: number, f: (t: number) => number) => Float64Array.from({ length: n }, (_, t) => f(t));
function forecast(name: ModelName, y: Float64Array, m: number, horizon = h): number[] {
  const def = MODELS[name];
  const fit = def.fit(y, y.length, m);
  const out = new Float64Array(horizon);
  def.forecast(fit, y, y.length, m, horizon, out);
  return Array.from(out);
}
const week = [3, 5, 4, 6, 9, 14, 11];
const expectClose = (actual: number[], expected: number[], tol: number) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]!), `step ${i + 1}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
};

describe('a constant series', () => {
  const y = series(200, () => 7);
  for (const name of MODEL_NAMES.filter((m) => m !== 'sba'))
    it(`${name} forecasts the constant`, () => expectClose(forecast(name, y, 7), new Array(h).fill(7), 1e-6));
  it('sba forecasts the constant times 1 - alpha/2 (its bias correction)', () => {
    const fit = MODELS.sba.fit(y, y.length, 7);
    const alpha = fit.params[0]!;
    expect(alpha).toBeGreaterThan(0);
    expectClose(forecast('sba', y, 7), new Array(h).fill(7 * (1 - alpha / 2)), 1e-9);
  });
});

describe('a linear trend, y = 10 + 2t', () => {
  const n = 120;
  const y = series(n, (t) => 10 + 2 * t);
  const last = 10 + 2 * (n - 1);
  it('naive repeats the last value', () => expectClose(forecast('naive', y, 1), new Array(h).fill(last), 0));
  it('theta extrapolates half the slope from the last value (SES with drift b/2, alpha -> 1)', () =>
    expectClose(
      forecast('theta', y, 1),
      Array.from({ length: h }, (_, i) => last + (2 * (i + 1)) / 2),
      0.05,
    ));
  it('damped-trend ETS follows the trend, damped: each step rises phi times the step before', () => {
    const fit = MODELS.ets_damped.fit(y, n, 1);
    const phi = fit.params[3]!;
    expect(phi).toBeGreaterThanOrEqual(0.8);
    const f = forecast('ets_damped', y, 1);
    // on a line, a damped trend falls short by b (1 - phi) each step, so the fitted trend is a little under 2
    expect(f[0]! - last).toBeGreaterThan(1.5);
    expect(f[0]! - last).toBeLessThanOrEqual(2);
    for (let i = 2; i < h; i++) expect((f[i]! - f[i - 1]!) / (f[i - 1]! - f[i - 2]!)).toBeCloseTo(phi, 9);
  });
  it('SES stays level at the last value (alpha -> 1)', () => expectClose(forecast('ses', y, 1), new Array(h).fill(last), 0.05));
});

describe('a pure weekly pattern in daily data (m = 7)', () => {
  const y = series(10 * 7, (t) => week[t % 7]!);
  const next = Array.from({ length: h }, (_, i) => week[(70 + i) % 7]!);
  for (const name of [
    'seasonal_naive',
    'ets_additive',
    'ets_damped_additive',
    'ets_multiplicative',
    'ets_damped_multiplicative',
    'theta',
  ] as const)
    it(`${name} repeats the pattern`, () => expectClose(forecast(name, y, 7), next, 1e-6));
  it('is chosen as seasonal by the backtest', () => {
    const f = forecastSeries(y, { horizon: h, seasonLength: 7 });
    expect(MODELS[f.model].seasonal || f.model === 'theta').toBe(true);
    expectClose(f.mean, next, 1e-6);
    expect(f.backtest.scores.ses!).toBeGreaterThan(0.5);
  });
});

describe('yearly seasonality in weekly data (m = 52)', () => {
  const year = Array.from({ length: 52 }, (_, w) => 100 + 40 * Math.sin((2 * Math.PI * w) / 52) + (w === 20 ? 80 : 0));
  const y = series(3 * 52, (t) => year[t % 52]!);
  const next = Array.from({ length: 13 }, (_, i) => year[i]!);
  it('additive ETS and seasonal naive repeat last year', () => {
    expectClose(forecast('ets_additive', y, 52, 13), next, 1e-6);
    expectClose(forecast('seasonal_naive', y, 52, 13), next, 0);
  });
  it('the automatic choice forecasts last year again, peak included', () => {
    const f = forecastSeries(
      series(3 * 52 + 20, (t) => year[t % 52]!),
      { horizon: 13, seasonLength: 52 },
    );
    expectClose(
      f.mean,
      Array.from({ length: 13 }, (_, i) => year[(3 * 52 + 20 + i) % 52]!),
      1e-3,
    );
  });
});

describe('intermittent demand: 6 units every third day', () => {
  const y = series(300, (t) => (t % 3 === 2 ? 6 : 0));
  it('Croston forecasts size / interval = 2', () => expectClose(forecast('croston', y, 7), new Array(h).fill(2), 1e-9));
  it('SBA forecasts 2 (1 - alpha/2)', () => {
    const alpha = MODELS.sba.fit(y, 300, 7).params[0]!;
    expectClose(forecast('sba', y, 7), new Array(h).fill(2 * (1 - alpha / 2)), 1e-9);
  });
  it('TSB forecasts about probability x size = 1/3 x 6, flat', () => {
    const f = forecast('tsb', y, 7);
    expect(new Set(f).size).toBe(1);
    expect(Math.abs(f[0]! - 2)).toBeLessThan(0.5);
  });
  it('a product never sold is forecast 0 with an empty interval', () => {
    const f = forecastSeries(new Float64Array(100), { horizon: h, seasonLength: 7 });
    expect(f.mean).toEqual(new Array(h).fill(0));
    expect(f.upper).toEqual(new Array(h).fill(0));
  });
});

describe('prediction intervals', () => {
  // a random walk with steps of +-1: naive's one-step residual variance is about 1
  let state = 1;
  const rnd = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const walk = series(400, () => 0);
  walk[0] = 200;
  for (let t = 1; t < 400; t++) walk[t] = walk[t - 1]! + (rnd() < 0.5 ? -1 : 1);
  it('naive: the half-width grows with the square root of the horizon', () => {
    const f = forecastSeries(walk, { horizon: 16, seasonLength: 1, models: ['naive'] });
    const half = f.upper.map((u, i) => u - f.mean[i]!);
    expect(half[3]! / half[0]!).toBeCloseTo(2, 9);
    expect(half[15]! / half[0]!).toBeCloseTo(4, 9);
    expect(half[0]!).toBeGreaterThan(1.96 * 0.9);
    expect(half[0]!).toBeLessThan(1.96 * 1.1);
  });
  it('seasonal naive: one more step of variance per completed season', () => {
    const out = new Float64Array(15);
    MODELS.seasonal_naive.varianceFactors({ params: new Float64Array(0), sigma2: 1 }, 7, 15, out);
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3]);
  });
  it('SES: 1 + (h - 1) alpha^2', () => {
    const out = new Float64Array(4);
    MODELS.ses.varianceFactors({ params: Float64Array.of(0.5, 0, 0, 0, 0, 0), sigma2: 1 }, 1, 4, out);
    expect(Array.from(out)).toEqual([1, 1.25, 1.5, 1.75]);
  });
  it('a narrower level gives a narrower interval; the lower bound is never below 0', () => {
    const y = series(200, (t) => (t % 4 === 0 ? 3 : 0));
    const wide = forecastSeries(y, { horizon: 7, seasonLength: 7, level: 0.95 });
    const narrow = forecastSeries(y, { horizon: 7, seasonLength: 7, level: 0.8 });
    expect(narrow.upper[0]! - narrow.mean[0]!).toBeLessThan(wide.upper[0]! - wide.mean[0]!);
    for (const v of wide.lower) expect(v).toBeGreaterThanOrEqual(0);
  });
});

describe('model choice and bad input', () => {
  it('leading zeros (before the first sale) do not count as history', () => {
    const y = Float64Array.from([...new Array(500).fill(0), ...series(20, () => 4)]);
    expect(() => forecastSeries(y, { horizon: 14, seasonLength: 7 })).toThrow(InsufficientHistoryError);
    try {
      forecastSeries(y, { horizon: 14, seasonLength: 7 });
    } catch (e) {
      expect((e as InsufficientHistoryError).needed).toBe(28);
      expect((e as InsufficientHistoryError).have).toBe(20);
    }
  });
  it('refuses a horizon below 1, a negative or non-finite demand and a level outside (0, 1)', () => {
    const y = series(100, () => 1);
    expect(() => forecastSeries(y, { horizon: 0, seasonLength: 7 })).toThrow(/horizon/);
    expect(() => forecastSeries(Float64Array.from([...y, -1]), { horizon: 7, seasonLength: 7 })).toThrow(/not negative/);
    expect(() => forecastSeries(Float64Array.from([...y, Number.NaN]), { horizon: 7, seasonLength: 7 })).toThrow(/finite/);
    expect(() => forecastSeries(y, { horizon: 7, seasonLength: 7, level: 1 })).toThrow(/level/);
  });
  it('the benchmarks are scored but never chosen by default', () => {
    const y = series(200, (t) => week[t % 7]! + (t % 11 === 0 ? 5 : 0));
    const sel = selectModel(y, { horizon: 14, seasonLength: 7 });
    expect(sel.scores.naive).toBeUndefined();
    expect(['naive', 'seasonal_naive']).not.toContain(sel.best);
    const only = selectModel(y, { horizon: 14, seasonLength: 7, models: ['seasonal_naive', 'naive'] });
    expect(only.best).toBe('seasonal_naive');
    expect(only.windows).toBe(3);
  });
});

describe('forecastBatch: many series over worker threads', () => {
  it('gives each series the same forecast as forecastSeries, inline and over two workers, and names the too-short ones', async () => {
    const list = [
      series(200, (t) => week[t % 7]!),
      series(120, (t) => (t % 3 === 0 ? 4 : 0)),
      series(10, () => 1),
      series(300, (t) => 5 + (t % 5)),
    ];
    const opts = { horizon: 14, seasonLength: 7 };
    const progress: number[] = [];
    for (const workers of [0, 2]) {
      const r = await forecastBatch(packSeries(list), opts, { workers, onProgress: (done) => progress.push(done) });
      expect([...r.failures.keys()]).toEqual([2]);
      expect(r.failures.get(2)).toMatch(/10 points from the first sale, 28 needed/);
      for (const i of [0, 1, 3]) {
        const one = forecastSeries(list[i]!, opts);
        expect(modelOf(r, i)).toBe(one.model);
        expect(Array.from(r.mean.subarray(i * 14, i * 14 + 14))).toEqual(one.mean);
        expect(Array.from(r.upper.subarray(i * 14, i * 14 + 14))).toEqual(one.upper);
      }
      expect(progress.at(-1)).toBe(4);
    }
  });
});
