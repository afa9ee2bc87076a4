-- Channel analytics (analytics module): fact tables kept incrementally from the tables that record what happened,
-- so a dashboard reads a few thousand pre-aggregated rows instead of scanning events, orders and scans.
--
-- How the facts stay fresh: triggers on the source tables (stock, sell_through_daily, orders, order_lines,
-- consumer_scans, diversion_alerts, channel_payouts) append one change row per statement and key to
-- `analytics_changes` in the transaction that writes the source (an insert-only queue: no hot rows, no lock waits
-- between captures). The projector (analytics/projector.ts) drains the queue every 2 s in one transaction and
-- adds the changes to every grain. So a fact lags its source by the projector's interval plus one pass (measured:
-- docs/BENCHMARKS.md), a rolled-back write leaves no change, and every write path (capture, batch placement,
-- rebuilds, imports) is covered without code in the modules that own the sources.
--
-- Every table is distributed by tenant_id (src/db/distribution.ts).

-- The business day of a moment: the brands work in China time (trace/sell-through.ts BUSINESS_TIME_ZONE).
create function analytics_day(t timestamptz) returns date language sql immutable parallel safe
  as $$ select (t at time zone 'Asia/Shanghai')::date $$;

create table analytics_changes (
  tenant_id        integer not null,
  id               bigint generated always as identity,
  at               timestamptz not null default clock_timestamp(),
  day              date not null,
  party_id         bigint not null,
  -- the other side: an order's seller (party_id is the buyer), a diversion's scanning store
  counterparty_id  bigint,
  gtin             char(14),
  -- a diversion: the division where the code turned up
  division         text,
  ordered_units    bigint not null default 0,
  ordered_fen      bigint not null default 0,
  shipped_in       bigint not null default 0,
  received_in      bigint not null default 0,
  units_out        bigint not null default 0,
  scans            bigint not null default 0,
  diversions       bigint not null default 0,
  receipts         bigint not null default 0,
  receipt_minutes  bigint not null default 0,
  rebates_fen      bigint not null default 0,
  on_hand          bigint not null default 0,
  in_transit       bigint not null default 0,
  flow_shipped     bigint not null default 0,
  flow_received    bigint not null default 0,
  primary key (tenant_id, id)
);
create index analytics_changes_order on analytics_changes (id);

-- The projector's scratch space for one pass (filled and emptied in the pass's transaction; one pass at a time).
create unlogged table an_batch_rows (like analytics_changes);
alter table an_batch_rows add column kind text, add column province_code text, add column city_code text,
  add column parent_id bigint, add column ancestors bigint[], add column category text;

-- The measures every fact grain carries (sums; days of supply and shares are computed at read time):
--   ordered_units, ordered_fen   orders placed by the party as buyer, less cancelled and rejected ones (order day)
--   shipped_in, received_in      units shipped toward the party by scan, and received by it out of transit
--   units_out                    units that left the party by a shipment scan or a sell-scan (event day)
--   scans                        consumer scans of units the party held last (a store: sell-out seen by consumers)
--   diversions                   diversion alerts against the party (a distributor)
--   receipts, receipt_minutes    orders received by the party as buyer, and the sum of their order-to-receipt time
--   rebates_fen                  channel rebates and payouts earned by the party

-- Drill-down grain: party x SKU x day (stores, distributors and the brand's own parties).
create table an_party_day (
  tenant_id integer not null, party_id bigint not null, gtin char(14) not null, day date not null,
  kind text not null, province_code text not null, city_code text not null, category text not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, party_id, gtin, day)
);
-- launches and store rankings in a region read one SKU over a city's stores
create index an_party_day_sku on an_party_day (tenant_id, gtin, city_code, day);
-- a city's parties (drill-down from a city, over days that are not whole months)
create index an_party_day_city on an_party_day (tenant_id, city_code, day);

-- City x level (party kind) x SKU x day: series and maps filtered by a SKU or a city.
create table an_city_day (
  tenant_id integer not null, city_code text not null, kind text not null, gtin char(14) not null, day date not null,
  province_code text not null, category text not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, city_code, kind, gtin, day)
);
create index an_city_day_sku on an_city_day (tenant_id, gtin, day);
-- a province's cities
create index an_city_day_province on an_city_day (tenant_id, province_code, day);

