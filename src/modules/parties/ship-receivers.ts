/**
 * The parties a scanner may want to ship to from its place (party-rules.ts receiversOf), for the scanning page's
 * receiver field. A factory's or warehouse's data scope is its own party, yet it ships to the brand's warehouses and
 * customers: this names them (code, name, kind, city: what a shipping label shows) and nothing more about them.
 */
import type { RequestContext } from '../../context.ts';
import { regionName } from './divisions.ts';
import { escapeLike } from './party-queries.ts';
import { type PartyKind, receiversOf } from './party-rules.ts';

export interface ShipReceiver {
  code: string;
  name: string;
  kind: PartyKind;
  cityName: string | null;
}

/**
 * Receivers for a ship scan at `place`, matching `q` (the start of a code, part of a name, or a whole GLN), most
 * wanted kind first, then by code. Only active parties with a GLN other than the place: the ship scan refuses any
 * other receiver (party-rules.ts shipRefusal, trace/scans.ts), so this query and that rule name the same parties.
 */
export async function listShipReceivers(
  ctx: RequestContext,
  place: { id: number; kind: string },
  query: { q?: string; limit: number },
): Promise<{ items: ShipReceiver[] }> {
  const { kinds, ownCustomersOnly } = receiversOf(place.kind as PartyKind);
  if (!kinds.length) return { items: [] };
  const sql = ctx.sql;
  const q = query.q?.trim();
  const rows = await sql<{ code: string; name: string; kind: PartyKind; city_code: string | null }[]>`
    select p.code, p.name, p.kind, p.city_code from parties p
    where p.tenant_id = ${ctx.actor.tenantId} and p.kind = any(${kinds}::text[]) and p.id <> ${place.id}
      and p.gln is not null and p.status = 'active'
      ${ownCustomersOnly ? sql`and p.parent_id = ${place.id}` : sql``}
      ${q ? sql`and (p.code ilike ${`${escapeLike(q)}%`} or p.name ilike ${`%${escapeLike(q)}%`} or p.gln = ${q})` : sql``}
    order by array_position(${kinds}::text[], p.kind), p.code
    limit ${query.limit}`;
  return {
    items: rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, cityName: regionName(r.city_code, ctx.locale) })),
  };
}
