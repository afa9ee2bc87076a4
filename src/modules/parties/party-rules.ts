import type { FieldError } from '../../http/problem.ts';
import { parseGln } from '../../platform/gs1.ts';
import { allDivisions } from './divisions.ts';

export const PARTY_KINDS = ['brand', 'factory', 'warehouse', 'distributor', 'store'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/** A party as a person or a file states it: codes, not ids. */
export interface PartyInput {
  code: string;
  name: string;
  kind: string;
  gln?: string | null;
  tier?: number | null;
  parentCode?: string | null;
  provinceCode?: string | null;
  cityCode?: string | null;
  districtCode?: string | null;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  contactName?: string | null;
  phone?: string | null;
  territories?: string[];
}

/** A checked party: division codes completed from the finest one given, GLN normalised. */
export interface ValidParty extends PartyInput {
  kind: PartyKind;
  gln: string | null;
  tier: number | null;
  provinceCode: string | null;
  cityCode: string | null;
  districtCode: string | null;
  territories: string[];
}

/** Which kind of party may supply which (the channel tree). */
export function allowedParentKinds(kind: PartyKind, tier: number | null): PartyKind[] {
  switch (kind) {
    case 'brand':
      return [];
    case 'factory':
    case 'warehouse':
      return ['brand'];
    case 'distributor':
      return tier === 2 ? ['distributor'] : ['brand'];
    case 'store':
      return ['distributor'];
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * Whom a place ships to, most wanted first, as the channel runs (the scanning page suggests these as receivers). A
 * factory sends its output to the brand's warehouses, or straight to a distributor on a brand order (the brand's sites
 * all fulfil its orders: orders/order-scan.ts sellerSite); a warehouse to distributors (every distributor buys from the
 * brand: orders/placement-batch.ts) and to the other warehouses; a distributor only to the parties it supplies (its
 * stores and tier-2 distributors); the brand to its sites and its customers. A store sells, it does not ship.
 * The scanning page suggests these (ship-receivers.ts) and the ship scan refuses any other (shipRefusal, trace/scans.ts).
 */
export function receiversOf(kind: PartyKind): { kinds: PartyKind[]; ownCustomersOnly: boolean } {
  switch (kind) {
    case 'brand':
      return { kinds: ['warehouse', 'distributor', 'factory'], ownCustomersOnly: false };
    case 'factory':
      return { kinds: ['warehouse', 'distributor'], ownCustomersOnly: false };
    case 'warehouse':
      return { kinds: ['distributor', 'warehouse'], ownCustomersOnly: false };
    case 'distributor':
      return { kinds: ['store', 'distributor'], ownCustomersOnly: true };
    case 'store':
      return { kinds: [], ownCustomersOnly: true };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** Why a place may not ship to a party: not a kind it ships to, not one of its own customers, itself, inactive. */
export type ShipRefusal = 'kind' | 'not_own_customer' | 'self' | 'inactive';

/**
 * Whether `place` may ship to `receiver` (null) or why not, by receiversOf: the same parties the receiver picker offers
 * (ship-receivers.ts, which also leaves out a party without a GLN; the ship scan refuses that one as unknown).
 */
export function shipRefusal(
  place: { id: number; kind: string },
  receiver: { id: number; kind: string; parentId: number | null; status: string },
): ShipRefusal | null {
  if (receiver.id === place.id) return 'self';
  const { kinds, ownCustomersOnly } = receiversOf(place.kind as PartyKind);
  if (!kinds.includes(receiver.kind as PartyKind)) return 'kind';
  if (ownCustomersOnly && receiver.parentId !== place.id) return 'not_own_customer';
  if (receiver.status !== 'active') return 'inactive';
  return null;
}

/**
 * Pure checks of one party (no database): kind, tier, GLN check digit, divisions that exist and nest,
 * coordinates, territories. `at` prefixes the pointers (e.g. /body or /rows/12).
 */
export function checkParty(input: PartyInput, at: string): { party?: ValidParty; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const divisions = allDivisions();
  const req = (field: keyof PartyInput, v: unknown) => {
    if (v === undefined || v === null || v === '') errors.push({ pointer: `${at}/${field}`, code: 'field.required', params: { field } });
  };
  req('code', input.code);
  req('name', input.name);
  req('kind', input.kind);
  if (input.code && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(input.code)) {
    errors.push({ pointer: `${at}/code`, code: 'field.invalid', params: { field: 'code', reason: 'letters, digits, _ . - (max 40)' } });
  }
  if (input.name && input.name.length > 200) {
    errors.push({ pointer: `${at}/name`, code: 'field.invalid', params: { field: 'name', reason: 'max 200 characters' } });
  }
  const kind = input.kind as PartyKind;
  if (input.kind && !PARTY_KINDS.includes(kind)) {
    errors.push({ pointer: `${at}/kind`, code: 'field.invalid', params: { field: 'kind', reason: PARTY_KINDS.join('|') } });
  }
  let gln: string | null = null;
  if (input.gln) {
    const g = parseGln(input.gln);
    if (g.ok) gln = g.value;
    else errors.push({ pointer: `${at}/gln`, code: g.code, params: { value: input.gln } });
  }
  let tier: number | null = input.tier ?? null;
  if (kind === 'distributor') {
    tier ??= 1;
    if (tier !== 1 && tier !== 2)
      errors.push({ pointer: `${at}/tier`, code: 'field.invalid', params: { field: 'tier', reason: '1 or 2' } });
  } else if (tier !== null) {
    errors.push({ pointer: `${at}/tier`, code: 'field.invalid', params: { field: 'tier', reason: 'only distributors have a tier' } });
    tier = null;
  }
  // divisions: the finest code given decides; coarser ones given must contain it
  let provinceCode = input.provinceCode || null;
  let cityCode = input.cityCode || null;
  const districtCode = input.districtCode || null;
  for (const [field, code, level] of [
    ['provinceCode', provinceCode, 1],
    ['cityCode', cityCode, 2],
    ['districtCode', districtCode, 3],
  ] as const) {
    if (!code) continue;
    const d = divisions.get(code);
    if (!d || d.level !== level) errors.push({ pointer: `${at}/${field}`, code: 'division.unknown', params: { value: code } });
  }
  const district = districtCode ? divisions.get(districtCode) : undefined;
  if (district?.level === 3) {
    if (cityCode && cityCode !== district.cityCode) {
      errors.push({ pointer: `${at}/districtCode`, code: 'division.mismatch', params: { value: districtCode, parent: cityCode } });
    }
    if (provinceCode && provinceCode !== district.provinceCode) {
      errors.push({ pointer: `${at}/districtCode`, code: 'division.mismatch', params: { value: districtCode, parent: provinceCode } });
    }
    cityCode = district.cityCode;
    provinceCode = district.provinceCode;
  } else if (cityCode) {
    const city = divisions.get(cityCode);
    if (city?.level === 2) {
      if (provinceCode && provinceCode !== city.provinceCode) {
        errors.push({ pointer: `${at}/cityCode`, code: 'division.mismatch', params: { value: cityCode, parent: provinceCode } });
      }
      provinceCode = city.provinceCode;
    }
  }
  if (kind === 'store' && !districtCode) req('districtCode', districtCode);
  for (const [field, v, lim] of [
    ['lat', input.lat, 90],
    ['lng', input.lng, 180],
  ] as const) {
    if (v !== null && v !== undefined && !(Number.isFinite(v) && Math.abs(v) <= lim)) {
      errors.push({ pointer: `${at}/${field}`, code: 'field.invalid', params: { field, reason: `a number within ±${lim}` } });
    }
  }
  const territories = [...new Set(input.territories ?? [])];
  territories.forEach((t, i) => {
    if (!divisions.has(t)) errors.push({ pointer: `${at}/territories/${i}`, code: 'division.unknown', params: { value: t } });
  });
  if (territories.length && kind !== 'distributor') {
    errors.push({
      pointer: `${at}/territories`,
      code: 'field.invalid',
      params: { field: 'territories', reason: 'only distributors have territories' },
    });
  }
  if (errors.length) return { errors };
  return {
    errors,
    party: { ...input, kind, gln, tier, provinceCode, cityCode, districtCode, territories },
  };
}
