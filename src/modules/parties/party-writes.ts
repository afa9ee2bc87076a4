import type { Db } from '../../context.ts';
import { copyInto, reserveIds } from '../../db/copy.ts';
import type { FieldError } from '../../http/problem.ts';
import { allowedParentKinds, type PartyKind, type ValidParty } from './party-rules.ts';

/** What a party's suppliers-to-be need to know of it. */
export interface Upstream {
  id: number;
  kind: PartyKind;
  tier: number | null;
  ancestors: number[];
}

export const PARTY_COLUMNS = [
  'tenant_id',
  'id',
  'kind',
  'code',
  'name',
  'gln',
  'tier',
  'parent_id',
  'ancestors',
  'province_code',
  'city_code',
  'district_code',
  'address',
  'lat',
  'lng',
  'contact_name',
  'phone',
];

/** A party as a COPY row in PARTY_COLUMNS order. */
export function partyRow(tenantId: number, p: ValidParty, r: Upstream) {
  return [
    tenantId,
    r.id,
    p.kind,
    p.code,
    p.name,
    p.gln,
    p.tier,
    r.ancestors.at(-1) ?? null,
    r.ancestors,
    p.provinceCode,
    p.cityCode,
    p.districtCode,
    p.address ?? null,
    p.lat ?? null,
    p.lng ?? null,
    p.contactName ?? null,
    p.phone ?? null,
  ];
}

/** Why `supplier` cannot supply `p` (or a party that needs a supplier has none); null when it can. */
export function supplyProblem(p: ValidParty, supplier: Upstream | undefined, pointer: string): FieldError | null {
  if (!supplier) {
    return p.kind === 'store' || (p.kind === 'distributor' && p.tier === 2)
      ? { pointer, code: 'field.required', params: { field: 'parentCode' } }
      : null;
  }
  if (!allowedParentKinds(p.kind, p.tier).includes(supplier.kind) || (p.kind === 'distributor' && p.tier === 2 && supplier.tier !== 1)) {
    return {
      pointer,
      code: 'field.invalid',
      params: { field: 'parentCode', reason: `a ${p.kind}${p.tier ? ` (tier ${p.tier})` : ''} cannot be supplied by a ${supplier.kind}` },
    };
  }
  return null;
}

/**
 * Writes checked parties in bulk (COPY) inside the caller's transaction. Parents may be in the database or
 * anywhere in the same batch; ids are reserved first so each row's parent and ancestor chain is known
 * before it is written. Returns per-row errors (index into `parties`) and writes nothing if there are any.
 */
export async function insertParties(
  tx: Db,
  tenantId: number,
  parties: ValidParty[],
  pointer: (index: number, field: string) => string,
): Promise<{ errors: FieldError[]; ids: number[] }> {
  const errors: FieldError[] = [];
  const byCode = new Map<string, number>();
  const glns = new Map<string, number>();
  parties.forEach((p, i) => {
    if (byCode.has(p.code))
      errors.push({ pointer: pointer(i, 'code'), code: 'import.duplicate', params: { field: 'code', value: p.code } });
    else byCode.set(p.code, i);
    if (p.gln) {
      if (glns.has(p.gln)) errors.push({ pointer: pointer(i, 'gln'), code: 'import.duplicate', params: { field: 'gln', value: p.gln } });
      else glns.set(p.gln, i);
    }
  });
  const existing = await tx<{ code: string; gln: string | null }[]>`
    select code, gln from parties where tenant_id = ${tenantId}
      and (code = any(${[...byCode.keys()]}::text[]) or gln = any(${[...glns.keys()]}::bpchar[]))`;
  for (const e of existing) {
    const i = byCode.get(e.code);
    if (i !== undefined) errors.push({ pointer: pointer(i, 'code'), code: 'import.exists', params: { field: 'code', value: e.code } });
    const j = e.gln ? glns.get(e.gln) : undefined;
    if (j !== undefined) errors.push({ pointer: pointer(j, 'gln'), code: 'import.exists', params: { field: 'gln', value: e.gln } });
  }
  const outsideParents = [...new Set(parties.map((p) => p.parentCode).filter((c): c is string => !!c && !byCode.has(c)))];
  const known = new Map<string, Upstream>();
  if (outsideParents.length) {
    const rows = await tx<{ code: string; id: number; kind: PartyKind; tier: number | null; ancestors: number[] }[]>`
      select code, id, kind, tier, ancestors from parties where tenant_id = ${tenantId} and code = any(${outsideParents}::text[])`;
    for (const r of rows) known.set(r.code, { id: Number(r.id), kind: r.kind, tier: r.tier, ancestors: r.ancestors.map(Number) });
  }
  if (errors.length) return { errors, ids: [] };

  const ids = await reserveIds(tx, 'parties', parties.length);
  const resolved: (Upstream | null)[] = new Array(parties.length).fill(null);
  const resolving = new Set<number>();
  const resolve = (i: number): Upstream | undefined => {
    const done = resolved[i];
    if (done) return done;
    const p = parties[i] as ValidParty;
    if (resolving.has(i)) {
      errors.push({ pointer: pointer(i, 'parentCode'), code: 'field.invalid', params: { field: 'parentCode', reason: 'cycle' } });
      return undefined;
    }
    resolving.add(i);
    let parent: Upstream | undefined;
    if (p.parentCode) {
      const inBatch = byCode.get(p.parentCode);
      parent = inBatch !== undefined ? resolve(inBatch) : known.get(p.parentCode);
      if (!parent) {
        if (inBatch === undefined) {
          errors.push({
            pointer: pointer(i, 'parentCode'),
            code: 'import.reference',
            params: { field: 'parentCode', value: p.parentCode },
          });
        }
        return undefined;
      }
    }
    const problem = supplyProblem(p, parent, pointer(i, 'parentCode'));
    if (problem) {
      errors.push(problem);
      return undefined;
    }
    const ancestors = parent ? [...parent.ancestors, parent.id] : [];
    const up: Upstream = { id: ids[i] as number, kind: p.kind, tier: p.tier, ancestors };
    resolved[i] = up;
    return up;
  };
  for (let i = 0; i < parties.length; i++) resolve(i);
  if (errors.length) return { errors, ids: [] };

  await copyInto(
    tx,
    'parties',
    PARTY_COLUMNS,
    parties.map((p, i) => partyRow(tenantId, p, resolved[i] as Upstream)),
  );
  const territoryRows: [number, number, string][] = [];
  parties.forEach((p, i) => {
    for (const t of p.territories) territoryRows.push([tenantId, ids[i] as number, t]);
  });
  if (territoryRows.length) await copyInto(tx, 'party_territories', ['tenant_id', 'party_id', 'division_code'], territoryRows);
  return { errors, ids };
}
