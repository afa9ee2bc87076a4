/**
 * Projections of the ledger, kept in the capture transaction so that a read after a capture sees it:
 * `code_state` and `containment` (where each code is, in what, held by whom) and `stock` (units by holder, product and lot).
 *
 * Events are applied in event-time order, in runs of the same kind, each run as a few set-based
 * statements (a document of 100 packing events is three statements, not three hundred).
 * A code's state only moves forward: an event older than the code's last applied event is kept in the
 * ledger (and shows in the journey) but does not change where the code is now.
 * A scan of a container acts on everything inside it: packed codes take their state from their containers
 * (containment.ts, the `code_now` view), so the scan updates the container's row and the stock of the units.
 */
import type { Tx } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { childrenHistory, leaveAtTheirEnd, markContainers, type Packing, pack, packingCycles, unpack } from './containment.ts';
import { type CityShipment, checkDiversion, checkMonthlyCaps } from './diversion.ts';
import { EPC_ROLE, type EventFacts, glnOf, gtinOf } from './event-facts.ts';
import { type MoveTarget, move } from './moves.ts';
import { addCommissioned, type MovedGroup } from './stock.ts';

type Step = 'commission' | 'pack' | 'unpack' | 'ship' | 'receive' | 'sell' | 'destroy' | 'observe';

export interface ProjectedEvent {
  facts: EventFacts;
  /** the event's id in the ledger */
  eventId: number;
  /** position in the captured document */
  index: number;
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
          select gln, id, kind from parties where tenant_id = ${tenantId} and gln = any(${[...glns]}::bpchar[])`
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

interface Target extends MoveTarget {
  /** commissioning: the lot of the codes (ilmd) */
  lot: string | null;
  /** the event's id in the ledger */
  eventId: number;
}

function targetsOf(run: ProjectedEvent[], r: Resolved, roles: number[]): Target[] {
  const out: Target[] = [];
  for (const { facts, eventId } of run) {
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
        lot: facts.lot,
        eventId,
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
  await addCommissioned(tx, tenantId, created);
}

/** Of the identifiers given, those the ledger has no state for yet (one index probe each, nothing returned for the rest). */
async function unseen(tx: Tx, tenantId: number, targets: Target[]): Promise<Target[]> {
  if (!targets.length) return [];
  const missing = await tx<{ epc: string }[]>`
    select x.epc from unnest(${targets.map((t) => t.epc)}::text[]) as x(epc)
    where not exists (select 1 from code_state c where c.tenant_id = ${tenantId} and c.epc = x.epc)`;
  if (!missing.length) return [];
  const names = new Set(missing.map((m) => m.epc));
  return targets.filter((t) => names.has(t.epc));
}

async function applyRun(tx: Tx, tenantId: number, step: Step, run: ProjectedEvent[], r: Resolved): Promise<void> {
  switch (step) {
    case 'commission': {
      await ensureCodes(tx, tenantId, targetsOf(run, r, [EPC_ROLE.epcList, EPC_ROLE.outputEPCList]), r);
      return;
    }
    case 'pack': {
      const packings: Packing[] = [];
      for (const e of run) {
        const parent = e.facts.epcs.find((x) => x.role === EPC_ROLE.parentID)?.epc;
        const children = e.facts.epcs.filter((x) => x.role === EPC_ROLE.childEPCs).map((x) => x.epc);
        if (!parent || !children.length) continue;
        const holder = r.partyByLocation.get(glnOf(e.facts.bizLocation) ?? '') ?? null;
        packings.push({
          index: e.index,
          parent,
          children,
          time: e.facts.eventTime,
          eventId: e.eventId,
          holder,
          location: e.facts.bizLocation,
        });
      }
      // a container packed into itself, or into something it contains, refuses the whole document
      const cycles = await packingCycles(tx, tenantId, packings);
      if (cycles.length)
        throw new AppError(
          400,
          'epcis.invalid_document',
          { count: cycles.length },
          cycles.map((i) => ({ pointer: `/epcisBody/eventList/${i}/childEPCs`, code: 'epcis.packing_cycle', params: { eventIndex: i } })),
        );
      // containers and children the ledger has not seen yet (packing documents from elsewhere) get a state first
      await ensureCodes(tx, tenantId, targetsOf(run, r, [EPC_ROLE.parentID]), r);
      const [history] = await Promise.all([
        childrenHistory(
          tx,
          tenantId,
          packings.flatMap((p) => p.children),
        ),
        markContainers(tx, tenantId, packings),
      ]);
      if (history.unseen.length) {
        const unseen = new Set(history.unseen);
        await ensureCodes(
          tx,
          tenantId,
          targetsOf(run, r, [EPC_ROLE.childEPCs]).filter((t) => unseen.has(t.epc)),
          r,
        );
      }
      return pack(tx, tenantId, packings, history.past);
    }
    case 'unpack': {
      for (const e of run) {
        const parent = e.facts.epcs.find((x) => x.role === EPC_ROLE.parentID)?.epc ?? null;
        const named = e.facts.epcs.filter((x) => x.role === EPC_ROLE.childEPCs).map((x) => x.epc);
        await unpack(tx, tenantId, parent, named, e.facts.eventTime, e.eventId);
      }
      return;
    }
    default: {
      const targets = targetsOf(run, r, [EPC_ROLE.epcList, EPC_ROLE.parentID]);
      await ensureCodes(tx, tenantId, await unseen(tx, tenantId, targets), r);
      const moved = await move(tx, tenantId, step, targets);
      if (step === 'sell' || step === 'destroy') await leaveAtTheirEnd(tx, tenantId, targets);
      if (step === 'receive' || step === 'sell') await diversionOnScan(tx, tenantId, step, targets, r);
      if (step === 'ship') await capsOnShip(tx, tenantId, targets, moved, r);
      return;
    }
  }
}

/** Codes received or sold by a store are checked against the territory of the distributor they were shipped to. */
async function diversionOnScan(tx: Tx, tenantId: number, step: 'receive' | 'sell', targets: Target[], r: Resolved): Promise<void> {
  const byStore = targets.filter((t) => t.holder != null && r.kindOfParty.get(t.holder) === 'store');
  if (!byStore.length) return;
  const states = await tx<{ epc: string; gtin: string | null; lot: string | null; channel_party_id: number | null }[]>`
    select epc, gtin, lot, channel_party_id from code_now
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
