import { describe, expect, it } from 'vitest';
import { demandByWeek, type PlanDemandLine } from '../../src/modules/planning/capacity/demand.ts';
import { type CapacityRow, capacityReport } from '../../src/modules/planning/capacity/report.ts';
import { isMonday, mondayOf, weekLabel, weeksBetween } from '../../src/modules/planning/capacity/weeks.ts';
import { nextStatus, type PlanAction, type PlanStatus } from '../../src/modules/planning/plans/cpfr.ts';
import { planLine } from '../../src/modules/planning/plans/rule.ts';

describe('plan line rule', () => {
  it('sets S = d(L+R) + zσ√(L+R) and orders the gap to the inventory position in whole cases', () => {
    const f = planLine({
      mean: 10,
      sd: 4,
      leadTimeDays: 2,
      reviewDays: 7,
      horizonDays: 28,
      z: 1.6448536269514722,
      onHand: 20,
      inTransit: 5,
      onOrder: 10,
      minQty: 12,
      multipleOf: 12,
      caseSize: null,
    });
    expect(f.demandLR).toBe(90);
    expect(f.safetyStock).toBeCloseTo(1.6448536269514722 * 4 * 3, 10);
    expect(f.orderUpTo).toBeCloseTo(90 + 19.738, 3);
    expect(f.demandHorizon).toBe(280);
    // 109.74 − 35 = 74.74 -> 75 -> 84 (7 cases of 12)
    expect(f.suggested).toBe(84);
  });

  it('suggests nothing when the position covers S', () => {
    expect(
      planLine({
        mean: 1,
        sd: 0,
        leadTimeDays: 1,
        reviewDays: 1,
        horizonDays: 7,
        z: 2,
        onHand: 2,
        inTransit: 0,
        onOrder: 0,
        minQty: null,
        multipleOf: null,
        caseSize: 24,
      }).suggested,
    ).toBe(0);
  });

  it('rounds the suggestion up to whole cases of the SKU, keeping S and the safety stock as computed', () => {
    const base = {
      mean: 5.9,
      sd: 0,
      leadTimeDays: 3,
      reviewDays: 7,
      horizonDays: 28,
      z: 1.6448536269514722,
      onHand: 0,
      inTransit: 0,
      onOrder: 0,
      minQty: null,
      multipleOf: null,
    };
    // S = 59: 59 units without a case size, 5 cases of 12 (60) with one
    expect(planLine({ ...base, caseSize: null }).suggested).toBe(59);
    const f = planLine({ ...base, caseSize: 12 });
    expect(f.orderUpTo).toBeCloseTo(59, 10);
    expect(f.safetyStock).toBe(0);
    expect(f.suggested).toBe(60);
    // an order rule's multiple and the case size together: whole multiples of both (lcm 6, 4 -> 12)
    expect(planLine({ ...base, multipleOf: 6, caseSize: 4 }).suggested).toBe(60);
    // a minimum below a case is lifted to the case
    expect(planLine({ ...base, mean: 0.1, minQty: 5, caseSize: 12 }).suggested).toBe(12);
  });
});

describe('CPFR states', () => {
  const all: PlanStatus[] = ['draft', 'shared', 'adjusted', 'accepted', 'ordered', 'rejected'];
  const allowed = (action: PlanAction, side: 'brand' | 'distributor') =>
    all.filter((s) => nextStatus(s, action, side) !== null).map((s) => [s, nextStatus(s, action, side)]);

  it('moves draft -> shared -> adjusted -> accepted, and back from adjusted to shared', () => {
    expect(allowed('share', 'brand')).toEqual([['draft', 'shared']]);
    expect(allowed('share', 'distributor')).toEqual([]);
    expect(allowed('adjust', 'distributor')).toEqual([['shared', 'shared']]);
    expect(allowed('adjust', 'brand')).toEqual([]);
    expect(allowed('accept', 'distributor')).toEqual([['shared', 'adjusted']]);
    expect(allowed('accept', 'brand')).toEqual([['adjusted', 'accepted']]);
    expect(allowed('send_back', 'brand')).toEqual([['adjusted', 'shared']]);
    expect(allowed('send_back', 'distributor')).toEqual([]);
  });

  it('lets the brand reject an open plan and the distributor only a shared one; nothing leaves ordered or rejected', () => {
    expect(allowed('reject', 'brand').map(([s]) => s)).toEqual(['draft', 'shared', 'adjusted']);
    expect(allowed('reject', 'distributor').map(([s]) => s)).toEqual(['shared']);
    for (const a of ['share', 'adjust', 'accept', 'send_back', 'reject'] as PlanAction[])
      for (const side of ['brand', 'distributor'] as const) {
        expect(nextStatus('ordered', a, side)).toBeNull();
        expect(nextStatus('rejected', a, side)).toBeNull();
      }
  });
});

