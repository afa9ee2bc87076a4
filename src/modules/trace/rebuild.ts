/**
 * Rebuilding the ledger's projections from the events, to check them or to repair them.
 *
 * The rebuild runs the capture's own projection code (applyProjections) over the stored events, capture by
 * capture in the order they were recorded, into temporary tables that shadow the live ones on a connection
 * of its own: `code_state`, `containment`, `stock` and `monthly_city_shipments` (and `diversion_alerts`, which
 * the replay writes to but which is not compared: reviews and inspections change it too). Manual stock
 * adjustments are added to the rebuilt stock. Then each projection is compared with the live one row by row.
 *
 * Verify reads in one REPEATABLE READ snapshot, in which every capture is wholly present or absent. Apply first
 * locks the projections it replaces against writes (captures wait; reads go on), then takes the snapshot, and
 * replaces only the rows that differ, in the same transaction.
 */
import type { Tx } from '../../db/connection.ts';
import { createSql } from '../../db/connection.ts';
import { type EpcisEvent, eventFacts } from './event-facts.ts';
import { applyProjections, type ProjectedEvent } from './projections.ts';

/** The projections kept from the ledger, with their keys. */
export const PROJECTIONS = {
  code_state: { key: ['tenant_id', 'epc'], about: 'where each code is now: holder, place, status' },
  containment: { key: ['tenant_id', 'child_epc', 'packed_at', 'pack_event_id'], about: 'which container each code was in, when' },
  stock: { key: ['tenant_id', 'holder_party_id', 'gtin', 'lot'], about: 'units by holder, product and lot (with manual adjustments)' },
  sell_through_daily: { key: ['tenant_id', 'holder_party_id', 'gtin', 'day'], about: 'units out of each holder per product and day' },
  monthly_city_shipments: {
    key: ['tenant_id', 'distributor_id', 'city_code', 'month'],
    about: "units each distributor shipped into each city per month (the diversion cap's tally)",
  },
} as const;
export type ProjectionName = keyof typeof PROJECTIONS;
export const PROJECTION_NAMES = Object.keys(PROJECTIONS) as ProjectionName[];
/** Written by the replay but not a projection of the ledger alone: shadowed so the replay changes nothing live. */
const SHADOWED_ONLY = ['diversion_alerts'];

export interface ProjectionDiff {
  name: ProjectionName;
  /** rows in the rebuilt projection */
  rows: number;
  /** keys whose row differs, is missing from the live table, or is there but not in the rebuilt one */
  differing: number;
  /** the first differences: the key, the live row and the rebuilt one (null where absent) */
  samples: { key: unknown[]; live: Record<string, unknown> | null; rebuilt: Record<string, unknown> | null }[];
  /** apply: rows deleted from and inserted into the live table */
  deleted?: number;
  inserted?: number;
}

export interface RebuildResult {
  events: number;
  captures: number;
  seconds: number;
  projections: ProjectionDiff[];
  applied: boolean;
}

const REPLAY_BATCH = 2000;

/**
 * Rebuilds the projections from the ledger into scratch tables and compares `names` with the live ones;
 * with `apply`, replaces the live rows that differ. `url` is the database's: the rebuild needs a session
 * of its own (its temporary tables shadow the live ones for the projection code).
 */
