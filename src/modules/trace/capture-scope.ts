/**
 * What a party may say through the EPCIS capture binding. The brand admin speaks for the whole brand. Everyone else
 * who captures (a factory line, a warehouse, a distributor's or a store's people, and the API keys of those places)
 * may only record what happens at its own place, to codes it holds or that are on their way to it, and only the
 * steps its kind of place does (scans.ts ALLOWED_AT: a store does not commission codes). Without this a store clerk
 * could mark any unit of the brand destroyed, and its consumers' pages would then call a genuine unit a counterfeit;
 * the scan endpoint (scans.ts) already checked all of it, the raw binding did not.
 */

import type { Tx } from '../../db/connection.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import type { Actor } from '../auth/index.ts';
import type { PreparedEvent } from './capture.ts';
import { glnOf } from './event-facts.ts';
import { stepOf } from './projections.ts';
import { ALLOWED_AT, placeOf, type ScanKind } from './scans.ts';

/** The kinds of place that may do what a captured event does (a destruction as a label replacement's decommissioning). */
const STEP_AS_SCAN: Record<ReturnType<typeof stepOf>, ScanKind> = {
  commission: 'commission',
  pack: 'pack',
  unpack: 'unpack',
  ship: 'ship',
  receive: 'receive',
  sell: 'sell',
  destroy: 'replace',
  observe: 'inspect',
};

/** True when the actor captures for the whole brand (nothing below is checked). */
export function capturesForBrand(actor: Actor): boolean {
  return actor.role === 'brand_admin' && actor.kind === 'user';
}

/**
 * Refuses (403, every fault with its pointer) a document a party-bound actor may not capture; run inside the capture's
 * transaction before anything is written.
 */
export async function checkCaptureScope(tx: Tx, actor: Actor, prepared: readonly PreparedEvent[]): Promise<void> {
  if (capturesForBrand(actor)) return;
  const place = await placeOf(tx, actor);
  const errors: FieldError[] = [];
  const at = (p: PreparedEvent) => `/epcisBody/eventList/${p.index}`;
  const codes = new Map<string, string>();
  for (const p of prepared) {
    const f = p.facts;
    const step = stepOf(f);
    if (!ALLOWED_AT[STEP_AS_SCAN[step]].includes(place.kind))
      errors.push({ pointer: `${at(p)}/bizStep`, code: 'epcis.step_not_here', params: { step: f.bizStep ?? step, party: place.kind } });
    if (!f.bizLocation && !f.readPoint) errors.push({ pointer: `${at(p)}/bizLocation`, code: 'epcis.location_required', params: {} });
    for (const [field, id] of [
      ['bizLocation', f.bizLocation],
      ['readPoint', f.readPoint],
    ] as const) {
      if (id && glnOf(id) !== place.gln)
        errors.push({ pointer: `${at(p)}/${field}/id`, code: 'epcis.not_your_location', params: { value: id } });
    }
    for (const e of f.epcs) if (!codes.has(e.epc)) codes.set(e.epc, at(p));
  }
  // codes the ledger knows must be here, or on their way here; a code it does not know yet is this place's to commission
  if (codes.size) {
    const elsewhere = await tx<{ epc: string }[]>`
      select n.epc from code_now n
      where n.tenant_id = ${actor.tenantId} and n.epc = any(${[...codes.keys()]}::text[])
        and n.holder_party_id is distinct from ${place.id} and n.in_transit_to is distinct from ${place.id}`;
    for (const r of elsewhere) errors.push({ pointer: codes.get(r.epc) as string, code: 'epcis.code_not_held', params: { value: r.epc } });
  }
  if (errors.length) throw new AppError(403, 'epcis.not_yours', { count: errors.length }, errors);
}
