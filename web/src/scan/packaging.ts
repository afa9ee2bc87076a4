/**
 * How many children a case or pallet holds, from the catalogue (the packaging level whose GTIN is the parent's), to
 * show "scanned n of m" while packing. Remembered on the device so it also shows offline.
 */
import { api, type Page } from '../api.ts';
import type { ProductDetail, ProductRow } from '../types.ts';
import { gs1CheckDigit } from './codes.ts';

const LS_KEY = 'tl.scan.packaging.v1';

export interface PackInfo {
  level: string;
  quantity: number;
}

function remembered(): Record<string, PackInfo | null> {
  try {
    return JSON.parse(localStorage.getItem(LS_KEY) ?? '{}') as Record<string, PackInfo | null>;
  } catch {
    return {};
  }
}

function remember(gtin: string, info: PackInfo | null): void {
  try {
    localStorage.setItem(LS_KEY, JSON.stringify({ ...remembered(), [gtin]: info }));
  } catch {
    // storage full or unavailable: look it up again next time
  }
}

/** GTINs to search the catalogue with: the code's own, then the unit GTIN it usually derives from (indicator digit 0). */
function candidates(gtin: string): string[] {
  const out = [gtin];
  if (gtin[0] !== '0') {
    const body = `0${gtin.slice(1, 13)}`;
    out.push(`${body}${gs1CheckDigit(body)}`);
  }
  return out;
}

/** The packaging level of a container GTIN (null: not found, or not a container). */
export async function packInfo(gtin: string, signal?: AbortSignal): Promise<PackInfo | null> {
  const known = remembered();
  if (gtin in known) return known[gtin] ?? null;
  for (const q of candidates(gtin)) {
    const page = await api<Page<ProductRow>>('/products', { query: { q, pageSize: 5 }, signal });
    for (const p of page.items) {
      const detail = await api<ProductDetail>(`/products/${p.id}`, { signal });
      const level = detail.packaging.find((l) => l.gtin === gtin);
      if (level) {
        const info = level.level === 'unit' ? null : { level: level.level, quantity: Number(level.quantity) };
        remember(gtin, info);
        return info;
      }
    }
  }
  return null;
}