export async function rebuildProjections(
  url: string,
  opts: {
    names?: ProjectionName[];
    apply?: boolean;
    tenantId?: number;
    samples?: number;
    onProgress?: (events: number, total: number) => void;
  } = {},
): Promise<RebuildResult> {
  const names = opts.names ?? PROJECTION_NAMES;
  for (const n of names) if (!(n in PROJECTIONS)) throw new Error(`no projection ${n}; there are ${PROJECTION_NAMES.join(', ')}`);
  const started = performance.now();
  // a fresh session: no statement prepared against the live tables is cached on it
  const sql = createSql(url, { max: 1, application: 'throughline projections' });
  try {
    return await sql.begin('isolation level repeatable read', async (tx) => {
      // before the snapshot is taken: captures that already wrote a projection finish first, later ones wait
      if (opts.apply) await tx.unsafe(`lock table ${names.map((n) => `public.${n}`).join(', ')} in exclusive mode`);
      await tx`set local statement_timeout = 0`;
      const [view] = await tx<{ def: string }[]>`select pg_get_viewdef('public.code_now'::regclass) as def`;
      await tx`set local search_path = pg_temp, public`;
      for (const t of [...PROJECTION_NAMES, ...SHADOWED_ONLY]) await tx.unsafe(`create temp table ${t} (like public.${t} including all)`);
      // the view over the scratch tables (its definition names them unqualified)
      await tx.unsafe(`create temp view code_now as ${view?.def}`);
      const { events, captures } = await replay(tx, opts.tenantId, opts.onProgress);
      await addAdjustments(tx, opts.tenantId);
      await checkNothingLiveWritten(tx);
      const projections: ProjectionDiff[] = [];
      for (const name of names) projections.push(await compare(tx, name, opts.tenantId, opts.samples ?? 5, !!opts.apply));
      await tx.unsafe(`drop view pg_temp.code_now`);
      for (const t of [...PROJECTION_NAMES, ...SHADOWED_ONLY]) await tx.unsafe(`drop table pg_temp.${t}`);
      return { events, captures, seconds: (performance.now() - started) / 1000, projections, applied: !!opts.apply };
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Every stored event, capture by capture in the order they were recorded, through applyProjections. */
async function replay(
  tx: Tx,
  tenantId: number | undefined,
  onProgress?: (events: number, total: number) => void,
): Promise<{ events: number; captures: number }> {
  const [count] = await tx<{ n: number }[]>`
    select count(*)::float8 as n from public.epcis_events where ${tenantId == null ? tx`true` : tx`tenant_id = ${tenantId}`}`;
  const total = Number(count?.n ?? 0);
  await tx`
    declare replay no scroll cursor for
    select e.tenant_id, e.capture_id, e.id, e.body from public.epcis_events e
    where ${tenantId == null ? tx`true` : tx`e.tenant_id = ${tenantId}`}
    order by e.tenant_id, e.record_time, e.capture_id, e.id`;
  let events = 0;
  let captures = 0;
  let group: { tenant: number; capture: number; events: ProjectedEvent[] } | null = null;
  const flush = async () => {
    if (!group) return;
    await applyProjections(tx, group.tenant, group.events);
    captures++;
    group = null;
  };
  while (true) {
    const rows = await tx.unsafe<{ tenant_id: number; capture_id: number; id: number; body: EpcisEvent }[]>(
      `fetch ${REPLAY_BATCH} from replay`,
    );
    for (const r of rows) {
      const tenant = Number(r.tenant_id);
      const capture = Number(r.capture_id);
      if (!group || group.tenant !== tenant || group.capture !== capture) {
        await flush();
        group = { tenant, capture, events: [] };
      }
      group.events.push({ facts: eventFacts(r.body), eventId: Number(r.id), index: group.events.length });
    }
    events += rows.length;
    onProgress?.(events, total);
    if (rows.length < REPLAY_BATCH) break;
  }
  await flush();
  await tx`close replay`;
  return { events, captures };
}

/**
 * The replay must write only to the scratch tables: a table the capture path starts writing to later, and that
 * is not shadowed here, would be written twice. The transaction's own statistics say which tables it wrote;
 * finding a live one aborts the rebuild (and rolls back everything it did).
 */
async function checkNothingLiveWritten(tx: Tx): Promise<void> {
  const written = await tx<{ name: string }[]>`
    select relname::text as name from pg_stat_xact_user_tables
    where schemaname = 'public' and n_tup_ins + n_tup_upd + n_tup_del > 0 order by 1`;
  if (written.length)
    throw new Error(
      `replaying the ledger wrote to the live table(s) ${written.map((w) => w.name).join(', ')}: ` +
        'shadow them in trace/rebuild.ts (PROJECTIONS, or SHADOWED_ONLY); nothing was changed',
    );
}

/** Manual adjustments count into stock as they did when made (each creates its row, even when they net to zero). */
async function addAdjustments(tx: Tx, tenantId: number | undefined): Promise<void> {
  await tx`
    insert into pg_temp.stock (tenant_id, holder_party_id, gtin, lot, on_hand)
    select tenant_id, holder_party_id, gtin, lot, sum(delta) from public.stock_adjustments
    where ${tenantId == null ? tx`true` : tx`tenant_id = ${tenantId}`}
    group by 1, 2, 3, 4
    on conflict (tenant_id, holder_party_id, gtin, lot) do update set on_hand = stock.on_hand + excluded.on_hand`;
}

/** Rows of the live table not in the rebuilt one and the other way round; with `apply`, the live table made equal. */
async function compare(
  tx: Tx,
  name: ProjectionName,
  tenantId: number | undefined,
  samples: number,
  apply: boolean,
): Promise<ProjectionDiff> {
  const where = tenantId == null ? '' : ` where tenant_id = ${Number(tenantId)}`;
  const key = PROJECTIONS[name].key;
  const live = `public.${name}`;
  const rebuilt = `pg_temp.${name}`;
  await tx.unsafe(`create temp table live_only as select * from ${live}${where} except all select * from ${rebuilt}${where}`);
  await tx.unsafe(`create temp table rebuilt_only as select * from ${rebuilt}${where} except all select * from ${live}${where}`);
  const keyOf = (alias: string) => `jsonb_build_array(${key.map((k) => `${alias}.${k}`).join(', ')})`;
  const [figures] = await tx.unsafe<{ rows: number; differing: number }[]>(
    `select (select count(*) from ${rebuilt}${where})::int as rows,
      (select count(*) from (select ${keyOf('l')} from live_only l union select ${keyOf('r')} from rebuilt_only r) k)::int as differing`,
  );
  const first = await tx.unsafe<{ key: unknown[]; live: Record<string, unknown> | null; rebuilt: Record<string, unknown> | null }[]>(
    `select coalesce(${keyOf('l')}, ${keyOf('r')}) as key, to_jsonb(l) as live, to_jsonb(r) as rebuilt
     from live_only l full join rebuilt_only r on ${key.map((k) => `l.${k} = r.${k}`).join(' and ')}
     order by 1 limit ${Number(samples)}`,
  );
  const diff: ProjectionDiff = { name, rows: figures?.rows ?? 0, differing: figures?.differing ?? 0, samples: [...first] };
  if (apply && diff.differing) {
    const deleted = await tx.unsafe(`delete from ${live} t using live_only d where ${key.map((k) => `t.${k} = d.${k}`).join(' and ')}`);
    const inserted = await tx.unsafe(`insert into ${live} select * from rebuilt_only`);
    diff.deleted = deleted.count;
    diff.inserted = inserted.count;
  }
  await tx.unsafe('drop table live_only, rebuilt_only');
  return diff;
}
