/**
 * Packing and unpacking as a containment history: which container each code was in, from when to when.
 * Packing adds one row per child and touches only the container's own row; the children take their
 * holder, place and status from it through the `code_now` view. Unpacking writes the container's state
 * down into the codes it lets out, so that a loose code's own row is current again. A code sold or destroyed inside
 * a container leaves it at that event.
 */
import type { Tx } from '../../db/connection.ts';

export interface Packing {
  /** position of the packing event in its document */
  index: number;
  parent: string;
  children: string[];
  time: Date;
  eventId: number;
  holder: number | null;
  location: string | null;
}

/**
 * Writes the effective state (from the containers) into the codes' own rows, as of `time`: they are about
 * to leave their container. Codes with a later event of their own keep it.
 */
async function materialise(tx: Tx, tenantId: number, epcs: string[], time: Date, step: string): Promise<void> {
  if (!epcs.length) return;
  await tx`
    update code_state c set holder_party_id = n.holder_party_id, in_transit_to = n.in_transit_to, location = n.location,
      status = n.status, channel_party_id = n.channel_party_id, disposition = n.disposition, last_biz_step = ${step},
      last_event_time = ${time}
    from code_now n
    where n.tenant_id = ${tenantId} and n.epc = any(${epcs}::text[]) and c.tenant_id = ${tenantId} and c.epc = n.epc
      and n.last_event_time <= ${time}`;
}

export interface ChildrenHistory {
  /** children the ledger has no state for yet (packing documents from elsewhere): they need one first */
  unseen: string[];
  /** earlier containment of the children, if any */
  past: { child_epc: string; packed_at: Date; unpacked_at: Date | null }[];
}

/** One read for a packing run's children: which are new to the ledger, and which were packed before. */
export async function childrenHistory(tx: Tx, tenantId: number, children: string[]): Promise<ChildrenHistory> {
  if (!children.length) return { unseen: [], past: [] };
  // fresh units (the common case) cost two index probes each and return nothing
  const rows = await tx<{ epc: string; unseen: boolean; packed_at: Date | null; unpacked_at: Date | null }[]>`
    select x.epc, c.epc is null as unseen, k.packed_at, k.unpacked_at
    from unnest(${children}::text[]) as x(epc)
    left join code_state c on c.tenant_id = ${tenantId} and c.epc = x.epc
    left join containment k on k.tenant_id = ${tenantId} and k.child_epc = x.epc
    where c.epc is null or k.child_epc is not null`;
  return {
    unseen: [...new Set(rows.filter((r) => r.unseen).map((r) => r.epc))],
    past: rows.filter((r) => r.packed_at).map((r) => ({ child_epc: r.epc, packed_at: r.packed_at as Date, unpacked_at: r.unpacked_at })),
  };
}

/**
 * The packings that would put a container inside itself: a parent among its own children, or a parent that is
 * (now, or by an earlier packing of the same run) inside one of the codes packed into it. Returned by position.
 */
export async function packingCycles(tx: Tx, tenantId: number, packings: Packing[]): Promise<number[]> {
  if (!packings.length) return [];
  // where each parent sits now, level by level with `= any(array)` (a recursive join was planned as a scan of the
  // whole table per level: 400 ms a document); the usual answer is one probe per parent that finds nothing
  const parentOf = new Map<string, string>();
  let frontier = [...new Set(packings.map((p) => p.parent))];
  for (let depth = 0; frontier.length && depth < 6; depth++) {
    const rows = await tx<{ child_epc: string; parent_epc: string }[]>`
      select child_epc, parent_epc from containment
      where tenant_id = ${tenantId} and child_epc = any(${frontier}::text[]) and unpacked_at is null`;
    frontier = [];
    for (const r of rows)
      if (!parentOf.has(r.child_epc)) {
        parentOf.set(r.child_epc, r.parent_epc);
        frontier.push(r.parent_epc);
      }
  }
  const cycles: number[] = [];
  for (const p of packings) {
    // the parent and everything it sits in: by this run's earlier packings, then by the stored history
    const around = new Set([p.parent]);
    for (let at = parentOf.get(p.parent), n = 0; at && n < 12 && !around.has(at); at = parentOf.get(at), n++) around.add(at);
    if (p.children.some((c) => around.has(c))) cycles.push(p.index);
    for (const c of p.children) parentOf.set(c, p.parent);
  }
  return cycles;
}

