/**
 * What a store's scan earns, decided in the scan's own transaction right after its capture (trace/scans.ts calls
 * payForScan): a clerk's sell scan pays the clerk bonus; a store's receipt of what a distributor shipped pays the
 * distributor's rebate when the store lies in its territory; a store opening a case (unpack, or a scan of a unit
 * inside it) pays the open-case reward. Codes never delivered to the clerk's store earn nothing and raise a flag.
 */
import type { Tx } from '../../../db/connection.ts';
import type { Actor } from '../../auth/index.ts';
import { recordFlags } from '../fraud/flags.ts';
import { clerkUndelivered } from '../fraud/rules.ts';
import { gtinFacts, placesOf, territoriesOf } from './codes.ts';
import { type Claim, payClaims } from './payouts.ts';
import { activePrograms } from './programs.ts';
import { businessDay, type CodeFacts, eligibility, insideTerritory, type ProgramTerms } from './rules.ts';

/** A code as the scan found it before its events were captured. */
export interface ScannedCode {
  epc: string;
  gtin: string | null;
  parent_epc: string | null;
  status: string;
  holder_party_id: number | null;
  in_transit_to: number | null;
}

export interface ScanFacts {
  tenantId: number;
  actor: Actor;
  place: { id: number; kind: string };
  kind: string;
  scanId: string;
  at: Date;
  codes: string[];
  parent: string | null;
  before: Map<string, ScannedCode>;
}

/** What a scan earned under the programs that apply to it, and for whom; payee null when no program applies. */
export interface ScanEarnings {
  /** the scanning clerk (sell bonus), the store (open-case reward) or the store's distributor (receipt rebate) */
  payee: 'clerk' | 'store' | 'distributor' | null;
  paidFen: number;
  refused: { epc: string; reason: string }[];
}

const NOTHING: ScanEarnings = { payee: null, paidFen: 0, refused: [] };

export async function payForScan(tx: Tx, s: ScanFacts): Promise<ScanEarnings> {
  if (s.place.kind !== 'store') return NOTHING;
  const placeId = Number(s.place.id);
  switch (s.kind) {
    case 'sell':
      return clerkSell(tx, s, placeId);
    case 'receive':
      return distributorRebate(tx, s, placeId);
    case 'unpack':
      return s.parent ? openCase(tx, s, placeId, [s.parent]) : NOTHING;
    case 'inspect': {
      // a store scanning a unit still inside a case it holds opens that case
      const cases = s.codes.map((c) => s.before.get(c)).filter((c) => c?.parent_epc && c.holder_party_id === placeId);
      return cases.length ? openCase(tx, s, placeId, [...new Set(cases.map((c) => c?.parent_epc as string))]) : NOTHING;
    }
    default:
      return NOTHING;
  }
}

async function claimsFor(
  tx: Tx,
  s: ScanFacts,
  programs: ProgramTerms[],
  codes: { epc: string; gtin: string | null }[],
  division: string | null,
  payees: (code: string, e: { units: number; amountFen: number }) => Claim['payees'] | null,
) {
  const facts = await gtinFacts(
    tx,
    s.tenantId,
    codes.map((c) => c.gtin).filter((g): g is string => !!g),
  );
  const claims: Claim[] = [];
  const refused: ScanEarnings['refused'] = [];
  // the day the money is paid counts against the daily budget (a scan queued offline and sent late pays today)
  const day = businessDay(new Date());
  for (const p of programs)
    for (const c of codes) {
      const f: CodeFacts = (c.gtin && facts.get(c.gtin)) || { productId: null, level: null, unitsPerCase: null };
      const e = eligibility(p, f, division, s.at);
      if (!e.ok) {
        refused.push({ epc: c.epc, reason: e.reason });
        continue;
      }
      const to = payees(c.epc, e);
      if (to) claims.push({ programId: p.id, kind: p.kind, epc: c.epc, day, source: `scan:${s.scanId}`, payees: to });
    }
  return { claims, refused };
}

async function settle(
  tx: Tx,
  s: ScanFacts,
  payee: ScanEarnings['payee'],
  claims: Claim[],
  refused: ScanEarnings['refused'],
): Promise<ScanEarnings> {
  const results = await payClaims(tx, s.tenantId, claims, `${s.actor.kind}:${s.actor.id}`);
  let paidFen = 0;
  results.forEach((r, i) => {
    if (r.paid) paidFen += r.amountFen;
    else refused.push({ epc: claims[i]?.epc as string, reason: r.reason });
  });
  return { payee, paidFen, refused };
}