-- Province x level x SKU x day: series and maps for one SKU across the country or a province.
create table an_province_sku_day (
  tenant_id integer not null, province_code text not null, kind text not null, gtin char(14) not null, day date not null,
  category text not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, gtin, province_code, kind, day)
);

-- Province x level x day: the national overview and the province map (a year of the whole country: 31 x 2 x 365 rows).
create table an_province_day (
  tenant_id integer not null, province_code text not null, kind text not null, day date not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, province_code, kind, day)
);
create index an_province_day_day on an_province_day (tenant_id, day);

-- Category x province x level x day: the same narrowed to a category.
create table an_province_cat_day (
  tenant_id integer not null, category text not null, province_code text not null, kind text not null, day date not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, category, province_code, kind, day)
);

-- Distributor x relation x level x category x day: a distributor's own figures (relation 'self'), its direct
-- downstream's ('child') and the rest of its subtree ('below': stores of its tier-2 distributors), what a
-- distributor's dashboard and the scorecards filtered by category read.
create table an_dist_day (
  tenant_id integer not null, distributor_id bigint not null, relation text not null, kind text not null, category text not null,
  day date not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, distributor_id, relation, kind, category, day)
);

-- Party x month: store rankings and distributor scorecards.
create table an_party_month (
  tenant_id integer not null, party_id bigint not null, month date not null,
  kind text not null, province_code text not null, city_code text not null, parent_id bigint,
  -- units the party's direct downstream received (a distributor's scan compliance reads its own row)
  child_received bigint not null default 0,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0, shipped_in bigint not null default 0,
  received_in bigint not null default 0, units_out bigint not null default 0, scans bigint not null default 0,
  diversions bigint not null default 0, receipts bigint not null default 0, receipt_minutes bigint not null default 0,
  rebates_fen bigint not null default 0,
  primary key (tenant_id, party_id, month)
);
create index an_party_month_rank on an_party_month (tenant_id, month, kind, province_code);
create index an_party_month_parent on an_party_month (tenant_id, parent_id, month) where parent_id is not null;

-- Stock now by city x level x SKU (units on hand and in transit toward the level), from the stock projection.
create table an_stock_city (
  tenant_id integer not null, city_code text not null, kind text not null, gtin char(14) not null,
  province_code text not null, category text not null,
  on_hand bigint not null default 0, in_transit bigint not null default 0,
  primary key (tenant_id, city_code, kind, gtin)
);

-- Flow of goods by order: seller -> buyer (a distributor, or 0 for stores) into the buyer's province, per month and
-- category: the Sankey of factories and warehouses -> distributors -> regions.
create table an_flow_month (
  tenant_id integer not null, month date not null, seller_party_id bigint not null, buyer_key bigint not null,
  buyer_province text not null, category text not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0,
  shipped bigint not null default 0, received bigint not null default 0,
  primary key (tenant_id, month, seller_party_id, buyer_key, buyer_province, category)
);

-- The same flow per SKU, read when a SKU is named.
create table an_flow_sku_month (
  tenant_id integer not null, month date not null, seller_party_id bigint not null, buyer_key bigint not null,
  buyer_province text not null, gtin char(14) not null,
  ordered_units bigint not null default 0, ordered_fen bigint not null default 0,
  shipped bigint not null default 0, received bigint not null default 0,
  primary key (tenant_id, month, gtin, seller_party_id, buyer_key, buyer_province)
);

-- Diversion alerts by where the code turned up (city) and distributor per day: the map's alert layer.
create table an_diversion_day (
  tenant_id integer not null, day date not null, province_code text not null, city_code text not null,
  distributor_id bigint not null, alerts bigint not null default 0,
  primary key (tenant_id, day, province_code, city_code, distributor_id)
);

-- Triggers: statement-level with transition tables, one insert per statement whatever its row count.