/** The container is seen at its packing: its place and time; it holds units of its first child's lot. */
export async function markContainers(tx: Tx, tenantId: number, packings: Packing[]): Promise<void> {
  if (!packings.length) return;
  await tx`
    update code_state p set last_event_time = x.t, last_biz_step = 'packing', location = coalesce(x.location, p.location),
      holder_party_id = coalesce(x.holder, p.holder_party_id),
      lot = coalesce(p.lot, (select f.lot from code_state f where f.tenant_id = ${tenantId} and f.epc = x.first_child))
    from unnest(${packings.map((p) => p.parent)}::text[], ${packings.map((p) => p.time.toISOString())}::timestamptz[],
      ${packings.map((p) => p.location)}::text[], ${packings.map((p) => p.holder)}::bigint[], ${packings.map((p) => p.children[0] ?? null)}::text[])
      as x(parent, t, location, holder, first_child)
    where p.tenant_id = ${tenantId} and p.epc = x.parent and p.last_event_time <= x.t`;
}

/** The packings of a run of AggregationEvent ADDs, in event-time order, given what their children's past is. */
export async function pack(tx: Tx, tenantId: number, packings: Packing[], history: ChildrenHistory['past']): Promise<void> {
  if (!packings.length) return;
  const rows = packings.flatMap((p, k) => p.children.map((child) => ({ child, k, time: p.time, eventId: p.eventId })));
  const until = new Map<number, Date>();
  if (history.length) {
    const byChild = new Map<string, { packed_at: Date; unpacked_at: Date | null }[]>();
    for (const h of history) byChild.set(h.child_epc, [...(byChild.get(h.child_epc) ?? []), h]);
    for (const [i, r] of rows.entries()) {
      const past = byChild.get(r.child);
      if (!past) continue;
      // packed out of order (a later packing is already known): this one ends where the next begins
      const next = past.filter((h) => h.packed_at > r.time).sort((a, b) => a.packed_at.getTime() - b.packed_at.getTime())[0];
      if (next) until.set(i, next.packed_at);
      // packed straight from another container: it leaves that one now, in the state it had there
      else if (past.some((h) => h.unpacked_at == null && h.packed_at < r.time))
        await leave(tx, tenantId, [r.child], r.time, r.eventId, 'packing');
    }
  }
  // each child names its packing by position: the parent, time and event go once per packing, not once per child
  await tx`
    insert into containment (tenant_id, child_epc, parent_epc, packed_at, unpacked_at, pack_event_id)
    select ${tenantId}, x.child, (${packings.map((p) => p.parent)}::text[])[x.k], (${packings.map((p) => p.time.toISOString())}::timestamptz[])[x.k],
      x.until, (${packings.map((p) => p.eventId)}::bigint[])[x.k]
    from unnest(${rows.map((r) => r.child)}::text[], ${rows.map((r) => r.k + 1)}::int[],
      ${until.size ? rows.map((_, i) => until.get(i)?.toISOString() ?? null) : null}::timestamptz[]) as x(child, k, until)`;
}

/** Codes leave the container they are in at `time` (an unpacking, or a packing into another one). */
async function leave(tx: Tx, tenantId: number, children: string[], time: Date, eventId: number, step: string): Promise<void> {
  await materialise(tx, tenantId, children, time, step);
  await tx`
    update containment set unpacked_at = ${time}, unpack_event_id = ${eventId}
    where tenant_id = ${tenantId} and child_epc = any(${children}::text[]) and unpacked_at is null and packed_at <= ${time}`;
}

/**
 * Codes sold to a consumer or destroyed while inside a container have left it at that event, though nobody unpacked
 * it (a store sells units out of an open case). Their own rows already hold the event's state (moves.ts); closing the
 * link keeps the container's later events (inspected, unpacked, shipped on) from becoming theirs through `code_now`,
 * and keeps a scan of the container from counting them among its contents. Only where the event was applied: an older
 * event (the code's row has seen a later one) leaves the link as it is.
 */
export async function leaveAtTheirEnd(tx: Tx, tenantId: number, ended: { epc: string; time: Date; eventId: number }[]): Promise<void> {
  if (!ended.length) return;
  await tx`
    update containment k set unpacked_at = x.t, unpack_event_id = x.event_id
    from unnest(${ended.map((e) => e.epc)}::text[], ${ended.map((e) => e.time.toISOString())}::timestamptz[],
      ${ended.map((e) => e.eventId)}::bigint[]) as x(epc, t, event_id)
    join code_state c on c.tenant_id = ${tenantId} and c.epc = x.epc and c.last_event_time = x.t
    where k.tenant_id = ${tenantId} and k.child_epc = x.epc and k.unpacked_at is null and k.packed_at <= x.t`;
}

/** An AggregationEvent DELETE: the named children leave the parent; with none named, the parent is emptied. */
export async function unpack(tx: Tx, tenantId: number, parent: string | null, named: string[], time: Date, eventId: number): Promise<void> {
  const children = named.length
    ? named
    : parent
      ? (
          await tx<{ epc: string }[]>`
            select child_epc as epc from containment where tenant_id = ${tenantId} and parent_epc = ${parent} and unpacked_at is null`
        ).map((x) => x.epc)
      : [];
  if (children.length) await leave(tx, tenantId, children, time, eventId, 'unpacking');
}
