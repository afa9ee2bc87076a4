/**
 * Projections of the ledger, kept in the capture transaction so that a read after a capture sees it:
 * `code_state` (where each code is, in what, held by whom) and `stock` (units by holder, product and lot).
 *
 * Events are applied in event-time order, in runs of the same kind, each run as a few set-based
 * statements (a document of 100 packing events is three statements, not three hundred).
 * A code's state only moves forward: an event older than the code's last applied event is kept in the
 * ledger (and shows in the journey) but does not change where the code is now.
 * A scan of a container acts on everything inside it (its subtree through parent_epc, at most a few levels).
 */
import type { Tx } from '../../db/connection.ts';
import { type CityShipment, checkDiversion, checkMonthlyCaps } from './diversion.ts';
import { EPC_ROLE, type EventFacts, glnOf, gtinOf } from './event-facts.ts';

type Step = 'commission' | 'pack' | 'unpack' | 'ship' | 'receive' | 'sell' | 'destroy' | 'observe';

export interface ProjectedEvent {
  facts: EventFacts;
}

/** What an event does to the codes it names. */
export function stepOf(f: EventFacts): Step {
  if (f.type === 'AggregationEvent') return f.action === 'DELETE' ? 'unpack' : f.action === 'ADD' ? 'pack' : 'observe';
  if (f.type === 'ObjectEvent') {
    if (f.action === 'DELETE' || f.bizStep === 'destroying' || f.bizStep === 'decommissioning') return 'destroy';
    if (f.action === 'ADD' || f.bizStep === 'commissioning') return 'commission';
    if (f.bizStep === 'shipping' || f.bizStep === 'departing') return 'ship';
    if (f.bizStep === 'receiving' || f.bizStep === 'arriving' || f.bizStep === 'accepting') return 'receive';
    if (f.bizStep === 'retail_selling' || f.bizStep === 'dispensing') return 'sell';
  }
  if (f.type === 'TransformationEvent') return 'commission';
  return 'observe';
}

interface Resolved {
  partyByLocation: Map<string, number>;
  kindOfParty: Map<number, string>;
  levelByGtin: Map<string, 'unit' | 'case' | 'pallet'>;
}

async function resolve(tx: Tx, tenantId: number, events: ProjectedEvent[]): Promise<Resolved> {
  const glns = new Set<string>();
  const gtins = new Set<string>();
  for (const { facts } of events) {
    for (const id of [facts.bizLocation, facts.readPoint, ...facts.destinationParties, ...facts.sourceParties]) {
      const g = glnOf(id);
      if (g) glns.add(g);
    }
    for (const e of facts.epcs) {
      const g = gtinOf(e.epc);
      if (g) gtins.add(g);
    }
  }
  const [parties, levels] = await Promise.all([
    glns.size
      ? tx<{ gln: string; id: number; kind: string }[]>`
          select gln, id, kind from parties where tenant_id = ${tenantId} and gln = any(${[...glns]}::text[])`
      : [],
    gtins.size
      ? tx<{ gtin: string; level: 'unit' | 'case' | 'pallet' }[]>`
          select gtin, level from packaging_levels where tenant_id = ${tenantId} and gtin = any(${[...gtins]}::text[])`
      : [],
  ]);
  return {
    partyByLocation: new Map(parties.map((p) => [p.gln, Number(p.id)])),
    kindOfParty: new Map(parties.map((p) => [Number(p.id), p.kind])),
    levelByGtin: new Map(levels.map((l) => [l.gtin, l.level])),
  };
}

/** Applies newly stored events (in any order; sorted here by event time) to code_state and stock. */
export async function applyProjections(tx: Tx, tenantId: number, events: ProjectedEvent[]): Promise<void> {
  if (!events.length) return;
  const ordered = [...events].sort((a, b) => a.facts.eventTime.getTime() - b.facts.eventTime.getTime());
  const r = await resolve(tx, tenantId, ordered);
  // runs of the same step, so each run is a handful of set-based statements
  let run: ProjectedEvent[] = [];
  let runStep: Step | null = null;
  const flush = async () => {
    if (runStep && run.length) await applyRun(tx, tenantId, runStep, run, r);
    run = [];
  };
  for (const e of ordered) {
    const step = stepOf(e.facts);
    if (step !== runStep) {
      await flush();
      runStep = step;
    }
    run.push(e);
  }
  await flush();
}

