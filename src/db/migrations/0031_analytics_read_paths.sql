-- Analytics read paths (docs/ANALYTICS.md, "Store rankings" and "Reading a city"): four indexes so the dashboards that
-- missed 200 ms p95 read a few hundred index entries instead of sorting or fetching tens of thousands of rows.
--
-- The national store ranking of a month reads its top N in order instead of sorting every store's month.
--
-- `an_party_month` already holds one row per store and month, kept by the fact projector (analytics/projector.ts)
-- in the same pass that adds the changes; this index orders a month's store rows exactly as the ranking does (units
-- sold, then consumer scans, then the party id, so ties always break the same way). PostgreSQL keeps it up to date
-- with every upsert of the projector, so the kept order is never behind the facts, and a ranking of the brand's
-- whole channel for one month reads the first N entries: a few hundred index tuples instead of 100,000 rows sorted.
-- Rankings narrowed by region, SKU, category, party or the viewer's scope, or over several months, use the exact
-- aggregate instead (analytics/channel-reports.ts storeRankings; docs/ANALYTICS.md "Store rankings").
create index an_party_month_store_top on an_party_month (tenant_id, month, units_out desc, scans desc, party_id)
  where kind = 'store';

-- A city's parties over a range of days (the overview's breakdown below a city, store rankings in a city) read
-- party x SKU x day rows of that city: a few tens of thousands of rows for a large city over 30 days, each on a
-- heap page of its own (a page holds one party's rows of many days and SKUs, or one day's rows of many cities),
-- so the query read ~16,000 pages; whenever they were not in shared buffers it took 300-500 ms instead of 50 ms.
-- This index holds what those queries sum, in (city, day) order, so they read it alone (an index-only scan: a few
-- hundred pages) and replaces the (tenant_id, city_code, day) index, which is its prefix.
create index an_party_day_city_cover on an_party_day (tenant_id, city_code, day, party_id)
  include (kind, units_out, scans, received_in, shipped_in, ordered_fen);
drop index an_party_day_city;

-- A city's parties over whole months (the same breakdown for a month) read party x month by city, not every party's
-- month row filtered.
create index an_party_month_city on an_party_month (tenant_id, city_code, month);

-- The same for a province's cities (the overview's breakdown and the map below a province): city x SKU x day rows
-- of the province over the range, one heap page each (90 days of a large province: ~90,000 rows, 80,000 pages).
-- Covering, it is read alone; replaces the (tenant_id, province_code, day) index, its prefix.
create index an_city_day_province_cover on an_city_day (tenant_id, province_code, day, city_code)
  include (kind, units_out, scans, received_in, shipped_in, ordered_fen);
drop index an_city_day_province;
