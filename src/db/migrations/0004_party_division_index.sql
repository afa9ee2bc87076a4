-- Two indexes for the division filters instead of three. Division codes nest (44 > 4401 > 440103), so the finest
-- division a party has answers a city or district filter as a range [4401, 4402) on one index; those pages sort the
-- few thousand matching rows. The province filter, the one every list starts with, keeps its index in name order.
-- Each (tenant, kind, division, name) index costs about a second of a 100,000-store import.
alter table parties add column division_code text generated always as (coalesce(district_code, city_code, province_code)) stored;
drop index parties_kind_city_name;
drop index parties_kind_district_name;
create index parties_kind_division on parties (tenant_id, kind, division_code);

-- "A distributor sees itself and downstream" goes through the parent index: below a distributor the channel tree
-- is at most two levels deep (tier 1 -> tier 2 -> store, enforced by party-rules.ts), so the GIN index on the
-- ancestors array (a second of every 100,000-store import) is not needed; the array stays for exports and reports.
drop index parties_ancestors;

-- The trigram index on names is gone: under the database's C character type pg_trgm makes no trigrams from
-- Chinese characters (show_trgm('北京朝阳便利店') is empty), so it served only ASCII names, and it cost 1.7 s of
-- every 100,000-store import. Name search is a scan of the tenant's parties of one kind (~30-90 ms for 100,000
-- stores, and cached); docs/ARCHITECTURE.md says what a real CJK search needs.
drop index parties_name_trgm;

-- No per-row foreign-key trigger from parties to tenants on the bulk path: a party's tenant id only ever comes from
-- the authenticated actor (or the CLI's --tenant, looked up first), and no path deletes a tenant. The supplier
-- foreign key (tenant_id, parent_id) stays: it is the one a bug could break.
alter table parties drop constraint parties_tenant_id_fkey;