interface Target {
  epc: string;
  time: Date;
  holder: number | null;
  location: string | null;
  bizStep: string | null;
  disposition: string | null;
  /** ship: the receiving party */
  to: number | null;
  /** ship to a distributor: whose territory the code now belongs to */
  channel: number | null;
  eventId: number | null;
  lot: string | null;
}

function targetsOf(run: ProjectedEvent[], r: Resolved, roles: number[]): Target[] {
  const out: Target[] = [];
  for (const { facts } of run) {
    const holder = r.partyByLocation.get(glnOf(facts.bizLocation) ?? '') ?? null;
    const toGln = facts.destinationParties.map(glnOf).find((g) => g && r.partyByLocation.has(g));
    const to = toGln ? (r.partyByLocation.get(toGln) ?? null) : null;
    for (const e of facts.epcs) {
      if (!roles.includes(e.role)) continue;
      out.push({
        epc: e.epc,
        time: facts.eventTime,
        holder,
        location: facts.bizLocation,
        bizStep: facts.bizStep,
        disposition: facts.disposition,
        to,
        channel: to != null && r.kindOfParty.get(to) === 'distributor' ? to : null,
        eventId: null,
        lot: facts.lot,
      });
    }
  }
  return out;
}

/**
 * Creates state rows for identifiers the ledger has not seen (commissioned, or named first by a packing or a
 * shipping event); the unit codes among them count into their holder's stock.
 */
async function ensureCodes(tx: Tx, tenantId: number, targets: Target[], r: Resolved): Promise<void> {
  if (!targets.length) return;
  const epcs = targets.map((t) => t.epc);
  const gtins = epcs.map(gtinOf);
  const created = await tx<{ holder: number | null; gtin: string | null; lot: string | null; level: string | null }[]>`
    insert into code_state (tenant_id, epc, gtin, level, lot, holder_party_id, location, status, disposition,
      last_biz_step, last_event_time, commissioned_at)
    select ${tenantId}, x.epc, x.gtin, x.level, x.lot, x.holder, x.location, 'commissioned', x.disposition, x.biz_step, x.t, x.t
    from unnest(${epcs}::text[], ${gtins}::text[], ${gtins.map((g) => (g ? (r.levelByGtin.get(g) ?? null) : null))}::text[],
      ${targets.map((t) => t.lot)}::text[], ${targets.map((t) => t.holder)}::bigint[], ${targets.map((t) => t.location)}::text[],
      ${targets.map((t) => t.disposition)}::text[], ${targets.map((t) => t.bizStep)}::text[], ${targets.map((t) => t.time.toISOString())}::timestamptz[])
      as x(epc, gtin, level, lot, holder, location, disposition, biz_step, t)
    on conflict (tenant_id, epc) do nothing
    returning holder_party_id as holder, gtin, lot, level`;
  const groups = new Map<string, MovedGroup>();
  for (const c of created) {
    if (c.level !== 'unit' || c.holder == null || !c.gtin) continue;
    const k = `${c.holder}|${c.gtin}|${c.lot ?? ''}`;
    const g = groups.get(k) ?? { holder: null, new_holder: Number(c.holder), gtin: c.gtin, lot: c.lot ?? '', was: 'new', to: null, n: 0 };
    g.n++;
    groups.set(k, g);
  }
  await applyStock(tx, tenantId, 'commission', [...groups.values()]);
}

async function applyRun(tx: Tx, tenantId: number, step: Step, run: ProjectedEvent[], r: Resolved): Promise<void> {
  switch (step) {
    case 'commission': {
      await ensureCodes(tx, tenantId, targetsOf(run, r, [EPC_ROLE.epcList, EPC_ROLE.outputEPCList]), r);
      return;
    }
    case 'pack':
      return pack(tx, tenantId, run, r);
    case 'unpack':
      return unpack(tx, tenantId, run, r);
    default: {
      const targets = targetsOf(run, r, [EPC_ROLE.epcList, EPC_ROLE.parentID]);
      await ensureCodes(tx, tenantId, targets, r);
      const moved = await move(tx, tenantId, step, targets);
      if (step === 'receive' || step === 'sell') await diversionOnScan(tx, tenantId, step, targets, r);
      if (step === 'ship') await capsOnShip(tx, tenantId, targets, moved, r);
      return;
    }
  }
}

