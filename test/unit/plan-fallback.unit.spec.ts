import { describe, expect, it } from 'vitest';
import { fallbackDays } from '../../src/modules/planning/plans/forecaster.ts';

describe('fallbackDays: the days a fallback mean is taken over', () => {
  it('counts from the first sale in the window to its end', () => {
    // first sale on day 92 of a 112-day window: 20 days
    expect(fallbackDays(92, 112)).toBe(20);
    expect(fallbackDays(0, 112)).toBe(112);
  });
  it('takes at least a week, and never more than the window', () => {
    expect(fallbackDays(111, 112)).toBe(7);
    expect(fallbackDays(0, 5)).toBe(5);
  });
});