describe('weeks', () => {
  it('names a week by its Monday', () => {
    expect(mondayOf('2026-11-01')).toBe('2026-10-26'); // a Sunday
    expect(mondayOf('2026-11-02')).toBe('2026-11-02');
    expect(isMonday('2026-11-02')).toBe(true);
    expect(isMonday('2026-11-03')).toBe(false);
    expect(isMonday('2026-02-30')).toBe(false);
    expect(weeksBetween('2026-11-04', '2026-11-16')).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
  });

  it('labels a week as people read it: its ISO week-numbering year and number, in the reader’s language', () => {
    expect(weekLabel('2026-11-02', 'zh-CN')).toBe('2026年第45周');
    expect(weekLabel('2026-11-08', 'en')).toBe('2026-W45'); // the Sunday of the same week
    // the week of 2025-12-29 has 2026's first Thursday: week 1 of 2026
    expect(weekLabel('2025-12-29', 'en')).toBe('2026-W01');
    // 2027-01-01 is a Friday, in the last week of 2026 (2026 has 53)
    expect(weekLabel('2027-01-01', 'zh-CN')).toBe('2026年第53周');
    expect(weekLabel('2027-01-04', 'zh-CN')).toBe('2027年第1周');
    // before 1970 (day numbers below 0) too
    expect(weekLabel('1969-12-29', 'en')).toBe('1970-W01');
  });
});

describe('demand plan and capacity', () => {
  const line: PlanDemandLine = {
    sku: 'A',
    category: 'milk',
    asOf: '2026-11-02',
    reviewDays: 7,
    horizonDays: 21,
    quantity: 100,
    meanDaily: 10,
  };

  it("puts a plan's quantity in its first week and forecast demand after the first review period", () => {
    expect(demandByWeek([line], '2026-11-02', '2026-11-30')).toEqual([
      { sku: 'A', category: 'milk', week: '2026-11-02', planned: 100, forecast: 0, total: 100 },
      { sku: 'A', category: 'milk', week: '2026-11-09', planned: 0, forecast: 70, total: 70 },
      { sku: 'A', category: 'milk', week: '2026-11-16', planned: 0, forecast: 70, total: 70 },
    ]);
    // weeks outside the range are left out
    expect(demandByWeek([line], '2026-11-09', '2026-11-09').map((d) => d.week)).toEqual(['2026-11-09']);
  });

  it('shares demand among the factories making the SKU (else its product line) by capacity, and shows what none makes', () => {
    const cap = (factory: string, itemKind: 'sku' | 'category', item: string, capacity: number): CapacityRow => ({
      factory,
      factoryName: factory,
      week: '2026-11-09',
      itemKind,
      item,
      capacity,
    });
    const rows = capacityReport(
      [cap('F1', 'sku', 'A', 30), cap('F2', 'sku', 'A', 10), cap('F1', 'category', 'juice', 50)],
      [
        { sku: 'A', category: 'milk', week: '2026-11-09', planned: 0, forecast: 60, total: 60 },
        { sku: 'J1', category: 'juice', week: '2026-11-09', planned: 20, forecast: 0, total: 20 },
        { sku: 'J2', category: 'juice', week: '2026-11-09', planned: 40, forecast: 0, total: 40 },
        { sku: 'X', category: 'water', week: '2026-11-09', planned: 5, forecast: 0, total: 5 },
      ],
    );
    expect(rows.map((r) => [r.factory, r.itemKind, r.item, r.capacity, r.demand, r.shortfall, r.skus])).toEqual([
      ['F1', 'category', 'juice', 50, 60, 10, ['J1', 'J2']],
      ['F1', 'sku', 'A', 30, 45, 15, ['A']],
      ['F2', 'sku', 'A', 10, 15, 5, ['A']],
      [null, 'sku', 'X', 0, 5, 5, ['X']],
    ]);
    expect(rows[0]?.gap).toBe(10);
  });

  it('reports spare capacity as a negative gap and no shortfall', () => {
    const [r] = capacityReport([{ factory: 'F1', factoryName: 'F1', week: '2026-11-09', itemKind: 'sku', item: 'A', capacity: 100 }], []);
    expect(r).toMatchObject({ demand: 0, gap: -100, shortfall: 0 });
  });
});
