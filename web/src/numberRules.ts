import type { FormRule } from 'antd';
import i18n from './i18n/index.ts';

/**
 * The numbers a field takes. Fields give these to a form rule instead of InputNumber's min, max and precision, which
 * change what the user typed when the field loses focus (-500 became ¥0.01, 2.5 became 3) and let the form send the
 * changed number without a word. A rule leaves the number as typed and says under the field what is wrong with it.
 * Money fields keep `precision={2}` for showing yuan as money (10.50): it rounds a third decimal to the fen, in
 * sight, where min turned a sign or a zero into another amount.
 */
export interface NumberBounds {
  /** the smallest number allowed */
  min?: number;
  /** numbers must be more than this (a deposit: more than 0) */
  above?: number;
  max?: number;
  /** decimals allowed: 0 for whole numbers (counts, quantities), 2 for yuan; any when left out */
  decimals?: number;
}

/** What is wrong with a typed number, as a sentence in the reader's language; null when nothing is (or it is empty). */
export function numberProblem(value: number | null | undefined, b: NumberBounds): string | null {
  if (value === null || value === undefined) return null;
  const t = i18n.t.bind(i18n);
  if (!Number.isFinite(value)) return t('numbers.notNumber');
  if (b.decimals === 0 && !Number.isInteger(value)) return t('numbers.whole');
  if (b.decimals !== undefined && b.decimals > 0 && !hasAtMostDecimals(value, b.decimals))
    return t('numbers.decimals', { count: b.decimals });
  if (b.above !== undefined && !(value > b.above)) return t('numbers.above', { limit: b.above.toLocaleString() });
  if (b.min !== undefined && value < b.min) return t('numbers.atLeast', { limit: b.min.toLocaleString() });
  if (b.max !== undefined && value > b.max) return t('numbers.atMost', { limit: b.max.toLocaleString() });
  return null;
}

/** The form rule of a number field: an empty field passes (`required` is its own rule). */
export function numberRule(b: NumberBounds): FormRule {
  return {
    validator: (_: unknown, value: number | null | undefined) => {
      const problem = numberProblem(value, b);
      return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
    },
  };
}

/** Yuan: at most two decimals (fen). */
export const YUAN = { decimals: 2 } as const;
/** A count or a quantity: a whole number. */
export const WHOLE = { decimals: 0 } as const;

function hasAtMostDecimals(value: number, decimals: number): boolean {
  const scaled = value * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}