async function pack(tx: Tx, tenantId: number, run: ProjectedEvent[], r: Resolved): Promise<void> {
  const parents: Target[] = [];
  const pairs: { parent: string; child: string; time: Date }[] = [];
  for (const e of run) {
    const parent = e.facts.epcs.find((x) => x.role === EPC_ROLE.parentID)?.epc;
    if (!parent) continue;
    parents.push(...targetsOf([e], r, [EPC_ROLE.parentID]));
    for (const c of e.facts.epcs) if (c.role === EPC_ROLE.childEPCs) pairs.push({ parent, child: c.epc, time: e.facts.eventTime });
  }
  await ensureCodes(tx, tenantId, parents, r);
  if (!pairs.length) return;
  // children take the parent as container (and its holder); the common case is one statement
  const update = () => tx<{ epc: string }[]>`
    update code_state c set parent_epc = x.parent, holder_party_id = coalesce(p.holder_party_id, c.holder_party_id),
      last_event_time = x.t, last_biz_step = 'packing'
    from unnest(${pairs.map((p) => p.child)}::text[], ${pairs.map((p) => p.parent)}::text[], ${pairs.map((p) => p.time.toISOString())}::timestamptz[])
      as x(child, parent, t)
    join code_state p on p.tenant_id = ${tenantId} and p.epc = x.parent
    where c.tenant_id = ${tenantId} and c.epc = x.child and c.last_event_time <= x.t
    returning c.epc`;
  const updated = await update();
  if (updated.length < pairs.length) {
    // children the ledger had not seen (or packed before a later event): create the unseen ones and pack them too
    const done = new Set(updated.map((u) => u.epc));
    const missing = targetsOf(run, r, [EPC_ROLE.childEPCs]).filter((t) => !done.has(t.epc));
    if (missing.length) {
      await ensureCodes(tx, tenantId, missing, r);
      await update();
    }
  }
}

async function unpack(tx: Tx, tenantId: number, run: ProjectedEvent[], _r: Resolved): Promise<void> {
  for (const e of run) {
    const parent = e.facts.epcs.find((x) => x.role === EPC_ROLE.parentID)?.epc;
    const named = e.facts.epcs.filter((x) => x.role === EPC_ROLE.childEPCs).map((x) => x.epc);
    const t = e.facts.eventTime;
    // without childEPCs, an unpack empties the parent
    const children = named.length
      ? named
      : parent
        ? (await tx<{ epc: string }[]>`select epc from code_state where tenant_id = ${tenantId} and parent_epc = ${parent}`).map(
            (x) => x.epc,
          )
        : [];
    if (!children.length) continue;
    await tx`
      update code_state set parent_epc = null, last_event_time = ${t}, last_biz_step = 'unpacking'
      where tenant_id = ${tenantId} and epc = any(${children}::text[]) and last_event_time <= ${t}`;
  }
}

