import { ApiError } from './api.ts';

/**
 * A problem's field errors as antd `form.setFields` takes them, nested paths included: `/body/items/3/sku` names
 * the field ['items', 3, 'sku'] of a Form.List. `rename` maps a server field to the form's (e.g. priceFen to the
 * price in yuan the form shows). Errors naming no field of the form are left to the problem's detail.
 */
export function problemFields(e: unknown, rename: Record<string, string> = {}): { name: (string | number)[]; errors: string[] }[] {
  if (!(e instanceof ApiError)) return [];
  const byName = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const err of e.problem.errors ?? []) {
    if (!err.pointer?.startsWith('/body/')) continue;
    const name = err.pointer
      .slice('/body/'.length)
      .split('/')
      .map((part) => (/^\d+$/.test(part) ? Number(part) : (rename[part] ?? part)));
    const key = JSON.stringify(name);
    const entry = byName.get(key) ?? { name, errors: [] };
    entry.errors.push(err.detail ?? err.code ?? '');
    byName.set(key, entry);
  }
  return [...byName.values()];
}

/** Yuan typed with at most 2 decimals, as the integer fen the API takes. */
export const yuanToFen = (yuan: number | null | undefined): number => Math.round(Number(yuan ?? 0) * 100);
