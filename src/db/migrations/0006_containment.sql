-- Packing as an append-only containment history instead of a parent column on every code.
-- It is also the ledger's index of the children of packing events (AggregationEvent ADD): those are not
-- repeated in event_epcs, so a packed unit costs one index row, not two (query.ts and journey.ts read both).
--
-- Before: packing 24 units into a case rewrote 24 code_state rows (a new row version and three index entries
-- each), and shipping a pallet rewrote all 960 units on it. Now a packing adds one narrow containment row per
-- child, and a scan of a container updates the container's row only: a packed code takes its holder, place
-- and status from the latest of itself and its containers (the `code_now` view). Unpacking writes the
-- container's state down into the codes it lets out, so a loose code's own row is always current.
-- Distribution on Citus: by child_epc, like code_state (the parent index serves scans of a container).
create table containment (
  tenant_id        integer not null,
  child_epc        text not null,
  parent_epc       text not null,
  packed_at        timestamptz not null,
  -- null while the child is still inside
  unpacked_at      timestamptz,
  pack_event_id    bigint not null,
  unpack_event_id  bigint,
  -- with the event: two packings of one code at one instant (bad data, but data) are both kept
  primary key (tenant_id, child_epc, packed_at, pack_event_id)
);
-- what is inside a container (a scan of a pallet acts on its subtree). Not partial on "unpacked_at is null":
-- the planner would then take it for lookups by child on a freshly loaded table whose statistics are empty,
-- and an unpacking can update unpacked_at in place (HOT) when no index names the column.
create index containment_parent on containment (tenant_id, parent_epc);
-- Plans of the subtree walk depend on knowing the table is large: with the default thresholds a fresh ledger
-- goes minutes of bulk packing before its first analyze, and meanwhile a truck's scan is planned as a scan of
-- the whole table per level (measured: 100 s instead of 0.2 s). Analyze early and often.
alter table containment set (autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0.02);
alter table code_state set (autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0.02);

insert into containment (tenant_id, child_epc, parent_epc, packed_at, pack_event_id)
select tenant_id, epc, parent_epc, last_event_time, 0 from code_state where parent_epc is not null;
drop index code_state_parent;
alter table code_state drop column parent_epc;

-- Recall counts per holder come from stock, which now also counts what each holder sold and destroyed.
alter table stock add column sold bigint not null default 0, add column destroyed bigint not null default 0;

-- The effective state of each code: its own row, or the row of the container it is in (up to a pallet in a
-- container) when that one saw a later event. Ties go to the outer container, whose scan covered the code.
create view code_now as
select c.tenant_id, c.epc, c.gtin, c.level, c.lot, c.batch_id, k.parent_epc, c.commissioned_at,
  w.holder_party_id, w.in_transit_to, w.location, w.status, w.channel_party_id, w.disposition, w.last_biz_step,
  w.last_event_time, w.epc as state_of
from code_state c
left join containment k on k.tenant_id = c.tenant_id and k.child_epc = c.epc and k.unpacked_at is null
cross join lateral (
  with recursive up(epc, depth) as (
    select c.epc, 0
    union all
    select p.parent_epc, up.depth + 1 from up
    join containment p on p.tenant_id = c.tenant_id and p.child_epc = up.epc and p.unpacked_at is null
    where up.depth < 4
  )
  select s.epc, s.holder_party_id, s.in_transit_to, s.location, s.status, s.channel_party_id, s.disposition, s.last_biz_step,
    s.last_event_time
  from up join code_state s on s.tenant_id = c.tenant_id and s.epc = up.epc
  order by s.last_event_time desc, up.depth desc
  limit 1
) w;