create function analytics_stock_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit, shipped_in)
    select n.tenant_id, analytics_day(now()), n.holder_party_id, n.gtin, sum(n.on_hand), sum(n.in_transit_in), sum(greatest(n.in_transit_in, 0))
    from new_rows n group by 1, 3, 4 having sum(abs(n.on_hand)) + sum(abs(n.in_transit_in)) > 0;
  elsif tg_op = 'UPDATE' then
    insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit, shipped_in, received_in)
    select n.tenant_id, analytics_day(now()), n.holder_party_id, n.gtin, sum(n.on_hand - o.on_hand), sum(n.in_transit_in - o.in_transit_in),
      sum(greatest(n.in_transit_in - o.in_transit_in, 0)), sum(greatest(o.in_transit_in - n.in_transit_in, 0))
    from new_rows n join old_rows o using (tenant_id, holder_party_id, gtin, lot)
    group by 1, 3, 4 having sum(abs(n.on_hand - o.on_hand)) + sum(abs(n.in_transit_in - o.in_transit_in)) > 0;
  else
    insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit)
    select o.tenant_id, analytics_day(now()), o.holder_party_id, o.gtin, -sum(o.on_hand), -sum(o.in_transit_in)
    from old_rows o group by 1, 3, 4 having sum(abs(o.on_hand)) + sum(abs(o.in_transit_in)) > 0;
  end if;
  return null;
end $$;
create trigger analytics_stock_ins after insert on stock referencing new table as new_rows for each statement execute function analytics_stock_changed();
create trigger analytics_stock_upd after update on stock referencing old table as old_rows new table as new_rows for each statement execute function analytics_stock_changed();
create trigger analytics_stock_del after delete on stock referencing old table as old_rows for each statement execute function analytics_stock_changed();

create function analytics_outflow_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into analytics_changes (tenant_id, day, party_id, gtin, units_out)
    select n.tenant_id, n.day, n.holder_party_id, n.gtin, n.units_out from new_rows n where n.units_out <> 0;
  elsif tg_op = 'UPDATE' then
    insert into analytics_changes (tenant_id, day, party_id, gtin, units_out)
    select n.tenant_id, n.day, n.holder_party_id, n.gtin, n.units_out - o.units_out
    from new_rows n join old_rows o using (tenant_id, holder_party_id, gtin, day) where n.units_out <> o.units_out;
  else
    insert into analytics_changes (tenant_id, day, party_id, gtin, units_out)
    select o.tenant_id, o.day, o.holder_party_id, o.gtin, -o.units_out from old_rows o where o.units_out <> 0;
  end if;
  return null;
end $$;
create trigger analytics_outflow_ins after insert on sell_through_daily referencing new table as new_rows for each statement execute function analytics_outflow_changed();
create trigger analytics_outflow_upd after update on sell_through_daily referencing old table as old_rows new table as new_rows for each statement execute function analytics_outflow_changed();
create trigger analytics_outflow_del after delete on sell_through_daily referencing old table as old_rows for each statement execute function analytics_outflow_changed();

-- Order lines placed: ordered units and value for the buyer (with the seller, for the flow).
create function analytics_order_lines_added() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, ordered_units, ordered_fen)
  select l.tenant_id, analytics_day(o.created_at), o.buyer_party_id, o.seller_party_id, p.gtin, sum(l.quantity), sum(l.amount_fen)
  from new_rows l
  join orders o on o.tenant_id = l.tenant_id and o.id = l.order_id
  join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
  where o.status not in ('cancelled', 'rejected')
  group by l.tenant_id, o.created_at, o.buyer_party_id, o.seller_party_id, p.gtin;
  return null;
end $$;
create trigger analytics_order_lines_ins after insert on order_lines referencing new table as new_rows for each statement execute function analytics_order_lines_added();