/** Ship, receive, sell, destroy or observe: acts on each named code and everything inside it. */
async function move(tx: Tx, tenantId: number, step: Step, targets: Target[]): Promise<MovedGroup[]> {
  if (!targets.length) return [];
  const status = { ship: 'in_transit', receive: 'received', sell: 'sold', destroy: 'destroyed' }[step as string] ?? null;
  const subtree = tx`
    with recursive target as (
      select * from unnest(${targets.map((t) => t.epc)}::text[], ${targets.map((t) => t.time.toISOString())}::timestamptz[],
        ${targets.map((t) => t.holder)}::bigint[], ${targets.map((t) => t.location)}::text[], ${targets.map((t) => t.to)}::bigint[],
        ${targets.map((t) => t.channel)}::bigint[], ${targets.map((t) => t.bizStep)}::text[], ${targets.map((t) => t.disposition)}::text[])
        as x(epc, t, holder, location, dest, channel, biz_step, disposition)
    ), sub(epc, t, holder, location, dest, channel, biz_step, disposition, depth) as (
      select c.epc, target.t, target.holder, target.location, target.dest, target.channel, target.biz_step, target.disposition, 0
      from target join code_state c on c.tenant_id = ${tenantId} and c.epc = target.epc
      union all
      -- depth-bounded: captured documents may describe a packing cycle, which must not loop forever
      select d.epc, sub.t, sub.holder, sub.location, sub.dest, sub.channel, sub.biz_step, sub.disposition, sub.depth + 1
      from code_state d join sub on d.tenant_id = ${tenantId} and d.parent_epc = sub.epc
      where sub.depth < 6
    )`;
  const assignments = tx`
    status = coalesce(${status}::text, c.status),
    holder_party_id = case when ${step} = 'receive' then coalesce(b.to_holder, c.holder_party_id) else c.holder_party_id end,
    in_transit_to = case when ${step} = 'ship' then b.dest else null end,
    channel_party_id = coalesce(b.channel, c.channel_party_id),
    location = coalesce(b.to_location, c.location),
    last_biz_step = b.biz_step, disposition = coalesce(b.to_disposition, c.disposition), last_event_time = b.t`;
  const rows = (await returnsOldValues(tx))
    ? // PostgreSQL 18: the update itself returns each row's old and new values; no separate lock pass over the units
      await tx`
        ${subtree}, changed as (
          update code_state c set ${assignments}
          from (select distinct on (epc) epc, t, holder as to_holder, location as to_location, dest, channel, biz_step,
                  disposition as to_disposition from sub) b
          where c.tenant_id = ${tenantId} and c.epc = b.epc and c.last_event_time <= b.t
          returning old.holder_party_id as holder, old.gtin, old.lot, old.level, old.status as was, old.in_transit_to as was_to,
            new.holder_party_id as new_holder, new.in_transit_to as new_to
        )
        select holder, gtin, coalesce(lot, '') as lot, level, was, was_to as to, new_holder, new_to, count(*)::int as n
        from changed where level = 'unit' group by 1, 2, 3, 4, 5, 6, 7, 8`
    : await tx`
        ${subtree}, before as (
          -- the old values, locked, with what the event does to each code: the update joins only this
          select c.epc, c.holder_party_id, c.gtin, c.lot, c.level, c.status, c.in_transit_to,
            sub.t, sub.holder as to_holder, sub.location as to_location, sub.dest, sub.channel, sub.biz_step, sub.disposition as to_disposition
          from code_state c join sub on c.tenant_id = ${tenantId} and c.epc = sub.epc
          where c.last_event_time <= sub.t
          for update of c
        ), changed as (
          update code_state c set ${assignments}
          from before b
          where c.tenant_id = ${tenantId} and c.epc = b.epc
          returning c.epc, c.holder_party_id as new_holder, c.in_transit_to as new_to
        )
        select b.holder_party_id as holder, b.gtin, coalesce(b.lot, '') as lot, b.level, b.status as was, b.in_transit_to as to,
          ch.new_holder, ch.new_to, count(*)::int as n
        from before b join changed ch on ch.epc = b.epc
        where b.level = 'unit'
        group by 1, 2, 3, 4, 5, 6, 7, 8`;
  await applyStock(tx, tenantId, step, rows as never);
  return rows as never;
}

let oldValuesInReturning: Promise<boolean> | null = null;

/** Tests run both ways of moving codes on the one server they have. */
export function useLockingMoves(on: boolean | null): void {
  oldValuesInReturning = on === null ? null : Promise.resolve(!on);
}

/** PostgreSQL 18 lets RETURNING name OLD and NEW values; older servers (>= 15) take the locking path. */
function returnsOldValues(tx: Tx): Promise<boolean> {
  oldValuesInReturning ??= tx<{ v: number }[]>`select current_setting('server_version_num')::int as v`.then(([r]) => (r?.v ?? 0) >= 180000);
  return oldValuesInReturning;
}

interface MovedGroup {
  holder: number | null;
  new_holder: number | null;
  /** ship: where it is going now */
  new_to?: number | null;
  gtin: string;
  lot: string;
  was: string;
  /** where it was going before this event */
  to: number | null;
  n: number;
}

