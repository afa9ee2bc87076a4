/**
 * BbC-linked sell-out rebate (动销返利): when a consumer proves a purchase (the hidden verification code checks out),
 * the store that sold the unit (its holder: the last store that received it) and the distributor that supplied it
 * are each paid their amount, once per code and program, unless the fraud check refuses the claim.
 * Called in the verification's transaction (resolver/routes.ts); costs one indexed read when no program runs.
 */
import type { Tx } from '../../../db/connection.ts';
import { type Assessment, assessConsumerClaim, type ConsumerClaim } from '../fraud/assess.ts';
import { gtinFacts, placesOf } from './codes.ts';
import { type Claim, type ClaimResult, payClaims } from './payouts.ts';
import { activePrograms } from './programs.ts';
import { businessDay, eligibility } from './rules.ts';

export interface SellOutOutcome {
  assessment: Assessment | null;
  results: ClaimResult[];
}

export async function payOnVerification(tx: Tx, c: ConsumerClaim, at = new Date()): Promise<SellOutOutcome> {
  const programs = await activePrograms(tx, c.tenantId, ['sellout_rebate']);
  if (!programs.length) return { assessment: null, results: [] };
  const [code] = await tx<{ gtin: string | null; holder_party_id: string | null; channel_party_id: string | null }[]>`
    select gtin, holder_party_id::text, channel_party_id::text from code_now where tenant_id = ${c.tenantId} and epc = ${c.epc}`;
  if (!code?.holder_party_id) return { assessment: null, results: [] };
  const holderId = Number(code.holder_party_id);
  const places = await placesOf(tx, c.tenantId, [holderId]);
  const store = places.get(holderId);
  if (store?.kind !== 'store') return { assessment: null, results: [] };
  // the supplier: the distributor the code was shipped to by its own supplier, else the store's parent distributor
  let distributorId = code.channel_party_id ? Number(code.channel_party_id) : null;
  if (distributorId == null && store.parentId != null) {
    const parent = (await placesOf(tx, c.tenantId, [store.parentId])).get(store.parentId);
    if (parent?.kind === 'distributor') distributorId = parent.id;
  }
  const assessment = await assessConsumerClaim(tx, c, at);
  if (assessment.refuse) return { assessment, results: [] };
  const facts = code.gtin ? (await gtinFacts(tx, c.tenantId, [code.gtin])).get(code.gtin) : undefined;
  const claims: Claim[] = [];
  for (const p of programs) {
    const e = eligibility(p, facts ?? { productId: null, level: null, unitsPerCase: null }, store.division, at);
    if (!e.ok) continue;
    const payees: Claim['payees'] = [{ role: 'store', partyId: store.id, units: e.units, amountFen: e.amountFen }];
    if (distributorId != null && e.upstreamFen > 0)
      payees.push({ role: 'distributor', partyId: distributorId, units: e.units, amountFen: e.upstreamFen });
    claims.push({ programId: p.id, kind: p.kind, epc: c.epc, day: businessDay(at), source: 'verification', payees });
  }
  return { assessment, results: await payClaims(tx, c.tenantId, claims, 'consumer:verification') };
}
