/**
 * Recall of a lot: every unit, case and pallet of it, where each is now and who holds it, with counts per
 * holder and region. Opening a recall marks the lot (not each code), so later scans of any of its codes warn.
 */
import type { RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { parseGtin } from '../../platform/gs1.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { divisionName, regionName } from '../parties/index.ts';

export interface RecallHolder {
  partyId: number | null;
  partyCode: string | null;
  partyName: string | null;
  kind: string | null;
  provinceCode: string | null;
  provinceName: string | null;
  cityName: string | null;
  status: string;
  units: number;
}

export interface RecallReport {
  gtin: string;
  lot: string;
  units: number;
  /** cases and pallets holding units of the lot */
  containers: number;
  byHolder: RecallHolder[];
  byProvince: { provinceCode: string | null; provinceName: string | null; units: number }[];
  byStatus: Record<string, number>;
  recall: { id: number; reason: string; createdAt: Date; active: boolean } | null;
}

function checkedGtin(gtin: string): string {
  const g = parseGtin(gtin);
  if (!g.ok) throw AppError.field('/gtin', g.code, { value: gtin });
  return g.value;
}

/**
 * Where the units of a lot are now, from the stock projection (a few rows per holder, not a million codes):
 * on hand, in transit towards, sold or destroyed by each holder. Units commissioned at places that are not
 * registered parties have no holder to count under; they are the remainder of the lot's codes.
 */
export async function recallReport(ctx: RequestContext, gtinInput: string, lot: string): Promise<RecallReport> {
  const sql = ctx.sql;
  const tenantId = ctx.actor.tenantId;
  const gtin = checkedGtin(gtinInput);
  const [stock, [codes], [containers], recall] = await Promise.all([
    sql<{ holder: number; on_hand: number; in_transit_in: number; sold: number; destroyed: number }[]>`
      select holder_party_id as holder, on_hand::int, in_transit_in::int, sold::int, destroyed::int from stock
      where tenant_id = ${tenantId} and gtin = ${gtin} and lot = ${lot}`,
    // an index-only count: unit rows are written once, at commissioning
    sql<{ n: number }[]>`select count(*)::int as n from code_state where tenant_id = ${tenantId} and gtin = ${gtin} and lot = ${lot}`,
    // cases and pallets of the product packed with units of the lot (they carry their first child's lot) and not emptied since
    sql<{ n: number }[]>`
      select count(*)::int as n from code_state c
      where c.tenant_id = ${tenantId} and c.lot = ${lot} and c.gtin in (
        select o.gtin from packaging_levels u join packaging_levels o on o.tenant_id = u.tenant_id and o.product_id = u.product_id
        where u.tenant_id = ${tenantId} and u.gtin = ${gtin} and o.level <> 'unit')
        and exists (select 1 from containment k where k.tenant_id = c.tenant_id and k.parent_epc = c.epc and k.unpacked_at is null)`,
    sql<{ id: number; reason: string; created_at: Date; active: boolean }[]>`
      select id, reason, created_at, active from recalls where tenant_id = ${tenantId} and gtin = ${gtin} and lot = ${lot}
      order by active desc, created_at desc limit 1`,
  ]);
  const groups: { holder: number | null; status: string; n: number }[] = [];
  for (const s of stock) {
    const holder = Number(s.holder);
    for (const [status, n] of [
      ['on_hand', s.on_hand],
      ['in_transit', s.in_transit_in],
      ['sold', s.sold],
      ['destroyed', s.destroyed],
    ] as const)
      if (n > 0) groups.push({ holder, status, n });
  }
  const counted = groups.reduce((sum, g) => sum + g.n, 0);
  const total = Math.max(codes?.n ?? 0, counted);
  if (total > counted) groups.push({ holder: null, status: 'untracked', n: total - counted });
  const holderIds = [...new Set(groups.map((g) => g.holder).filter((h): h is number => h != null))];
  const parties = holderIds.length
    ? await sql<{ id: number; code: string; name: string; kind: string; province_code: string | null; city_code: string | null }[]>`
        select id, code, name, kind, province_code, city_code from parties where tenant_id = ${tenantId} and id = any(${holderIds}::bigint[])`
    : [];
  const partyById = new Map(parties.map((p) => [Number(p.id), p]));
  const byHolder: RecallHolder[] = groups
    .map((g) => {
      const p = g.holder == null ? undefined : partyById.get(g.holder);
      return {
        partyId: g.holder,
        partyCode: p?.code ?? null,
        partyName: p?.name ?? null,
        kind: p?.kind ?? null,
        provinceCode: p?.province_code ?? null,
        provinceName: divisionName(p?.province_code ?? null, ctx.locale),
        cityName: regionName(p?.city_code ?? null, ctx.locale),
        status: g.status,
        units: g.n,
      };
    })
    .sort((a, b) => b.units - a.units);
  const provinces = new Map<string | null, number>();
  const byStatus: Record<string, number> = {};
  for (const h of byHolder) {
    provinces.set(h.provinceCode, (provinces.get(h.provinceCode) ?? 0) + h.units);
    byStatus[h.status] = (byStatus[h.status] ?? 0) + h.units;
  }
  const r = recall[0];
  return {
    gtin,
    lot,
    units: total,
    containers: containers?.n ?? 0,
    byHolder,
    byProvince: [...provinces.entries()]
      .map(([code, units]) => ({ provinceCode: code, provinceName: divisionName(code, ctx.locale), units }))
      .sort((a, b) => b.units - a.units),
    byStatus,
    recall: r ? { id: Number(r.id), reason: r.reason, createdAt: r.created_at, active: r.active } : null,
  };
}

/**
 * Every code of a lot (its units, and the cases and pallets packed with them) with where it is now, streamed
 * from a cursor: a million rows never sit in memory at once.
 */
export function recallCodes(ctx: RequestContext, gtinInput: string, lot: string): AsyncIterable<Record<string, string | null>> {
  // checked before the first byte goes out, so a bad GTIN is a problem response, not a broken download
  const gtin = checkedGtin(gtinInput);
  return lotCodes(ctx, gtin, lot);
}

async function* lotCodes(ctx: RequestContext, gtin: string, lot: string): AsyncIterable<Record<string, string | null>> {
  const t = ctx.actor.tenantId;
  const query = ctx.sql<
    {
      epc: string;
      level: string | null;
      status: string;
      parent_epc: string | null;
      holder_code: string | null;
      holder_name: string | null;
      province_code: string | null;
      city_code: string | null;
      last_event_time: Date;
    }[]
  >`
    select n.epc, n.level, n.status, n.parent_epc, h.code as holder_code, h.name as holder_name, h.province_code, h.city_code,
      n.last_event_time
    from code_now n left join parties h on h.tenant_id = n.tenant_id and h.id = n.holder_party_id
    where n.tenant_id = ${t} and n.lot = ${lot} and n.gtin in (
      select o.gtin from packaging_levels u join packaging_levels o on o.tenant_id = u.tenant_id and o.product_id = u.product_id
      where u.tenant_id = ${t} and u.gtin = ${gtin}
      union select ${gtin})`;
  for await (const batch of query.cursor(2000)) {
    for (const r of batch)
      yield {
        code: r.epc,
        level: r.level,
        status: r.status,
        container: r.parent_epc,
        holder_code: r.holder_code,
        holder_name: r.holder_name,
        province: divisionName(r.province_code, ctx.locale),
        city: regionName(r.city_code, ctx.locale),
        since: r.last_event_time.toISOString(),
      };
  }
}

/** Opens a recall of a lot (audited); scans and lookups of its codes then warn. Opening it twice is one recall. */
export async function openRecall(
  ctx: RequestContext,
  gtinInput: string,
  lot: string,
  reason: string,
): Promise<{ id: number; created: boolean }> {
  const gtin = checkedGtin(gtinInput);
  return ctx.sql.begin(async (tx) => {
    const [existing] = await tx<{ id: number }[]>`
      select id from recalls where tenant_id = ${ctx.actor.tenantId} and gtin = ${gtin} and lot = ${lot} and active`;
    if (existing) return { id: Number(existing.id), created: false };
    const [row] = await tx<{ id: number }[]>`
      insert into recalls (tenant_id, gtin, lot, reason, created_by) values (${ctx.actor.tenantId}, ${gtin}, ${lot}, ${reason}, ${ctx.actor.kind === 'user' ? ctx.actor.id : null})
      returning id`;
    const id = Number(row?.id);
    await appendAudit(tx, whoOf(ctx), { action: 'recall.open', entityType: 'recall', entityId: id, details: { gtin, lot, reason } });
    return { id, created: true };
  });
}

/** The active recall of a code's lot, if any (what a scan or a lookup warns about). */
export async function activeRecallOf(ctx: RequestContext, gtin: string | null, lot: string | null) {
  if (!gtin || !lot) return null;
  const [r] = await ctx.sql<{ id: number; reason: string; created_at: Date }[]>`
    select id, reason, created_at from recalls where tenant_id = ${ctx.actor.tenantId} and gtin = ${gtin} and lot = ${lot} and active`;
  return r ? { id: Number(r.id), reason: r.reason, createdAt: r.created_at } : null;
}
