/** What the programs need to know about codes and places, read in one statement each. */
import type { Db } from '../../../context.ts';
import type { CodeFacts } from './rules.ts';
import { divisionOf } from './rules.ts';

/** Product, level and units per case of each GTIN (a code's GTIN says its product and packaging level). */
export async function gtinFacts(db: Db, tenantId: number, gtins: string[]): Promise<Map<string, CodeFacts>> {
  const wanted = [...new Set(gtins)];
  if (!wanted.length) return new Map();
  const rows = await db<{ gtin: string; product_id: string; level: 'unit' | 'case' | 'pallet'; units_per: number }[]>`
    select gtin, product_id::text, level, units_per from packaging_levels where tenant_id = ${tenantId} and gtin = any(${wanted}::text[])`;
  return new Map(
    rows.map((r) => [
      r.gtin,
      {
        productId: Number(r.product_id),
        level: r.level,
        unitsPerCase: r.level === 'case' ? Number(r.units_per) : r.level === 'unit' ? 1 : null,
      },
    ]),
  );
}

export interface Place {
  id: number;
  kind: string;
  parentId: number | null;
  division: string | null;
  name: string;
}

export async function placesOf(db: Db, tenantId: number, ids: number[]): Promise<Map<number, Place>> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return new Map();
  const rows = await db<
    {
      id: string;
      kind: string;
      parent_id: string | null;
      name: string;
      province_code: string | null;
      city_code: string | null;
      district_code: string | null;
    }[]
  >`select id::text, kind, parent_id::text, name, province_code, city_code, district_code from parties
    where tenant_id = ${tenantId} and id = any(${wanted}::bigint[])`;
  return new Map(
    rows.map((r) => [
      Number(r.id),
      { id: Number(r.id), kind: r.kind, parentId: r.parent_id == null ? null : Number(r.parent_id), division: divisionOf(r), name: r.name },
    ]),
  );
}

/** The authorised territories (division codes) of distributors. */
export async function territoriesOf(db: Db, tenantId: number, partyIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!partyIds.length) return out;
  const rows = await db<{ party_id: string; division_code: string }[]>`
    select party_id::text, division_code from party_territories where tenant_id = ${tenantId} and party_id = any(${[...new Set(partyIds)]}::bigint[])`;
  for (const r of rows) out.set(Number(r.party_id), [...(out.get(Number(r.party_id)) ?? []), r.division_code]);
  return out;
}
