/**
 * The rules of channel incentive programs (渠道激励), pure: who is eligible for what, and how much a scanned code
 * pays. Time, the program's terms and the code's facts are passed in; nothing here reads a clock or a table.
 */

import { statusChangeAllowed } from '../definition.ts';

export const PROGRAM_KINDS = ['clerk_sell', 'distributor_rebate', 'sellout_rebate', 'open_case', 'one_more'] as const;
export type ProgramKind = (typeof PROGRAM_KINDS)[number];
export const PROGRAM_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];

export interface ProgramTerms {
  id: number;
  kind: ProgramKind;
  /** empty: every product */
  productIds: number[];
  /** division-code prefixes of the payee's place (44 = Guangdong, 4401 = Guangzhou); empty: everywhere */
  regionPrefixes: string[];
  startsAt: Date;
  endsAt: Date | null;
  per: 'unit' | 'case';
  amountFen: number;
  /** sell-out rebate: the supplying distributor's amount per unit (or case) */
  upstreamAmountFen: number;
}

export interface CodeFacts {
  productId: number | null;
  level: 'unit' | 'case' | 'pallet' | null;
  /** units in one case of the code's product (a case code's packaging quantity) */
  unitsPerCase: number | null;
}

export type IneligibleReason = 'not_started' | 'ended' | 'product' | 'region' | 'level';
export type Eligibility = { ok: true; units: number; amountFen: number; upstreamFen: number } | { ok: false; reason: IneligibleReason };

/** True when the place's division code lies under one of the prefixes (no prefixes: everywhere). */
export function insideRegion(division: string | null, prefixes: string[]): boolean {
  if (!prefixes.length) return true;
  if (!division) return false;
  return prefixes.some((p) => division.startsWith(p));
}

/**
 * True when a store lies in a distributor's authorised territory: one of the territory's division codes is a
 * prefix of the store's most precise division. A distributor without a territory has none to sell in.
 */
export function insideTerritory(storeDivision: string | null, territories: string[]): boolean {
  if (!storeDivision) return false;
  return territories.some((t) => storeDivision.startsWith(t));
}

/** The most precise division code of a place (district, else city, else province). */
export function divisionOf(place: {
  district_code?: string | null;
  city_code?: string | null;
  province_code?: string | null;
}): string | null {
  return place.district_code ?? place.city_code ?? place.province_code ?? null;
}

/**
 * Whether a scanned code earns under a program, and how much: a unit code counts one unit; a case code counts
 * its units (per unit) or one case (per case). A program per case pays nothing for a loose unit, and a pallet is
 * not a sale of anything to a store.
 */
export function eligibility(p: ProgramTerms, code: CodeFacts, placeDivision: string | null, at: Date): Eligibility {
  if (at.getTime() < p.startsAt.getTime()) return { ok: false, reason: 'not_started' };
  if (p.endsAt && at.getTime() >= p.endsAt.getTime()) return { ok: false, reason: 'ended' };
  if (p.productIds.length && (code.productId == null || !p.productIds.includes(code.productId))) return { ok: false, reason: 'product' };
  if (!insideRegion(placeDivision, p.regionPrefixes)) return { ok: false, reason: 'region' };
  let units: number;
  if (code.level === 'unit') {
    if (p.per === 'case') return { ok: false, reason: 'level' };
    units = 1;
  } else if (code.level === 'case') {
    units = p.per === 'case' ? 1 : (code.unitsPerCase ?? 0);
    if (units < 1) return { ok: false, reason: 'level' };
  } else return { ok: false, reason: 'level' };
  return { ok: true, units, amountFen: units * p.amountFen, upstreamFen: units * p.upstreamAmountFen };
}

/** The business day (Asia/Shanghai, UTC+8, no daylight saving) a payout counts against for the daily budget. */
export function businessDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Programs follow the campaigns' life cycle: a draft or paused one starts, an active one pauses, any but ended ends. */
export const mayChangeStatus: (from: ProgramStatus, to: ProgramStatus) => boolean = statusChangeAllowed;
