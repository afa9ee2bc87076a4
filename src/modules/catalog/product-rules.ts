import type { FieldError } from '../../http/problem.ts';
import { parseGtin } from '../../platform/gs1.ts';

export interface ProductInput {
  sku: string;
  gtin: string;
  nameZh: string;
  nameEn: string;
  category: string;
  spec?: string | null;
  shelfLifeDays: number;
  /** list price in integer fen */
  listPriceFen: number;
  caseGtin?: string | null;
  caseQuantity?: number | null;
  palletGtin?: string | null;
  palletQuantity?: number | null;
}

export interface PackagingLevel {
  level: 'unit' | 'case' | 'pallet';
  gtin: string;
  /** children per level: 1 unit; a case of N units; a pallet of M cases */
  quantity: number;
  unitsPer: number;
}

export interface ValidProduct extends ProductInput {
  gtin: string;
  packaging: PackagingLevel[];
}

/** "12.5" / "12.50" / 12.5 yuan -> 1250 fen, exactly (no float arithmetic). */
export function yuanToFen(v: string | number): number | undefined {
  const s = String(v).trim();
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Pure checks of one product and its packaging hierarchy (unit -> case of N -> pallet of M cases). */
export function checkProduct(p: ProductInput, at: string): { product?: ValidProduct; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const req = (field: keyof ProductInput) => {
    const v = p[field];
    if (v === undefined || v === null || v === '') errors.push({ pointer: `${at}/${field}`, code: 'field.required', params: { field } });
  };
  (['sku', 'gtin', 'nameZh', 'nameEn', 'category', 'shelfLifeDays', 'listPriceFen'] as const).forEach(req);
  if (p.sku && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(p.sku)) {
    errors.push({ pointer: `${at}/sku`, code: 'field.invalid', params: { field: 'sku', reason: 'letters, digits, _ . - (max 40)' } });
  }
  const gtins: Record<string, string> = {};
  for (const field of ['gtin', 'caseGtin', 'palletGtin'] as const) {
    const raw = p[field];
    if (!raw) continue;
    const g = parseGtin(raw);
    if (g.ok) gtins[field] = g.value;
    else errors.push({ pointer: `${at}/${field}`, code: g.code, params: { value: raw } });
  }
  const posInt = (field: keyof ProductInput, v: unknown, max: number) => {
    if (v === undefined || v === null || v === '') return;
    if (!Number.isInteger(v) || (v as number) <= 0 || (v as number) > max) {
      errors.push({ pointer: `${at}/${field}`, code: 'field.invalid', params: { field, reason: `a whole number 1..${max}` } });
    }
  };
  posInt('shelfLifeDays', p.shelfLifeDays, 3650);
  posInt('caseQuantity', p.caseQuantity, 10_000);
  posInt('palletQuantity', p.palletQuantity, 10_000);
  if (p.listPriceFen !== undefined && (!Number.isInteger(p.listPriceFen) || p.listPriceFen < 0)) {
    errors.push({ pointer: `${at}/listPriceFen`, code: 'field.invalid', params: { field: 'listPriceFen', reason: 'integer fen >= 0' } });
  }
  if (!!p.caseGtin !== !!p.caseQuantity) {
    errors.push({
      pointer: `${at}/caseQuantity`,
      code: 'field.invalid',
      params: { field: 'caseQuantity', reason: 'case GTIN and quantity go together' },
    });
  }
  if (!!p.palletGtin !== !!p.palletQuantity || (p.palletGtin && !p.caseGtin)) {
    errors.push({
      pointer: `${at}/palletQuantity`,
      code: 'field.invalid',
      params: { field: 'palletQuantity', reason: 'a pallet needs a case level and a quantity' },
    });
  }
  const distinct = new Set(Object.values(gtins));
  if (distinct.size < Object.keys(gtins).length) {
    errors.push({
      pointer: `${at}/caseGtin`,
      code: 'field.invalid',
      params: { field: 'caseGtin', reason: 'each level needs its own GTIN' },
    });
  }
  if (errors.length) return { errors };
  const packaging: PackagingLevel[] = [{ level: 'unit', gtin: gtins.gtin as string, quantity: 1, unitsPer: 1 }];
  if (gtins.caseGtin && p.caseQuantity) {
    packaging.push({ level: 'case', gtin: gtins.caseGtin, quantity: p.caseQuantity, unitsPer: p.caseQuantity });
    if (gtins.palletGtin && p.palletQuantity) {
      packaging.push({ level: 'pallet', gtin: gtins.palletGtin, quantity: p.palletQuantity, unitsPer: p.palletQuantity * p.caseQuantity });
    }
  }
  return { errors, product: { ...p, gtin: gtins.gtin as string, packaging } };
}
