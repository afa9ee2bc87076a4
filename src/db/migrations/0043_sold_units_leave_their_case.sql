-- A code sold to a consumer or destroyed while inside a container has left it at that event (trace/containment.ts
-- leaveAtTheirEnd), though nobody unpacked the container: a store sells units out of an open case. Before, the link
-- stayed open, so the case's later events became the unit's through code_now (a sold unit read as received again once
-- its case was inspected) and unpacking the case wrote the case's state over the sale. This closes the links left
-- open: a code whose own row is sold or destroyed by an event at or after its packing. Units whose case was already
-- unpacked over their sale are repaired by `throughline rebuild` (the projections replayed from the ledger).
update containment k set unpacked_at = c.last_event_time,
  unpack_event_id = (
    select x.event_id from event_epcs x
    where x.tenant_id = k.tenant_id and x.epc = k.child_epc and x.event_time = c.last_event_time
    order by x.event_id desc limit 1)
from code_state c
where c.tenant_id = k.tenant_id and c.epc = k.child_epc and k.unpacked_at is null
  and c.status in ('sold', 'destroyed') and c.last_event_time >= k.packed_at;
