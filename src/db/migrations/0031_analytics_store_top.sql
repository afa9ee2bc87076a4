-- Analytics: the national store ranking of a month reads its top N in order instead of sorting every store's month.
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
