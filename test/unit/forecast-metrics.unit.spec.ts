import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dollarWeights, mase, maseScale, rmsse, rmsseScale, wrmsse } from '../../src/modules/planning/forecast/index.ts';
import { m5Hierarchy, sumRows } from '../../src/modules/planning/m5/hierarchy.ts';
import { readM5 } from '../../src/modules/planning/m5/m5-data.ts';

describe('MASE and RMSSE by hand', () => {
  // history 0 0 2 4 1 3: from the first sale, differences 2, -3, 2 -> mean |d| = 7/3, mean d^2 = 17/3
  const history = [0, 0, 2, 4, 1, 3];
  it('scale the errors by the naive differences from the first non-zero value on', () => {
    expect(maseScale(history)).toBeCloseTo(7 / 3, 12);
    expect(rmsseScale(history)).toBeCloseTo(Math.sqrt(17 / 3), 12);
  });
  it('MASE = mean |error| / scale; RMSSE = sqrt(mean error^2 / mean d^2)', () => {
    // errors 1, -2 -> mean |e| = 1.5, mean e^2 = 2.5
    expect(mase([3, 1], [2, 3], history)).toBeCloseTo(1.5 / (7 / 3), 12);
    expect(rmsse([3, 1], [2, 3], history)).toBeCloseTo(Math.sqrt(2.5 / (17 / 3)), 12);
  });
  it('are undefined (NaN) for a history without change', () => {
    expect(rmsse([1], [1], [0, 0, 5, 5, 5])).toBeNaN();
    expect(mase([1], [1], [0, 0])).toBeNaN();
  });
  it('WRMSSE adds weight x RMSSE, and dollar weights follow units x price over the last 28 days', () => {
    expect(
      wrmsse([
        { actual: [1, 1], forecast: [0, 0], scale: 2, weight: 0.25 },
        { actual: [2, 2], forecast: [2, 0], scale: Math.SQRT2, weight: 0.75 },
      ]),
    ).toBeCloseTo(0.25 * 0.5 + 0.75 * 1, 12);
    const units = [new Array(40).fill(1), new Array(40).fill(0).map((_, t) => (t >= 12 ? 3 : 100))];
    const prices = [new Array(40).fill(2), new Array(40).fill(1)];
    // last 28 days (12..39): 28 x 1 x 2 = 56 against 28 x 3 x 1 = 84
    expect(Array.from(dollarWeights(units, prices, 40))).toEqual([56 / 140, 84 / 140]);
  });
});

const GOLDEN = path.resolve(import.meta.dirname, '../../../shared/data/m5-wrmsse-golden');
const TINY = path.resolve(import.meta.dirname, '../../../shared/data/m5-tiny');
const haveGolden = fs.existsSync(GOLDEN);
const haveTiny = fs.existsSync(TINY);
if (!haveGolden) console.warn(`forecast-metrics: ${GOLDEN} is not here; the WRMSSE golden test is skipped`);
if (!haveTiny) console.warn(`forecast-metrics: ${TINY} is not here; the M5 hierarchy test is skipped`);

const csv = (file: string) =>
  fs
    .readFileSync(path.join(GOLDEN, file), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','));

describe.skipIf(!haveGolden)('WRMSSE against the published scores of the 50 best M5 teams (levels 1-9)', () => {
  it('reproduces every team x level score to 1e-9', () => {
    const key = (level: string, id: string) => `${level}|${id}`;
    const actual = new Map(csv('actuals_d1942_d1969_L1_L9.csv').map((r) => [key(r[0]!, r[1]!), r.slice(2).map(Number)]));
    const scale = new Map(csv('scales_L1_L9.csv').map((r) => [key(r[0]!, r[1]!), Number(r[2])]));
    const weight = new Map(csv('weights_L1_L9.csv').map((r) => [key(r[0]!, r[1]!), Number(r[2])]));
    const forecasts = new Map<number, Map<number, { id: string; f: number[] }[]>>();
    for (const r of csv('top50_forecasts_L1_L9.csv')) {
      const team = Number(r[2]);
      const level = Number(r[0]);
      const byLevel = forecasts.get(team) ?? new Map<number, { id: string; f: number[] }[]>();
      forecasts.set(team, byLevel);
      byLevel.set(level, [...(byLevel.get(level) ?? []), { id: r[1]!, f: r.slice(3).map(Number) }]);
    }
    const published = csv('recomputed_wrmsse_L1_L9.csv');
    expect(published).toHaveLength(50);
    let checked = 0;
    for (const row of published) {
      const team = Number(row[0]);
      for (let level = 1; level <= 9; level++) {
        const series = forecasts.get(team)!.get(level)!;
        const score = wrmsse(
          series.map((s) => ({
            actual: actual.get(key(String(level), s.id))!,
            forecast: s.f,
            scale: scale.get(key(String(level), s.id))!,
            weight: weight.get(key(String(level), s.id))!,
          })),
        );
        expect(Math.abs(score - Number(row[level])), `team ${team} level ${level}`).toBeLessThan(1e-9);
        checked++;
      }
    }
    expect(checked).toBe(450);
  });
});

describe.skipIf(!haveTiny)('the M5 hierarchy of m5-tiny', () => {
  const data = haveTiny ? readM5(TINY) : undefined;
  it('has the 12 levels with the M5 ids, each adding up to the total', () => {
    const h = m5Hierarchy(data!.series);
    const count = (level: number) => h.filter((a) => a.level === level).length;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(count)).toEqual([1, 3, 10, 3, 7, 9, 21, 30, 70, 28, 84, 280]);
    expect(h.filter((a) => a.level === 6).map((a) => a.id)).toContain('CA_FOODS');
    expect(h.filter((a) => a.level === 9).map((a) => a.id)).toContain('CA_3_FOODS_1');
    expect(h.filter((a) => a.level === 11).map((a) => a.id)).toContain('FOODS_1_033_CA');
    const total = sumRows(data!.units, h[0]!.members, 0, 1913);
    for (let level = 1; level <= 12; level++) {
      const sum = new Float64Array(1913);
      for (const a of h.filter((x) => x.level === level)) {
        const s = sumRows(data!.units, a.members, 0, 1913);
        for (let t = 0; t < 1913; t++) sum[t]! += s[t]!;
      }
      expect(Array.from(sum)).toEqual(Array.from(total));
    }
  });
  it('prices each day from the week of the calendar (0 before an item is on sale)', () => {
    const i = data!.series.findIndex((s) => s.id === 'FOODS_1_033_CA_1_validation');
    // sell_prices: CA_1,FOODS_1_033,11221,5.09; wm_yr_wk 11221 is d_505..d_511 (2012-06-16..22), the first week it has a price
    const day = data!.days.indexOf('d_505');
    expect(data!.prices[i]![day]).toBe(5.09);
    expect(data!.prices[i]![day - 1]).toBe(0);
  });
});
