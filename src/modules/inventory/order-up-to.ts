/**
 * The replenishment rule, as pure functions (no database, no clock): a periodic-review order-up-to level
 *
 *   S = d·(L+R) + z·σ·√(L+R)
 *
 * where d is the mean daily demand over the window, σ its standard deviation (days without sales count as 0),
 * L the lane's lead time and R the review period in days, and z the standard normal quantile of the service
 * level (the probability of not running out before the next order arrives). The suggested quantity tops the
 * inventory position (on hand + in transit + ordered, not yet shipped) up to S, rounded up to what the seller
 * accepts: at least the minimum, in whole multiples of the order rule and whole cases of the SKU (the catalog's
 * case size), so an SKU shipped in cases of 12 is never suggested as 59 units.
 */

/**
 * The standard normal quantile Φ⁻¹(p) for 0 < p < 1 (P. J. Acklam's rational approximation, relative error
 * below 1.15e-9: far finer than any service level a planner sets).
 */
export function inverseNormal(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormal: p must be in (0, 1), got ${p}`);
  if (p < LOW) return tail(p);
  if (p > 1 - LOW) return -tail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (horner(A, r) * q) / horner(B, r);
}

/** Acklam's coefficients; each denominator ends with its constant 1. */
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572, 1];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1];
const LOW = 0.02425;

/** The lower tail's quantile (negative); the upper one by symmetry. */
function tail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return horner(C, q) / horner(D, q);
}

/** A polynomial with coefficients from the highest power down, at x. */
function horner(coefficients: number[], x: number): number {
  return coefficients.reduce((acc, k) => acc * x + k, 0);
}

export interface DemandStats {
  /** mean units per day over the window */
  mean: number;
  /** sample standard deviation of the daily units (n - 1), 0 for a one-day window */
  sigma: number;
}

/**
 * Mean and standard deviation of daily demand from the window's total and sum of squares (as SQL sums them from
 * the daily rollup): days absent from the rollup are days with 0 units, so they count in `days` only.
 */
export function demandStats(total: number, sumOfSquares: number, days: number): DemandStats {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`demandStats: days must be a positive integer, got ${days}`);
  const mean = total / days;
  if (days === 1) return { mean, sigma: 0 };
  // rounding can leave a hair below zero when every day had the same units
  const variance = Math.max(0, (sumOfSquares - (total * total) / days) / (days - 1));
  return { mean, sigma: Math.sqrt(variance) };
}

/** S = d·(L+R) + z·σ·√(L+R). */
export function orderUpToLevel(x: { mean: number; sigma: number; leadTimeDays: number; reviewDays: number; z: number }): number {
  const horizon = x.leadTimeDays + x.reviewDays;
  return x.mean * horizon + x.z * x.sigma * Math.sqrt(horizon);
}

/**
 * What to order: S minus the inventory position, never below 0, rounded up to whole units, then to the minimum
 * and to whole multiples of both the order rule's multiple and the SKU's case size (their least common multiple),
 * so a suggestion is always a quantity the seller accepts and ships in whole cases.
 */
export function suggestedQuantity(
  x: OrderableRule & {
    level: number;
    onHand: number;
    inTransit: number;
    onOrder: number;
  },
): number {
  const short = x.level - x.onHand - x.inTransit - x.onOrder;
  // 1e-9: an S of 12.000000000001 from floating point is 12, not 13
  if (short <= 1e-9) return 0;
  const units = Math.max(Math.ceil(short - 1e-9), x.minQty ?? 1);
  const step = orderStep(x);
  return Math.ceil(units / step) * step;
}

/** What the seller accepts of an SKU: the order rule (/order-rules) and the catalog's case size. */
export interface OrderableRule {
  minQty?: number | null;
  multipleOf?: number | null;
  /** units in a case of the SKU (catalog packaging level 'case'); null or absent when it has none */
  caseSize?: number | null;
}

/**
 * The units a quantity of the SKU goes up in: whole cases that are also whole multiples of the order rule (the least
 * common multiple of the two; 1 with neither). A suggestion is rounded up to it, an adjustment must be a multiple.
 */
export function orderStep(x: OrderableRule): number {
  return lcm(positive(x.multipleOf), positive(x.caseSize));
}

/**
 * Why a quantity someone chose (a distributor adjusting a plan line) is not one the seller accepts, or null when it
 * is: 0 (nothing of the SKU) always is; otherwise at least the minimum and in whole steps (orderStep), as the
 * suggestion is, so the order it becomes passes placement.
 */
export function orderableRefusal(
  quantity: number,
  x: OrderableRule,
): { reason: 'below_minimum'; min: number } | { reason: 'not_whole_step'; step: number } | null {
  if (quantity === 0) return null;
  if (x.minQty != null && quantity < x.minQty) return { reason: 'below_minimum', min: x.minQty };
  const step = orderStep(x);
  return quantity % step === 0 ? null : { reason: 'not_whole_step', step };
}

const positive = (n: number | null | undefined) => (n != null && Number.isInteger(n) && n > 0 ? n : 1);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

/** Days the stock on hand lasts at the window's rate; null when nothing went out (no rate to divide by). */
export function daysOfSupply(onHand: number, dailyRate: number): number | null {
  return dailyRate > 0 ? onHand / dailyRate : null;
}
