import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Process-wide metrics: Node's process metrics (CPU, memory, event-loop lag, GC, handles) and the counters that
 * domain code bumps. Per-app metrics (HTTP, database pool, statements) live in the app's own registry
 * (http/observability.ts); `/metrics` serves both.
 */
export const processRegistry = new Registry();
let defaultsStarted = false;

/** Starts collecting Node's process metrics once per process. */
export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: processRegistry });
}

const SOURCES = new Set(['epcis', 'scan']);
const sourceLabel = (s: string | undefined) => (s && SOURCES.has(s) ? s : 'other');

const captures = new Counter({
  name: 'throughline_epcis_captures_total',
  help: 'EPCIS captures committed (one per capture document or device scan)',
  labelNames: ['source'],
  registers: [processRegistry],
});
const eventsReceived = new Counter({
  name: 'throughline_epcis_events_received_total',
  help: 'EPCIS events in committed captures, including ones already stored (idempotent repeats)',
  labelNames: ['source'],
  registers: [processRegistry],
});
const eventsCaptured = new Counter({
  name: 'throughline_epcis_events_captured_total',
  help: 'EPCIS events newly stored',
  labelNames: ['source'],
  registers: [processRegistry],
});
const codesCaptured = new Counter({
  name: 'throughline_epcis_codes_captured_total',
  help: 'Identifiers (codes) named by the newly stored EPCIS events, packed children included',
  labelNames: ['source'],
  registers: [processRegistry],
});

export interface CaptureCount {
  /** how the events came: an EPCIS capture document (`epcis`) or a device / scanning-page scan (`scan`) */
  source: 'epcis' | 'scan';
  /** events in the capture, repeats of stored events included */
  events: number;
  /** events newly stored */
  newEvents: number;
  /** identifiers named by the newly stored events */
  codes: number;
}

/**
 * The capture hook: call once per capture, after its transaction has committed (a rolled-back capture must
 * not count). Cheap (four counter increments), never throws.
 */
export function recordCapture(c: CaptureCount): void {
  const source = sourceLabel(c.source);
  captures.inc({ source });
  if (c.events > 0) eventsReceived.inc({ source }, c.events);
  if (c.newEvents > 0) eventsCaptured.inc({ source }, c.newEvents);
  if (c.codes > 0) codesCaptured.inc({ source }, c.codes);
}

const claimBatchesRedecided = new Counter({
  name: 'throughline_claim_batches_redecided_total',
  help: 'Claim batches decided again with their campaign figures locked, after another batch moved a figure past what they assumed',
  registers: [processRegistry],
});

/** A claim batch whose guarded campaign figures failed at its commit and that was decided again (incentives). */
export function recordClaimBatchRedecided(): void {
  claimBatchesRedecided.inc();
}
