/**
 * Ship, receive, sell, destroy or observe: an event on the codes it names, and through them on everything
 * packed inside. Only the named codes' rows change; what is inside follows through the containment history
 * (`code_now`), so a truck of 26 pallets is 26 row updates plus a read of the 24,960 units for the stock.
 */
import type { Tx } from '../../db/connection.ts';
import { BUSINESS_TIME_ZONE } from './sell-through.ts';
import { applyMoves, type MovedGroup, type StockStep } from './stock.ts';

export interface MoveTarget {
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
}

const STATUS: Partial<Record<StockStep, string>> = { ship: 'in_transit', receive: 'received', sell: 'sold', destroy: 'destroyed' };

/** Applies one event step to its targets; returns the groups of units it moved (for stock and caps). */
export async function move(tx: Tx, tenantId: number, step: StockStep, targets: MoveTarget[]): Promise<MovedGroup[]> {
  if (!targets.length) return [];
  const epcs = targets.map((t) => t.epc);
  // a concurrent scan of the same pallet waits here, and then reads the state this one left
  await tx`select 1 from code_state where tenant_id = ${tenantId} and epc = any(${epcs}::text[]) order by epc for update`;
  const target = tx`
    select * from unnest(${epcs}::text[], ${targets.map((t) => t.time.toISOString())}::timestamptz[],
      ${targets.map((t) => t.holder)}::bigint[], ${targets.map((t) => t.location)}::text[], ${targets.map((t) => t.to)}::bigint[],
      ${targets.map((t) => t.channel)}::bigint[], ${targets.map((t) => t.bizStep)}::text[], ${targets.map((t) => t.disposition)}::text[])
      as x(epc, t, holder, location, dest, channel, biz_step, disposition)`;
  // the units under each target with the state they have now: walking down, a code's own row counts where it
  // saw a later event than its containers (ties go to the container, whose scan covered it)
  const groups = await tx<MovedGroup[]>`
    with recursive target as (${target}),
    down(epc, target, depth, gtin, lot, level, seen, holder, status, in_transit_to) as (
      select n.epc, target.epc, 0, n.gtin, n.lot, n.level, n.last_event_time, n.holder_party_id, n.status, n.in_transit_to
      from target join code_now n on n.tenant_id = ${tenantId} and n.epc = target.epc
      union all
      select s.epc, down.target, down.depth + 1, s.gtin, s.lot, s.level,
        greatest(s.last_event_time, down.seen),
        case when s.last_event_time > down.seen then s.holder_party_id else down.holder end,
        case when s.last_event_time > down.seen then s.status else down.status end,
        case when s.last_event_time > down.seen then s.in_transit_to else down.in_transit_to end
      from down
      join containment k on k.tenant_id = ${tenantId} and k.parent_epc = down.epc and k.unpacked_at is null
      join code_state s on s.tenant_id = ${tenantId} and s.epc = k.child_epc
      -- depth-bounded: captured documents may describe a packing cycle, which must not loop forever
      where down.depth < 4
    ), units as (
      -- a unit named twice (its case and its pallet both scanned) moves once
      select distinct on (d.epc) d.*, tg.t, tg.holder as to_holder, tg.dest
      from down d join target tg on tg.epc = d.target
      where d.level = 'unit' and d.seen <= tg.t
      order by d.epc, d.depth
    )
    select holder, gtin, coalesce(lot, '') as lot, status as was, in_transit_to as to,
      case when ${step} = 'receive' then coalesce(to_holder, holder) else holder end as new_holder,
      case when ${step} = 'ship' then dest end as new_to, count(*)::int as n,
      -- the business day of the event, for the daily sell-through rollup
      to_char(t at time zone ${BUSINESS_TIME_ZONE}, 'YYYY-MM-DD') as day
    from units group by 1, 2, 3, 4, 5, 6, 7, 9`;
  // the named codes take the event's state, starting from the state they inherited from their containers
  await tx`
    with target as (${target})
    update code_state c set
      status = coalesce(${STATUS[step] ?? null}::text, n.status),
      holder_party_id = case when ${step} = 'receive' then coalesce(x.holder, n.holder_party_id) else n.holder_party_id end,
      in_transit_to = case when ${step} = 'ship' then x.dest when ${step} = 'observe' then n.in_transit_to end,
      channel_party_id = coalesce(x.channel, n.channel_party_id),
      location = coalesce(x.location, n.location),
      last_biz_step = x.biz_step, disposition = coalesce(x.disposition, n.disposition), last_event_time = x.t
    from target x join code_now n on n.tenant_id = ${tenantId} and n.epc = x.epc
    where c.tenant_id = ${tenantId} and c.epc = x.epc and n.last_event_time <= x.t`;
  await applyMoves(tx, tenantId, step, groups);
  return groups;
}
