import { describe, expect, it } from 'vitest';
import { backtestAccuracy } from '../../src/modules/planning/forecast/index.ts';

describe('backtestAccuracy: the chosen model against seasonal naive on the backtest origins', () => {
  // a straight line 1, 2, 3, ...: seasonal naive (m = 7) is 7 behind at every step, the naive step is 1
  const line = Array.from({ length: 40 }, (_, t) => t + 1);

  it('scores seasonal naive by hand: MASE = RMSSE = 7 on every window of a line', () => {
    const a = backtestAccuracy(line, { horizon: 7, seasonLength: 7 }, 'ets_damped');
    expect(a).not.toBeNull();
    expect(a?.windows).toBe(3);
    expect(a?.horizon).toBe(7);
    expect(a?.benchmark).toEqual({ name: 'seasonal_naive', mase: 7, rmsse: 7 });
    // a damped trend follows the line far better than a week-old copy of it
    expect(a?.model.name).toBe('ets_damped');
    expect(a?.model.mase).toBeLessThan(2);
  });

  it('reads the series from its first sale, and says nothing when it is too short', () => {
    const shifted = backtestAccuracy([0, 0, 0, ...line], { horizon: 7, seasonLength: 7 }, 'ses');
    expect(shifted?.benchmark).toEqual({ name: 'seasonal_naive', mase: 7, rmsse: 7 });
    expect(backtestAccuracy(line.slice(0, 13), { horizon: 7, seasonLength: 7 }, 'ses')).toBeNull();
  });

  it('falls back to naive as the benchmark when a season does not fit before the first origin', () => {
    const a = backtestAccuracy(line, { horizon: 7, seasonLength: 52 }, 'ses');
    // naive is 1 behind per step ahead: errors 1..7, MASE = 4, RMSSE = sqrt(mean of squares) = sqrt(20)
    expect(a?.benchmark.name).toBe('naive');
    expect(a?.benchmark.mase).toBeCloseTo(4, 12);
    expect(a?.benchmark.rmsse).toBeCloseTo(Math.sqrt(20), 12);
  });
});