async function applyStock(tx: Tx, tenantId: number, step: Step, groups: MovedGroup[]): Promise<void> {
  const deltas = new Map<string, { holder: number; gtin: string; lot: string; onHand: number; inTransit: number }>();
  const add = (party: number | bigint | null, gtin: string, lot: string, onHand: number, inTransit: number) => {
    if (party == null || !gtin) return;
    // bigint columns arrive as BigInt: the arrays sent back must be plain numbers
    const holder = Number(party);
    const k = `${holder}|${gtin}|${lot}`;
    const d = deltas.get(k) ?? { holder, gtin, lot, onHand: 0, inTransit: 0 };
    d.onHand += onHand;
    d.inTransit += inTransit;
    deltas.set(k, d);
  };
  const gone = (s: string) => s === 'sold' || s === 'destroyed' || s === 'consumed' || s === 'decommissioned';
  for (const g of groups) {
    if (step === 'commission') {
      add(g.new_holder, g.gtin, g.lot, g.n, 0);
      continue;
    }
    if (gone(g.was)) continue;
    const wasInTransit = g.was === 'in_transit';
    if (step === 'ship' && !wasInTransit) {
      add(g.holder, g.gtin, g.lot, -g.n, 0);
      add(g.new_to ?? null, g.gtin, g.lot, 0, g.n);
    } else if (step === 'receive') {
      if (wasInTransit) add(g.to, g.gtin, g.lot, 0, -g.n);
      else add(g.holder, g.gtin, g.lot, -g.n, 0);
      add(g.new_holder, g.gtin, g.lot, g.n, 0);
    } else if ((step === 'sell' || step === 'destroy') && !wasInTransit) {
      add(g.holder, g.gtin, g.lot, -g.n, 0);
    } else if ((step === 'sell' || step === 'destroy') && wasInTransit) {
      add(g.to, g.gtin, g.lot, 0, -g.n);
    }
  }
  const list = [...deltas.values()].filter((d) => d.onHand || d.inTransit);
  if (!list.length) return;
  await tx`
    insert into stock (tenant_id, holder_party_id, gtin, lot, on_hand, in_transit_in)
    select ${tenantId}, * from unnest(${list.map((d) => d.holder)}::bigint[], ${list.map((d) => d.gtin)}::text[],
      ${list.map((d) => d.lot)}::text[], ${list.map((d) => d.onHand)}::bigint[], ${list.map((d) => d.inTransit)}::bigint[])
    on conflict (tenant_id, holder_party_id, gtin, lot) do update
      set on_hand = stock.on_hand + excluded.on_hand, in_transit_in = stock.in_transit_in + excluded.in_transit_in`;
}

/** Codes received or sold by a store are checked against the territory of the distributor they were shipped to. */
async function diversionOnScan(tx: Tx, tenantId: number, step: 'receive' | 'sell', targets: Target[], r: Resolved): Promise<void> {
  const byStore = targets.filter((t) => t.holder != null && r.kindOfParty.get(t.holder) === 'store');
  if (!byStore.length) return;
  const states = await tx<{ epc: string; gtin: string | null; lot: string | null; channel_party_id: number | null }[]>`
    select epc, gtin, lot, channel_party_id from code_state
    where tenant_id = ${tenantId} and epc = any(${byStore.map((t) => t.epc)}::text[]) and channel_party_id is not null`;
  const storeOf = new Map(byStore.map((t) => [t.epc, t.holder]));
  await checkDiversion(
    tx,
    tenantId,
    states.map((s) => ({
      epc: s.epc,
      gtin: s.gtin,
      lot: s.lot,
      channelPartyId: Number(s.channel_party_id),
      scannedByPartyId: storeOf.get(s.epc) ?? null,
      kind: step,
    })),
  );
}

/** A distributor's shipments count toward its monthly cap per destination city. */
async function capsOnShip(tx: Tx, tenantId: number, targets: Target[], moved: MovedGroup[], r: Resolved): Promise<void> {
  const byLane = new Map<string, CityShipment>();
  for (const g of moved) {
    const from = g.holder == null ? null : Number(g.holder);
    const to = g.new_to == null ? null : Number(g.new_to);
    if (from == null || to == null || r.kindOfParty.get(from) !== 'distributor') continue;
    const k = `${from}|${to}`;
    const target = targets.find((t) => t.holder === from && t.to === to) ?? targets[0];
    const lane = byLane.get(k) ?? { distributorId: from, toPartyId: to, units: 0, epc: target?.epc ?? '', at: target?.time ?? new Date() };
    lane.units += g.n;
    byLane.set(k, lane);
  }
  if (byLane.size) await checkMonthlyCaps(tx, tenantId, [...byLane.values()]);
}
