/**
 * The facts the ledger indexes and the projections act on, read from one EPCIS 2.0 event (JSON). Pure.
 * Identifiers become canonical GS1 Digital Link URIs on id.gs1.org so that a code written as an EPC URN
 * by one capturer and as a Digital Link by another is the same code.
 */
import { tryCanonicalEpc } from '../../platform/epc-urn.ts';

export type EpcisEvent = Record<string, unknown> & { type: string };

export const EPC_ROLE = {
  epcList: 1,
  parentID: 2,
  childEPCs: 3,
  inputEPCList: 4,
  outputEPCList: 5,
  quantityList: 6,
  childQuantityList: 7,
  inputQuantityList: 8,
  outputQuantityList: 9,
} as const;

export interface EventFacts {
  type: string;
  action: string | null;
  eventTime: Date;
  bizStep: string | null;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  epcs: { epc: string; role: number }[];
  /** lot of the codes this event commissions (ilmd cbvmda:lotNumber), if any */
  lot: string | null;
  sourceParties: string[];
  destinationParties: string[];
  bizTransactions: { type: string | null; id: string }[];
}

const CBV_PREFIXES: Record<string, string[]> = {
  bizStep: ['https://ref.gs1.org/cbv/BizStep-', 'urn:epcglobal:cbv:bizstep:'],
  disposition: ['https://ref.gs1.org/cbv/Disp-', 'urn:epcglobal:cbv:disp:'],
  btt: ['https://ref.gs1.org/cbv/BTT-', 'urn:epcglobal:cbv:btt:'],
  sdt: ['https://ref.gs1.org/cbv/SDT-', 'urn:epcglobal:cbv:sdt:'],
};

/** A CBV term in its bare form ("shipping") whichever way it was written; anything else as given. */
export function cbvShort(kind: keyof typeof CBV_PREFIXES, value: unknown): string | null {
  if (typeof value !== 'string' || !value) return null;
  for (const p of CBV_PREFIXES[kind] ?? []) if (value.startsWith(p)) return value.slice(p.length);
  return value;
}

/** An identifier as the ledger stores it: canonical Digital Link where it is a GS1 key, else as written. */
export function ledgerId(value: string): string {
  const r = tryCanonicalEpc(value);
  return r.ok ? r.value : value;
}

/** The GLN of a Digital Link location (/414/{gln}, optionally /254/{extension}) or party (/417/{gln}). */
export function glnOf(id: string | null): string | null {
  return id ? (/\/(?:414|417)\/(\d{13})(?:\/|$)/.exec(id)?.[1] ?? null) : null;
}

/**
 * True for a packing (AggregationEvent ADD with a parent): its children are indexed by the containment
 * history (with the event's id and time) rather than by event_epcs.
 */
export function childrenInContainment(f: Pick<EventFacts, 'type' | 'action' | 'epcs'>): boolean {
  return f.type === 'AggregationEvent' && f.action === 'ADD' && f.epcs.some((e) => e.role === EPC_ROLE.parentID);
}

/** The GTIN of a canonical Digital Link of a trade item (/01/{gtin}...). */
export function gtinOf(epc: string): string | null {
  return /\/01\/(\d{14})(?:\/|$)/.exec(epc)?.[1] ?? null;
}

function idOf(v: unknown): string | null {
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return ledgerId((v as { id: string }).id);
  return null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function eventFacts(event: EpcisEvent): EventFacts {
  const epcs: { epc: string; role: number }[] = [];
  const add = (list: string[], role: number) => {
    for (const e of list) epcs.push({ epc: ledgerId(e), role });
  };
  const addQuantities = (v: unknown, role: number) => {
    if (!Array.isArray(v)) return;
    for (const q of v) if (q && typeof q === 'object' && typeof q.epcClass === 'string') epcs.push({ epc: ledgerId(q.epcClass), role });
  };
  add(strings(event.epcList), EPC_ROLE.epcList);
  if (typeof event.parentID === 'string') add([event.parentID], EPC_ROLE.parentID);
  add(strings(event.childEPCs), EPC_ROLE.childEPCs);
  add(strings(event.inputEPCList), EPC_ROLE.inputEPCList);
  add(strings(event.outputEPCList), EPC_ROLE.outputEPCList);
  addQuantities(event.quantityList, EPC_ROLE.quantityList);
  addQuantities(event.childQuantityList, EPC_ROLE.childQuantityList);
  addQuantities(event.inputQuantityList, EPC_ROLE.inputQuantityList);
  addQuantities(event.outputQuantityList, EPC_ROLE.outputQuantityList);

  const ilmd = (event.ilmd ?? {}) as Record<string, unknown>;
  const lotValue = ilmd['cbvmda:lotNumber'] ?? ilmd.lotNumber ?? ilmd['https://ref.gs1.org/cbv/cbvmda#lotNumber'];
  const parties = (list: unknown, want: 'source' | 'destination') =>
    (Array.isArray(list) ? list : [])
      .map((x) => x as Record<string, unknown>)
      .map((x) => (typeof x[want] === 'string' ? ledgerId(x[want] as string) : null))
      .filter((x): x is string => !!x);
  const bizTransactions = (Array.isArray(event.bizTransactionList) ? event.bizTransactionList : [])
    .map((b) => b as Record<string, unknown>)
    .filter((b) => typeof b.bizTransaction === 'string')
    .map((b) => ({ type: cbvShort('btt', b.type), id: b.bizTransaction as string }));

  return {
    type: event.type,
    action: typeof event.action === 'string' ? event.action : null,
    eventTime: new Date(String(event.eventTime)),
    bizStep: cbvShort('bizStep', event.bizStep),
    disposition: cbvShort('disposition', event.disposition),
    readPoint: idOf(event.readPoint),
    bizLocation: idOf(event.bizLocation),
    epcs,
    lot: typeof lotValue === 'string' ? lotValue : null,
    sourceParties: parties(event.sourceList, 'source'),
    destinationParties: parties(event.destinationList, 'destination'),
    bizTransactions,
  };
}