-- Shipped and received quantities of order lines: the flow from seller to buyer.
create function analytics_order_lines_moved() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, flow_shipped, flow_received)
  select n.tenant_id, analytics_day(now()), o.buyer_party_id, o.seller_party_id, p.gtin,
    sum(n.shipped_qty - x.shipped_qty), sum(n.received_qty - x.received_qty)
  from new_rows n join old_rows x using (tenant_id, order_id, line_no)
  join orders o on o.tenant_id = n.tenant_id and o.id = n.order_id
  join products p on p.tenant_id = n.tenant_id and p.id = n.product_id
  where n.shipped_qty <> x.shipped_qty or n.received_qty <> x.received_qty
  group by n.tenant_id, o.buyer_party_id, o.seller_party_id, p.gtin;
  return null;
end $$;
create trigger analytics_order_lines_upd after update on order_lines referencing old table as old_rows new table as new_rows for each statement execute function analytics_order_lines_moved();

-- An order cancelled or rejected no longer counts as ordered; an order received counts its order-to-receipt time.
create function analytics_orders_status() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, ordered_units, ordered_fen)
  select n.tenant_id, analytics_day(n.created_at), n.buyer_party_id, n.seller_party_id, p.gtin, -sum(l.quantity), -sum(l.amount_fen)
  from new_rows n join old_rows o using (tenant_id, id)
  join order_lines l on l.tenant_id = n.tenant_id and l.order_id = n.id
  join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
  where n.status in ('cancelled', 'rejected') and o.status not in ('cancelled', 'rejected')
  group by n.tenant_id, n.created_at, n.buyer_party_id, n.seller_party_id, p.gtin;
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, receipts, receipt_minutes)
  select n.tenant_id, analytics_day(now()), n.buyer_party_id, n.seller_party_id, count(*),
    sum(greatest(0, extract(epoch from (now() - n.created_at)) / 60)::bigint)
  from new_rows n join old_rows o using (tenant_id, id)
  where n.status = 'received' and o.status <> 'received'
  group by n.tenant_id, n.buyer_party_id, n.seller_party_id;
  return null;
end $$;
create trigger analytics_orders_upd after update on orders referencing old table as old_rows new table as new_rows for each statement execute function analytics_orders_status();

-- Consumer scans of genuine codes, counted for the party that held the unit last (the store that sold it).
create function analytics_consumer_scans_added() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, gtin, scans)
  select n.tenant_id, analytics_day(n.scanned_at), c.holder_party_id, c.gtin, count(*)
  from new_rows n join code_now c on c.tenant_id = n.tenant_id and c.epc = n.epc
  where n.verdict in ('genuine_first', 'genuine_repeat') and c.holder_party_id is not null and c.gtin is not null
  group by n.tenant_id, analytics_day(n.scanned_at), c.holder_party_id, c.gtin;
  return null;
end $$;
create trigger analytics_consumer_scans_ins after insert on consumer_scans referencing new table as new_rows for each statement execute function analytics_consumer_scans_added();

create function analytics_diversions_added() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, counterparty_id, gtin, division, diversions)
  select n.tenant_id, analytics_day(n.created_at), n.distributor_id, n.scanned_by_party_id, n.gtin, n.actual_division, count(*)
  from new_rows n group by 1, 2, 3, 4, 5, 6;
  return null;
end $$;
create trigger analytics_diversions_ins after insert on diversion_alerts referencing new table as new_rows for each statement execute function analytics_diversions_added();

create function analytics_payouts_added() returns trigger language plpgsql as $$
begin
  insert into analytics_changes (tenant_id, day, party_id, rebates_fen)
  select n.tenant_id, n.day, n.payee_party_id, sum(n.amount_fen)
  from new_rows n where n.payee_role in ('store', 'distributor') group by 1, 2, 3;
  return null;
end $$;
create trigger analytics_payouts_ins after insert on channel_payouts referencing new table as new_rows for each statement execute function analytics_payouts_added();

-- What was there before the facts existed: today's stock (the other facts start from the first change).
insert into analytics_changes (tenant_id, day, party_id, gtin, on_hand, in_transit)
select tenant_id, analytics_day(now()), holder_party_id, gtin, sum(on_hand), sum(in_transit_in)
from stock group by tenant_id, holder_party_id, gtin having sum(on_hand) <> 0 or sum(in_transit_in) <> 0;
