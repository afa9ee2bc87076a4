-- The business clock: the moment a transaction's facts belong to.
--
-- It is now(), unless the session names another moment in `throughline.business_time`. Only the server's own history
-- players set it (the demo brand's history, src/demo/demo-history.ts, which plays past days through the product on a
-- connection of its own); no request can, since nothing a client sends reaches a `set`. With it set, what the
-- product writes for a past day reads as that day's: orders, their events, shipments and funds movements are dated
-- then, and the analytics facts count that day's stock, receipts and order-to-receipt times. Events carry their own
-- eventTime anyway (recordTime stays the real moment of capture).
--
-- Unset, every statement below behaves as before: coalesce(null, now()). current_setting(..., true) is null for a
-- name never set, and '' for one reset, hence the nullif.
create function business_now() returns timestamptz language sql stable parallel safe as
$$ select coalesce(nullif(current_setting('throughline.business_time', true), '')::timestamptz, now()) $$;

alter table orders alter column created_at set default business_now(), alter column updated_at set default business_now();
alter table order_events alter column at set default business_now();
alter table order_shipments alter column created_at set default business_now();
alter table funds_transactions alter column created_at set default business_now();

create or replace function analytics_stock_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit, shipped_in)
    select n.tenant_id, analytics_day(business_now()), n.holder_party_id, n.gtin, sum(n.on_hand), sum(n.in_transit_in), sum(greatest(n.in_transit_in, 0))
    from new_rows n group by 1, 3, 4 having sum(abs(n.on_hand)) + sum(abs(n.in_transit_in)) > 0;
  elsif tg_op = 'UPDATE' then
    insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit, shipped_in, received_in)
    select n.tenant_id, analytics_day(business_now()), n.holder_party_id, n.gtin, sum(n.on_hand - o.on_hand), sum(n.in_transit_in - o.in_transit_in),
      sum(greatest(n.in_transit_in - o.in_transit_in, 0)), sum(greatest(o.in_transit_in - n.in_transit_in, 0))
    from new_rows n join old_rows o using (tenant_id, holder_party_id, gtin, lot)
    group by 1, 3, 4 having sum(abs(n.on_hand - o.on_hand)) + sum(abs(n.in_transit_in - o.in_transit_in)) > 0;
  else
    insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit)
    select o.tenant_id, analytics_day(business_now()), o.holder_party_id, o.gtin, -sum(o.on_hand), -sum(o.in_transit_in)
    from old_rows o group by 1, 3, 4 having sum(abs(o.on_hand)) + sum(abs(o.in_transit_in)) > 0;
  end if;
  return null;
end $$;

create or replace function analytics_order_lines_moved() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, flow_shipped, flow_received)
  select n.tenant_id, analytics_day(business_now()), o.buyer_party_id, o.seller_party_id, p.gtin,
    sum(n.shipped_qty - x.shipped_qty), sum(n.received_qty - x.received_qty)
  from new_rows n join old_rows x using (tenant_id, order_id, line_no)
  join orders o on o.tenant_id = n.tenant_id and o.id = n.order_id
  join products p on p.tenant_id = n.tenant_id and p.id = n.product_id
  where n.shipped_qty <> x.shipped_qty or n.received_qty <> x.received_qty
  group by n.tenant_id, o.buyer_party_id, o.seller_party_id, p.gtin;
  return null;
end $$;

create or replace function analytics_orders_status() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, ordered_units, ordered_fen)
  select n.tenant_id, analytics_day(n.created_at), n.buyer_party_id, n.seller_party_id, p.gtin, -sum(l.quantity), -sum(l.amount_fen)
  from new_rows n join old_rows o using (tenant_id, id)
  join order_lines l on l.tenant_id = n.tenant_id and l.order_id = n.id
  join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
  where n.status in ('cancelled', 'rejected') and o.status not in ('cancelled', 'rejected')
  group by n.tenant_id, n.created_at, n.buyer_party_id, n.seller_party_id, p.gtin;
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, receipts, receipt_minutes)
  select n.tenant_id, analytics_day(business_now()), n.buyer_party_id, n.seller_party_id, count(*),
    sum(greatest(0, extract(epoch from (business_now() - n.created_at)) / 60)::bigint)
  from new_rows n join old_rows o using (tenant_id, id)
  where n.status = 'received' and o.status <> 'received'
  group by n.tenant_id, n.buyer_party_id, n.seller_party_id;
  return null;
end $$;
