/**
 * EPCIS capture: a validated document's events go into the ledger in one transaction with the capture job
 * and the projections, so an acknowledged capture is durable and complete, and a failed one left nothing.
 * Each event is identified by its CBV 2.0 event hash: capturing the same event again (a retry, a device
 * re-sending its queue) stores nothing new.
 */
import type { Sql, Tx } from '../../db/connection.ts';
import { openCopy } from '../../db/copy.ts';
import { eventHashId, hashContext } from './epcis/event-hash.ts';
import { childrenInContainment, EPC_ROLE, type EpcisEvent, type EventFacts, eventFacts } from './event-facts.ts';
import { applyProjections } from './projections.ts';

const EVENT_COLUMNS = [
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
];

/** Rows above this many go in as a COPY. */
const COPY_FROM = 200;

/** Few rows go in as one INSERT (pipelined with its neighbours); many as a COPY (one stream, ~200k rows/s). */
async function writeRows(tx: Tx, table: 'epcis_events' | 'event_epcs', columns: string[], rows: unknown[][]): Promise<void> {
  const json = new Set(['body', 'context'].map((c) => columns.indexOf(c)).filter((i) => i >= 0));
  if (rows.length > COPY_FROM) {
    const copy = await openCopy(tx, table, columns);
    for (const row of rows) await copy.write(row.map((v, i) => (json.has(i) && v != null ? JSON.stringify(v) : v)) as never);
    await copy.end();
    return;
  }
  const values = rows.map((r) =>
    Object.fromEntries(
      columns.map((c, i) => {
        const v = r[i];
        return [c, v instanceof Date ? v.toISOString() : json.has(i) && v != null ? tx.json(v as never) : v];
      }),
    ),
  );
  await tx`insert into ${tx(table)} ${tx(values as never, columns)}`;
}

export interface PreparedEvent {
  event: EpcisEvent;
  hash: string;
  facts: EventFacts;
  /** position in the document's event list (for errors found while applying it) */
  index: number;
}

export interface CaptureOutcome {
  captureId: number;
  eventCount: number;
  newEvents: number;
  /** identifiers named by the newly stored events (for the capture metrics) */
  codes: number;
  eventIds: string[];
}

/** Hashes and reads the facts of a document's events (pure, no database). */
export function prepareEvents(events: EpcisEvent[], context: unknown): PreparedEvent[] {
  const ctx = hashContext(context);
  return events.map((event, index) => ({ event, hash: eventHashId(event, ctx), facts: eventFacts(event), index }));
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
    // the same event twice in one document counts once
    const unique = new Map<string, PreparedEvent>();
    for (const p of prepared) if (!unique.has(p.hash)) unique.set(p.hash, p);
    const candidates = [...unique.values()];
    // round trip 1 (pipelined on the transaction's connection): ids, the time, which events are already stored
    const [[head], stored] = await Promise.all([
      tx<{ capture_id: number; now: Date; ids: string | null }[]>`
        select nextval(pg_get_serial_sequence('capture_jobs', 'id')) as capture_id, now() as now,
          (select string_agg(nextval('epcis_event_ids')::text, ',') from generate_series(1, ${candidates.length})) as ids`,
      candidates.length
        ? tx<{ event_hash: string }[]>`
            select event_hash from epcis_events where tenant_id = ${tenantId} and event_hash = any(${candidates.map((c) => c.hash)}::text[])`
        : Promise.resolve([]),
    ]);
    const captureId = Number(head?.capture_id);
    const recordTime = head?.now as Date;
    const ids = (head?.ids ?? '').split(',').map(Number);
    const existing = new Set(stored.map((r) => r.event_hash));
    const fresh = candidates.filter((c) => !existing.has(c.hash));
    // an error declaration has its event's hash (the hash ignores errorDeclaration): it is recorded on the stored event
    const declarations = candidates.filter((c) => existing.has(c.hash) && c.event.errorDeclaration);
    // round trip 2: the job, the events and their codes
    const eventRows = fresh.map(({ event, hash, facts }, i) => [
      tenantId,
      ids[i] as number,
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
      { ...event, eventID: event.eventID ?? hash },
      context ?? null,
    ]);
    // a packing's children are indexed by the containment history the projection writes (one row per child, not two)
    const epcRows = fresh.flatMap(({ facts }, i) => {
      const skipChildren = childrenInContainment(facts);
      return facts.epcs
        .filter((e) => !(skipChildren && e.role === EPC_ROLE.childEPCs))
        .map((e) => [tenantId, e.epc, facts.eventTime, ids[i] as number, e.role]);
    });
    const statements = [
      tx`insert into capture_jobs (tenant_id, id, status, event_count, new_events, actor)
        values (${tenantId}, ${captureId}, 'succeeded', ${prepared.length}, ${fresh.length}, ${actor})`,
      ...declarations.map(
        (d) => tx`update epcis_events set body = body || ${tx.json({ errorDeclaration: d.event.errorDeclaration } as never)}
          where tenant_id = ${tenantId} and event_hash = ${d.hash} and not body ? 'errorDeclaration'`,
      ),
    ];
    // an INSERT pipelines with its neighbours; a COPY must have the connection to itself (a statement sent while
    // it streams breaks the protocol: "unexpected message type 0x50 during COPY", and the connection is lost)
    if (eventRows.length > COPY_FROM) {
      await Promise.all(statements);
      await writeRows(tx, 'epcis_events', EVENT_COLUMNS, eventRows);
    } else await Promise.all([...statements, ...(eventRows.length ? [writeRows(tx, 'epcis_events', EVENT_COLUMNS, eventRows)] : [])]);
    if (epcRows.length) await writeRows(tx, 'event_epcs', ['tenant_id', 'epc', 'event_time', 'event_id', 'role'], epcRows);
    if (fresh.length)
      await applyProjections(
        tx,
        tenantId,
        fresh.map((f, i) => ({ facts: f.facts, eventId: ids[i] as number, index: f.index })),
      );
    return {
      captureId,
      eventCount: prepared.length,
      newEvents: fresh.length,
      codes: fresh.reduce((n, f) => n + f.facts.epcs.length, 0),
      eventIds: prepared.map((p) => p.hash),
    };
  };
  if (opts.tx) return run(opts.tx);
  return sql.begin(run);
}
