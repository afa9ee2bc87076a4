/**
 * EPCIS capture: a validated document's events go into the ledger in one transaction with the capture job
 * and the projections, so an acknowledged capture is durable and complete, and a failed one left nothing.
 * Each event is identified by its CBV 2.0 event hash: capturing the same event again (a retry, a device
 * re-sending its queue) stores nothing new.
 */
import type { Sql, Tx } from '../../db/connection.ts';
import { openCopy } from '../../db/copy.ts';
import { eventHashId, hashContext } from './epcis/event-hash.ts';
import { type EpcisEvent, type EventFacts, eventFacts } from './event-facts.ts';
import { applyProjections } from './projections.ts';

export interface PreparedEvent {
  event: EpcisEvent;
  hash: string;
  facts: EventFacts;
}

export interface CaptureOutcome {
  captureId: number;
  eventCount: number;
  newEvents: number;
  eventIds: string[];
}

/** Hashes and reads the facts of a document's events (pure, no database). */
export function prepareEvents(events: EpcisEvent[], context: unknown): PreparedEvent[] {
  const ctx = hashContext(context);
  return events.map((event) => ({ event, hash: eventHashId(event, ctx), facts: eventFacts(event) }));
}

/**
 * Stores the events that are new and applies them to the projections, in the caller's transaction if one
 * is given. `checks` runs inside the transaction before anything is written (device flows refuse codes there).
 */
export async function captureEvents(
  sql: Sql,
  tenantId: number,
  actor: string,
  prepared: PreparedEvent[],
  context: unknown,
  opts: { tx?: Tx; checks?: (tx: Tx) => Promise<void> } = {},
): Promise<CaptureOutcome> {
  const run = async (tx: Tx): Promise<CaptureOutcome> => {
    await opts.checks?.(tx);
    const [job] = await tx<{ id: number; now: Date }[]>`
      insert into capture_jobs (tenant_id, status, event_count, actor) values (${tenantId}, 'succeeded', ${prepared.length}, ${actor})
      returning id, now() as now`;
    const captureId = Number(job?.id);
    const recordTime = job?.now as Date;
    // the same event twice in one document counts once
    const unique = new Map<string, PreparedEvent>();
    for (const p of prepared) if (!unique.has(p.hash)) unique.set(p.hash, p);
    const candidates = [...unique.values()];
    const existing = new Set(
      candidates.length
        ? (
            await tx<{ event_hash: string }[]>`
              select event_hash from epcis_events where tenant_id = ${tenantId}
                and event_hash = any(${candidates.map((c) => c.hash)}::text[])`
          ).map((r) => r.event_hash)
        : [],
    );
    const fresh = candidates.filter((c) => !existing.has(c.hash));
    // an error declaration has its event's hash (the hash ignores errorDeclaration): it is recorded on the stored event
    const declarations = candidates.filter((c) => existing.has(c.hash) && c.event.errorDeclaration);
    for (const d of declarations) {
      await tx`update epcis_events set body = body || ${tx.json({ errorDeclaration: d.event.errorDeclaration } as never)}
        where tenant_id = ${tenantId} and event_hash = ${d.hash} and not body ? 'errorDeclaration'`;
    }
    if (fresh.length) {
      const [ids] = await tx<{ ids: string }[]>`
        select string_agg(nextval('epcis_event_ids')::text, ',') as ids from generate_series(1, ${fresh.length})`;
      const eventIds = (ids?.ids ?? '').split(',').map(Number);
      const contextJson = context === undefined ? null : JSON.stringify(context);
      const events = await openCopy(tx, 'epcis_events', [
        'tenant_id',
        'id',
        'event_time',
        'event_hash',
        'event_type',
        'action',
        'biz_step',
        'disposition',
        'read_point',
        'biz_location',
        'record_time',
        'capture_id',
        'body',
        'context',
      ]);
      for (let i = 0; i < fresh.length; i++) {
        const { event, hash, facts } = fresh[i] as PreparedEvent;
        await events.write([
          tenantId,
          eventIds[i] as number,
          facts.eventTime,
          hash,
          facts.type,
          facts.action,
          facts.bizStep,
          facts.disposition,
          facts.readPoint,
          facts.bizLocation,
          recordTime,
          captureId,
          JSON.stringify({ ...event, eventID: event.eventID ?? hash }),
          contextJson,
        ]);
      }
      await events.end();
      const epcs = await openCopy(tx, 'event_epcs', ['tenant_id', 'epc', 'event_time', 'event_id', 'role']);
      for (let i = 0; i < fresh.length; i++) {
        const { facts } = fresh[i] as PreparedEvent;
        for (const e of facts.epcs) await epcs.write([tenantId, e.epc, facts.eventTime, eventIds[i] as number, e.role]);
      }
      await epcs.end();
      await applyProjections(tx, tenantId, fresh);
      await tx`update capture_jobs set new_events = ${fresh.length} where tenant_id = ${tenantId} and id = ${captureId}`;
    }
    return { captureId, eventCount: prepared.length, newEvents: fresh.length, eventIds: prepared.map((p) => p.hash) };
  };
  if (opts.tx) return run(opts.tx);
  return sql.begin(run);
}
