-- Two indexes for the division filters instead of three. Division codes nest (44 > 4401 > 440103), so the finest
-- division a party has answers a city or district filter as a range [4401, 4402) on one index; those pages sort the
-- few thousand matching rows. The province filter, the one every list starts with, keeps its index in name order.
-- Each (tenant, kind, division, name) index costs about a second of a 100,000-store import.
alter table parties add column division_code text generated always as (coalesce(district_code, city_code, province_code)) stored;
drop index parties_kind_city_name;
drop index parties_kind_district_name;
create index parties_kind_division on parties (tenant_id, kind, division_code);

-- Let bulk inserts append to the GIN indexes' pending lists (merged later by autovacuum on the other core)
-- instead of merging every 4 MB inside the importing transaction.
alter index parties_name_trgm set (gin_pending_list_limit = 65536);
alter index parties_ancestors set (gin_pending_list_limit = 65536);
