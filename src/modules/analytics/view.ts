/**
 * What a dashboard request looks at: the filters (time range, region, SKU, category, party) checked against the
 * brand's data, and the viewer's data scope turned into one of two views over the facts:
 *
 * - `tenant`: the whole brand, or a sales rep's provinces and cities: read from the region grains
 *   (province x category x day, city x SKU x day).
 * - `parties`: a set of parties (a distributor and its downstream, a store, a district, a party drilled into):
 *   read from the party grains (party x SKU x day, party x month), or distributor x day when the set is a whole
 *   distributor subtree and no SKU or region narrows it.
 *
 * Scope comes from auth's partyScope (the one place it is defined), so a distributor's view never holds a party
 * outside its subtree, and a party filter outside the viewer's scope is refused exactly like an unknown one.
 */
import type { RequestContext } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { partyScope, seesWholeTenant } from '../auth/index.ts';
import { allDivisions, type Division } from '../parties/index.ts';

/** The longest range one request may cover (a year and a day, for a leap year). */
export const MAX_RANGE_DAYS = 366;

export interface FilterInput {
  from: string;
  to: string;
  region?: string | undefined;
  gtin?: string | undefined;
  category?: string | undefined;
  party?: number | undefined;
}

export interface Filters {
  tenantId: number;
  from: string;
  to: string;
  days: number;
  region: Division | null;
  gtin: string | null;
  category: string | null;
  party: { id: number; kind: string; code: string; name: string } | null;
}

export type View =
  | { mode: 'tenant'; provinces: string[] | null; cities: string[] | null }
  /** `subtree`: the ids are all of `root`'s subtree (the distributor grain may stand in for them) */
  | { mode: 'parties'; ids: number[]; root: { id: number; kind: string } | null; subtree: boolean };

export const dayMs = 86_400_000;
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);

/** Checks the filters (problem+json with a pointer and a stable code for each kind of bad input). */
export async function checkFilters(sql: Sql, tenantId: number, q: FilterInput): Promise<Filters> {
  const span = (Date.parse(q.to) - Date.parse(q.from)) / dayMs;
  if (!(span >= 0)) throw AppError.field('/query/to', 'analytics.range_reversed', { from: q.from, to: q.to });
  if (span + 1 > MAX_RANGE_DAYS) throw AppError.field('/query/to', 'analytics.range_too_long', { max: MAX_RANGE_DAYS });
  let region: Division | null = null;
  if (q.region) {
    region = allDivisions().get(q.region) ?? null;
    if (!region) throw AppError.field('/query/region', 'analytics.unknown_region', { value: q.region });
  }
  if (q.gtin) {
    const [p] = await sql`select 1 from products where tenant_id = ${tenantId} and gtin = ${q.gtin}`;
    if (!p) throw AppError.field('/query/gtin', 'analytics.unknown_sku', { value: q.gtin });
  }
  if (q.category) {
    const [c] = await sql`select 1 from product_categories where tenant_id = ${tenantId} and code = ${q.category}`;
    if (!c) throw AppError.field('/query/category', 'analytics.unknown_category', { value: q.category });
  }
  return {
    tenantId,
    from: q.from,
    to: q.to,
    days: span + 1,
    region,
    gtin: q.gtin ?? null,
    category: q.category ?? null,
    party: null,
  };
}

/** The parties a party filter stands for: itself and everything it serves (the channel is at most three levels deep). */
const subtreeOf = (sql: Sql, tenantId: number, id: number) => sql`(
  select c.id from parties c where c.tenant_id = ${tenantId} and (c.id = ${id} or c.parent_id = ${id}
    or c.parent_id in (select m.id from parties m where m.tenant_id = ${tenantId} and m.parent_id = ${id})))`;

/** The view of the facts a request has, from the viewer's scope and the party and region filters. */
export async function viewOf(sql: Sql, ctx: RequestContext, f: Filters, partyId: number | undefined): Promise<View> {
  const actor = ctx.actor;
  const tenantId = actor.tenantId;
  const whole = seesWholeTenant(actor);
  // a distributor sees all of its subtree, so the distributor grain holds exactly what it may see
  const fullSubtrees = whole || actor.role === 'distributor_admin' || actor.role === 'distributor_staff';
  if (partyId != null) {
    const [p] = await sql<{ id: number; kind: string; code: string; name: string }[]>`
      select p.id, p.kind, p.code, p.name from parties p where ${partyScope(sql, actor)} and p.id = ${partyId}`;
    if (!p) throw AppError.field('/query/party', 'analytics.unknown_party', { value: partyId });
    f.party = { id: Number(p.id), kind: p.kind, code: p.code, name: p.name };
    const ids = await sql<{ id: number }[]>`
      select p.id from parties p where ${partyScope(sql, actor)} and p.id in ${subtreeOf(sql, tenantId, partyId)}
        ${f.region?.level === 3 ? sql`and p.district_code = ${f.region.code}` : sql``}`;
    return {
      mode: 'parties',
      ids: ids.map((r) => Number(r.id)),
      root: { id: Number(p.id), kind: p.kind },
      subtree: fullSubtrees && f.region == null,
    };
  }
  const district = f.region?.level === 3 ? sql`and p.district_code = ${f.region.code}` : sql``;
  if (whole) {
    if (f.region?.level !== 3) return { mode: 'tenant', provinces: null, cities: null };
    const ids = await sql<{ id: number }[]>`select p.id from parties p where p.tenant_id = ${tenantId} ${district}`;
    return { mode: 'parties', ids: ids.map((r) => Number(r.id)), root: null, subtree: false };
  }
  if (actor.role === 'brand_sales' && f.region?.level !== 3 && actor.territories.every((t) => t.length <= 4)) {
    return {
      mode: 'tenant',
      provinces: actor.territories.filter((t) => t.length === 2),
      cities: actor.territories.filter((t) => t.length === 4),
    };
  }
  const ids = await sql<{ id: number }[]>`select p.id from parties p where ${partyScope(sql, actor)} ${district}`;
  const own =
    actor.partyId == null
      ? null
      : await sql<{ kind: string }[]>`
    select kind from parties where tenant_id = ${tenantId} and id = ${actor.partyId}`;
  const rootKind = own?.[0]?.kind;
  return {
    mode: 'parties',
    ids: ids.map((r) => Number(r.id)),
    root: actor.partyId != null && rootKind ? { id: actor.partyId, kind: rootKind } : null,
    subtree: fullSubtrees && f.region == null,
  };
}

/** The next level to drill into from a region: provinces, then cities, then parties. */
export function nextLevel(f: Filters, view: View): 'province' | 'city' | 'party' {
  if (view.mode === 'parties') return 'party';
  if (!f.region) return 'province';
  if (f.region.level === 1) return 'city';
  return 'party';
}
