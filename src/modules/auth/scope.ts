import type { Fragment } from 'postgres';
import type { Sql } from '../../db/connection.ts';
import type { Actor } from './actor.ts';

/**
 * THE data scope, in one place: the parties (channel members) an actor may see.
 * Brand roles see the whole tenant, a sales rep only the parties in its territories (by address or
 * authorised territory); a distributor itself and everything it serves downstream; a store, factory or
 * warehouse actor only its own party. Every query over parties, and over rows that belong to a party,
 * narrows with this fragment on the alias `p`.
 */
export function partyScope(sql: Sql, actor: Actor): Fragment {
  switch (actor.role) {
    case 'brand_admin':
    case 'brand_planner':
    case 'brand_quality':
    case 'brand_inspector':
      return sql`p.tenant_id = ${actor.tenantId}`;
    case 'brand_sales': {
      const t = actor.territories;
      return sql`p.tenant_id = ${actor.tenantId} and (
        p.province_code = any(${t}::text[]) or p.city_code = any(${t}::text[]) or p.district_code = any(${t}::text[])
        or exists (select 1 from party_territories pt where pt.tenant_id = p.tenant_id and pt.party_id = p.id
                   and pt.division_code = any(${t}::text[])))`;
    }
    case 'distributor_admin':
    case 'distributor_staff':
      // the channel tree is at most two levels deep below a distributor (tier 1 -> tier 2 -> store: party-rules.ts),
      // so "itself and downstream" is itself, its children and their children, all through the parent index
      return sql`p.tenant_id = ${actor.tenantId} and (p.id = ${actor.partyId ?? -1} or p.parent_id = ${actor.partyId ?? -1}
        or p.parent_id in (select c.id from parties c where c.tenant_id = ${actor.tenantId} and c.parent_id = ${actor.partyId ?? -1}))`;
    case 'store_owner':
    case 'store_clerk':
    case 'line_device':
    case 'warehouse_operator':
      return sql`p.tenant_id = ${actor.tenantId} and p.id = ${actor.partyId ?? -1}`;
    default: {
      const never: never = actor.role;
      throw new Error(`no data scope for role ${String(never)}`);
    }
  }
}

/** True when the actor sees the whole tenant (no party narrowing needed for tenant-level aggregates). */
export function seesWholeTenant(actor: Actor): boolean {
  return (
    actor.role === 'brand_admin' || actor.role === 'brand_planner' || actor.role === 'brand_quality' || actor.role === 'brand_inspector'
  );
}

/**
 * A key that is equal for two actors exactly when partyScope gives them the same rows; cached responses
 * of scoped queries are keyed on it, so an actor can never be served a page built for a wider scope.
 */
export function scopeKey(actor: Actor): string {
  switch (actor.role) {
    case 'brand_admin':
    case 'brand_planner':
    case 'brand_quality':
    case 'brand_inspector':
      return `${actor.tenantId}:tenant`;
    case 'brand_sales':
      return `${actor.tenantId}:territories:${[...actor.territories].sort().join(',')}`;
    case 'distributor_admin':
    case 'distributor_staff':
      return `${actor.tenantId}:downstream:${actor.partyId ?? -1}`;
    case 'store_owner':
    case 'store_clerk':
    case 'line_device':
    case 'warehouse_operator':
      return `${actor.tenantId}:party:${actor.partyId ?? -1}`;
    default: {
      const never: never = actor.role;
      throw new Error(`no scope key for role ${String(never)}`);
    }
  }
}
