import type { RequestContext } from '../../context.ts';
import type { Locale } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import { partyScope } from '../auth/index.ts';
import { divisionName, regionName } from './divisions.ts';

export interface PartyListQuery {
  kind?: string;
  q?: string;
  provinceCode?: string;
  cityCode?: string;
  districtCode?: string;
  tier?: number;
  parentId?: number;
  page: number;
  pageSize: number;
  sort: 'name' | '-name' | 'code' | '-code';
}

interface PartyRow {
  id: number;
  kind: string;
  code: string;
  name: string;
  gln: string | null;
  tier: number | null;
  parent_id: number | null;
  parent_name: string | null;
  province_code: string | null;
  city_code: string | null;
  district_code: string | null;
  status: string;
}

function toListItem(r: PartyRow, locale: Locale) {
  return {
    id: Number(r.id),
    kind: r.kind,
    code: r.code,
    name: r.name,
    gln: r.gln,
    tier: r.tier,
    parentId: r.parent_id == null ? null : Number(r.parent_id),
    parentName: r.parent_name,
    provinceCode: r.province_code,
    provinceName: divisionName(r.province_code, locale),
    cityCode: r.city_code,
    cityName: regionName(r.city_code, locale),
    districtCode: r.district_code,
    districtName: divisionName(r.district_code, locale),
    status: r.status,
  };
}

/** A page of the parties the actor may see: by province on (kind, province, name); by city or district as a range on (kind, division_code). */
export async function listParties(ctx: RequestContext, q: PartyListQuery) {
  const sql = ctx.sql;
  const where = sql`${partyScope(sql, ctx.actor)}
    ${q.kind ? sql`and p.kind = ${q.kind}` : sql``}
    ${q.provinceCode ? sql`and p.province_code = ${q.provinceCode}` : sql``}
    ${q.cityCode ? sql`and ${within(sql, q.cityCode)} and p.city_code = ${q.cityCode}` : sql``}
    ${q.districtCode ? sql`and ${within(sql, q.districtCode)} and p.district_code = ${q.districtCode}` : sql``}
    ${q.tier ? sql`and p.tier = ${q.tier}` : sql``}
    ${q.parentId ? sql`and p.parent_id = ${q.parentId}` : sql``}
    ${q.q ? sql`and (p.name ilike ${`%${escapeLike(q.q)}%`} or p.code = ${q.q} or p.gln = ${q.q})` : sql``}`;
  const order = {
    name: sql`p.name asc, p.id asc`,
    '-name': sql`p.name desc, p.id desc`,
    code: sql`p.code asc`,
    '-code': sql`p.code desc`,
  }[q.sort];
  const [rows, [count]] = await Promise.all([
    sql<PartyRow[]>`
      select p.id, p.kind, p.code, p.name, p.gln, p.tier, p.parent_id, pp.name as parent_name,
        p.province_code, p.city_code, p.district_code, p.status
      from parties p left join parties pp on pp.tenant_id = p.tenant_id and pp.id = p.parent_id
      where ${where} order by ${order} limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from parties p where ${where}`,
  ]);
  return { items: rows.map((r) => toListItem(r, ctx.locale)), total: count?.n ?? 0, page: q.page, pageSize: q.pageSize };
}

export async function getParty(ctx: RequestContext, id: number) {
  const sql = ctx.sql;
  const [r] = await sql<(PartyRow & Record<string, unknown>)[]>`
    select p.*, pp.name as parent_name from parties p
    left join parties pp on pp.tenant_id = p.tenant_id and pp.id = p.parent_id
    where ${partyScope(sql, ctx.actor)} and p.id = ${id}`;
  if (!r) throw AppError.notFound();
  const [territories, children] = await Promise.all([
    sql<{ division_code: string }[]>`select division_code from party_territories
      where tenant_id = ${ctx.actor.tenantId} and party_id = ${id} order by division_code`,
    sql<{ kind: string; n: number }[]>`select kind, count(*)::int as n from parties
      where tenant_id = ${ctx.actor.tenantId} and parent_id = ${id} group by kind`,
  ]);
  return {
    ...toListItem(r, ctx.locale),
    address: r.address,
    lat: r.lat,
    lng: r.lng,
    contactName: r.contact_name,
    phone: r.phone,
    createdAt: r.created_at,
    territories: territories.map((t) => ({
      code: t.division_code,
      name: regionName(t.division_code, ctx.locale),
      level: t.division_code.length === 2 ? 1 : t.division_code.length === 4 ? 2 : 3,
    })),
    childCounts: Object.fromEntries(children.map((c) => [c.kind, c.n])),
  };
}

/** Counts by kind and stores per province, within the actor's scope. */
export async function partyOverview(ctx: RequestContext) {
  const sql = ctx.sql;
  const scope = partyScope(sql, ctx.actor);
  const [byKind, byProvince] = await Promise.all([
    sql<{ kind: string; n: number }[]>`select kind, count(*)::int as n from parties p where ${scope} group by kind`,
    sql<{ province_code: string; n: number }[]>`select province_code, count(*)::int as n from parties p
      where ${scope} and p.kind = 'store' group by province_code order by n desc`,
  ]);
  const counts = Object.fromEntries(byKind.map((r) => [r.kind, r.n])) as Record<string, number>;
  return {
    counts,
    storesByProvince: byProvince.map((r) => ({ code: r.province_code, name: divisionName(r.province_code, ctx.locale), count: r.n })),
  };
}

/** Parties whose finest division lies inside `code`: the index range [code, next code) ("44" -> ["44", "45")). */
function within(sql: RequestContext['sql'], code: string) {
  const upper = `${code.slice(0, -1)}${String.fromCharCode(code.charCodeAt(code.length - 1) + 1)}`;
  return sql`p.division_code >= ${code} and p.division_code < ${upper}`;
}

/** `s` matched literally inside a LIKE pattern. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}
