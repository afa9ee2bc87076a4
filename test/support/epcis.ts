import { expect } from 'vitest';

/** An EPCISDocument holding `events`, as a capturing application sends it. */
export function epcisDocument(events: object[], creationDate = '2026-03-01T00:00:00Z') {
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate,
    epcisBody: { eventList: events },
  };
}

/** Captures `events` through POST /epcis/capture and expects them accepted (202). */
export async function captureOverHttp(baseUrl: string, token: string, events: object[]): Promise<{ newEvents: number }> {
  const r = await fetch(`${baseUrl}/epcis/capture`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' },
    body: JSON.stringify(epcisDocument(events)),
  });
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  return body as { newEvents: number };
}
