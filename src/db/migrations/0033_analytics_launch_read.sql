-- The launch comparison (analytics/channel-reports.ts `launch`, docs/ANALYTICS.md "Launches") reads every store row
-- of one SKU over a range of days across the whole country (pilot stores and the comparable ones): at 100,000
-- stores and 90 days ~22,000 party x SKU x day rows. Through `an_party_day_sku (tenant_id, gtin, city_code, day)`
-- each was a heap page of its own (the index's day comes after the city, and a page holds one party's rows of many
-- days and SKUs), ~40,000 buffers a request: p95 241 ms under load.
--
-- This index holds what the launch reads (the party, its province and city for the pilot and the viewer's scope,
-- the units sold) for store rows only, in (SKU, day) order: the read is one index-only range scan of a few hundred
-- pages. PostgreSQL keeps it in the projector's upserts, so it is never behind the facts; the query's own
-- predicate `kind = 'store'` is the index's, so the planner may use it for every launch.
create index an_party_day_store_sku on an_party_day (tenant_id, gtin, day)
  include (party_id, province_code, city_code, units_out) where kind = 'store';
