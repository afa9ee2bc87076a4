import type { Db } from '../../context.ts';
import { copyInto, reserveIds } from '../../db/copy.ts';
import type { FieldError } from '../../http/problem.ts';
import { allowedParentKinds, type PartyKind, type ValidParty } from './party-rules.ts';

interface Upstream {
  id: number;
  kind: PartyKind;
  tier: number | null;
  ancestors: number[];
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
      and (code = any(${[...byCode.keys()]}::text[]) or gln = any(${[...glns.keys()]}::text[]))`;
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
    let ancestors: number[] = [];
    if (p.parentCode) {
      const inBatch = byCode.get(p.parentCode);
      const parent = inBatch !== undefined ? resolve(inBatch) : known.get(p.parentCode);
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
      if (!allowedParentKinds(p.kind, p.tier).includes(parent.kind) || (p.kind === 'distributor' && p.tier === 2 && parent.tier !== 1)) {
        errors.push({
          pointer: pointer(i, 'parentCode'),
          code: 'field.invalid',
          params: { field: 'parentCode', reason: `a ${p.kind}${p.tier ? ` (tier ${p.tier})` : ''} cannot be supplied by a ${parent.kind}` },
        });
        return undefined;
      }
      ancestors = [...parent.ancestors, parent.id];
    } else if (p.kind === 'store' || (p.kind === 'distributor' && p.tier === 2)) {
      errors.push({ pointer: pointer(i, 'parentCode'), code: 'field.required', params: { field: 'parentCode' } });
      return undefined;
    }
    const up: Upstream = { id: ids[i] as number, kind: p.kind, tier: p.tier, ancestors };
    resolved[i] = up;
    return up;
  };
  for (let i = 0; i < parties.length; i++) resolve(i);
  if (errors.length) return { errors, ids: [] };

  await copyInto(
    tx,
    'parties',
    [
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
    ],
    parties.map((p, i) => {
      const r = resolved[i] as Upstream;
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
    }),
  );
  const territoryRows: [number, number, string][] = [];
  parties.forEach((p, i) => {
    for (const t of p.territories) territoryRows.push([tenantId, ids[i] as number, t]);
  });
  if (territoryRows.length) await copyInto(tx, 'party_territories', ['tenant_id', 'party_id', 'division_code'], territoryRows);
  return { errors, ids };
}
