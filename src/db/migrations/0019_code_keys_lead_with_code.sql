-- The code tables' primary keys lead with the code, the column they are distributed by on Citus
-- (docs/DEPLOYMENT.md; src/db/distribution.ts, checked by test/int/schema-distribution.int.spec.ts). Every lookup
-- names both the tenant and the code, so the order of the two columns changes no plan.
alter table code_state drop constraint code_state_pkey, add primary key (epc, tenant_id);
alter table containment drop constraint containment_pkey, add primary key (child_epc, tenant_id, packed_at, pack_event_id);
-- Sessions are looked up by the hash of a bearer token before the tenant is known, so on Citus they stay on the
-- coordinator; a foreign key from there to the distributed users table could not hold. Users are never deleted
-- (no path does), so the cascade it carried never ran.
alter table sessions drop constraint sessions_tenant_id_user_id_fkey;
-- API keys likewise are found by their prefix before the tenant is known (coordinator); the party a key acts for is
-- checked when the key is made (auth/api-keys.ts), and parties are never deleted.
alter table api_keys drop constraint api_keys_tenant_id_party_id_fkey;