async function clerkSell(tx: Tx, s: ScanFacts, storeId: number): Promise<ScanEarnings> {
  const delivered = s.codes.filter((c) => s.before.get(c)?.holder_party_id === storeId);
  const never = s.codes.filter((c) => s.before.get(c)?.holder_party_id !== storeId);
  if (never.length) {
    const flag =
      s.actor.kind === 'user'
        ? clerkUndelivered({ id: s.actor.id, name: s.actor.name }, storeId, never)
        : clerkUndelivered({ id: storeId, name: s.actor.name }, storeId, never);
    if (flag)
      await recordFlags(tx, s.tenantId, [s.actor.kind === 'user' ? flag : { ...flag, subjectKind: 'store', subject: String(storeId) }]);
  }
  const programs = await activePrograms(tx, s.tenantId, ['clerk_sell']);
  // a device key has no person to pay
  if (!programs.length || s.actor.kind !== 'user' || !delivered.length)
    return {
      payee: programs.length && s.actor.kind === 'user' ? 'clerk' : null,
      paidFen: 0,
      refused: never.map((epc) => ({ epc, reason: 'not_delivered_here' })),
    };
  const store = (await placesOf(tx, s.tenantId, [storeId])).get(storeId);
  const userId = s.actor.id;
  const { claims, refused } = await claimsFor(
    tx,
    s,
    programs,
    delivered.map((epc) => ({ epc, gtin: s.before.get(epc)?.gtin ?? null })),
    store?.division ?? null,
    (_epc, e) => [{ role: 'clerk', partyId: storeId, userId, units: e.units, amountFen: e.amountFen }],
  );
  refused.push(...never.map((epc) => ({ epc, reason: 'not_delivered_here' })));
  return settle(tx, s, 'clerk', claims, refused);
}

async function distributorRebate(tx: Tx, s: ScanFacts, storeId: number): Promise<ScanEarnings> {
  const shipped = s.codes
    .map((c) => s.before.get(c))
    .filter((c): c is ScannedCode => !!c && c.status === 'in_transit' && Number(c.in_transit_to) === storeId && c.holder_party_id != null);
  if (!shipped.length) return NOTHING;
  const programs = await activePrograms(tx, s.tenantId, ['distributor_rebate']);
  if (!programs.length) return NOTHING;
  const places = await placesOf(tx, s.tenantId, [storeId, ...shipped.map((c) => Number(c.holder_party_id))]);
  const fromDistributors = shipped.filter((c) => places.get(Number(c.holder_party_id))?.kind === 'distributor');
  const territories = await territoriesOf(
    tx,
    s.tenantId,
    fromDistributors.map((c) => Number(c.holder_party_id)),
  );
  const store = places.get(storeId);
  const diverted = fromDistributors.filter(
    (c) => !insideTerritory(store?.division ?? null, territories.get(Number(c.holder_party_id)) ?? []),
  );
  const inside = fromDistributors.filter((c) => !diverted.includes(c));
  const shipper = new Map(inside.map((c) => [c.epc, Number(c.holder_party_id)]));
  const { claims, refused } = await claimsFor(tx, s, programs, inside, store?.division ?? null, (epc, e) => [
    { role: 'distributor', partyId: shipper.get(epc) as number, units: e.units, amountFen: e.amountFen },
  ]);
  refused.push(...diverted.map((c) => ({ epc: c.epc, reason: 'outside_territory' })));
  return settle(tx, s, 'distributor', claims, refused);
}

async function openCase(tx: Tx, s: ScanFacts, storeId: number, cases: string[]): Promise<ScanEarnings> {
  const programs = await activePrograms(tx, s.tenantId, ['open_case']);
  if (!programs.length) return NOTHING;
  // the case as it stood before this scan: held by this store (received here), not on its way
  const rows = await tx<{ epc: string; gtin: string | null; holder_party_id: string | null; status: string }[]>`
    select epc, gtin, holder_party_id::text, status from code_now where tenant_id = ${s.tenantId} and epc = any(${cases}::text[])`;
  const held = rows.filter((r) => {
    const before = s.before.get(r.epc);
    const holder = before ? before.holder_party_id : Number(r.holder_party_id);
    const status = before ? before.status : r.status;
    return Number(holder) === storeId && status !== 'in_transit';
  });
  const store = (await placesOf(tx, s.tenantId, [storeId])).get(storeId);
  const { claims, refused } = await claimsFor(tx, s, programs, held, store?.division ?? null, (_epc, e) => [
    { role: 'store', partyId: storeId, units: e.units, amountFen: e.amountFen },
  ]);
  refused.push(...rows.filter((r) => !held.includes(r)).map((r) => ({ epc: r.epc, reason: 'not_delivered_here' })));
  return settle(tx, s, 'store', claims, refused);
}
