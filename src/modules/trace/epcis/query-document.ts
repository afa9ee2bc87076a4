/**
 * Builds the EPCISQueryDocument a query returns: the events as they were captured, their documents'
 * namespace prefixes merged into one @context, and identifiers translated as the GS1-EPC-Format header asks.
 */
import { digitalLinkToEpcUrn, epcUrnToDigitalLink } from '../../../platform/epc-urn.ts';

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export type EpcFormat = 'No_Preference' | 'Always_GS1_Digital_Link' | 'Always_EPC_URN' | 'Never_Translates';

export function epcFormatOf(header: string | string[] | undefined): EpcFormat {
  const v = Array.isArray(header) ? header[0] : header;
  return v === 'Always_GS1_Digital_Link' || v === 'Always_EPC_URN' || v === 'Never_Translates' ? v : 'No_Preference';
}

function translate(id: string, format: EpcFormat): string {
  if (format === 'Always_GS1_Digital_Link' && id.startsWith('urn:epc:')) {
    const r = epcUrnToDigitalLink(id);
    return r.ok ? r.value : id;
  }
  if (format === 'Always_EPC_URN' && /^https?:\/\//.test(id)) {
    const r = digitalLinkToEpcUrn(id);
    return r.ok ? r.value : id;
  }
  return id;
}

/** A copy of the event with every EPC-bearing field translated. */
export function translateEvent(event: Record<string, unknown>, format: EpcFormat): Record<string, unknown> {
  if (format === 'No_Preference' || format === 'Never_Translates') return event;
  const t = (v: unknown) => (typeof v === 'string' ? translate(v, format) : v);
  const out: Record<string, unknown> = { ...event };
  for (const f of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) {
    if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).map(t);
  }
  if (typeof out.parentID === 'string') out.parentID = t(out.parentID);
  for (const f of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    if (Array.isArray(out[f])) out[f] = (out[f] as Record<string, unknown>[]).map((q) => ({ ...q, epcClass: t(q.epcClass) }));
  }
  for (const f of ['readPoint', 'bizLocation']) {
    const v = out[f] as Record<string, unknown> | undefined;
    if (v && typeof v.id === 'string') out[f] = { ...v, id: t(v.id) };
  }
  for (const [f, key] of [
    ['sourceList', 'source'],
    ['destinationList', 'destination'],
  ] as const) {
    if (Array.isArray(out[f])) out[f] = (out[f] as Record<string, unknown>[]).map((s) => ({ ...s, [key]: t(s[key]) }));
  }
  return out;
}

/** The union of the events' contexts: the standard one first, then each namespace prefix once. */
export function mergedContext(contexts: unknown[]): unknown[] {
  const prefixes: Record<string, unknown> = {};
  const urls = new Set<string>([EPCIS_CONTEXT]);
  const visit = (c: unknown) => {
    if (typeof c === 'string') urls.add(c);
    else if (Array.isArray(c)) c.forEach(visit);
    else if (c && typeof c === 'object') Object.assign(prefixes, c);
  };
  contexts.forEach(visit);
  // the 2.0.0 context under another address is the same context
  for (const u of [...urls]) if (u !== EPCIS_CONTEXT && /epcis-context\.jsonld$/.test(u)) urls.delete(u);
  return Object.keys(prefixes).length ? [...urls, prefixes] : [...urls];
}

export function queryDocument(
  events: { body: Record<string, unknown>; context: unknown }[],
  format: EpcFormat,
  queryName = 'SimpleEventQuery',
) {
  return {
    '@context': mergedContext(events.map((e) => e.context)),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: {
      queryResults: {
        queryName,
        resultsBody: { eventList: events.map((e) => translateEvent(e.body, format)) },
      },
    },
  };
}
