/**
 * Diversion alerts grouped as one incident: a diverted case or pallet raises one alert per unit, all with the same
 * distributor, product, lot, scan and place (the store that scanned them, or the division a consumer's scan came
 * from). A reviewer reads the group with its count and reviews its open alerts together (reviewAlerts).
 */
import type { RequestContext } from '../../context.ts';
import { type AlertFilter, alertFilter, alertNamesColumns, alertNamesJoin, namedDivision, productOf } from './diversion-alerts.ts';

export interface GroupPage {
  page: number;
  pageSize: number;
}

/** The groups of the alerts the filters select, latest first, each with its counts and the ids of its open alerts. */
export async function listAlertGroups(ctx: RequestContext, q: AlertFilter & GroupPage) {
  const { sql, actor, locale } = ctx;
  const where = alertFilter(sql, actor, q);
  // a null (no GTIN, no lot, no scanning party) is a value of the key, so `group by` keeps such alerts together
  const key = sql`a.distributor_id, a.gtin, a.lot, a.scan_kind, a.actual_division, a.scanned_by_party_id`;
  const [rows, [count]] = await Promise.all([
    sql<Record<string, unknown>[]>`
    with g as (
      select ${key},
        count(*)::int as alerts,
        count(*) filter (where a.status = 'open')::int as open,
        count(*) filter (where a.status = 'confirmed')::int as confirmed,
        count(*) filter (where a.status = 'dismissed')::int as dismissed,
        coalesce(array_agg(a.id order by a.id) filter (where a.status = 'open'), '{}') as open_ids,
        max(a.id) as latest_id, min(a.created_at) as first_at, max(a.created_at) as last_at
      from diversion_alerts a where ${where}
      group by ${key}
    )
    -- the latest alert of the group (as a) names it: its distributor, product and authorised territory
    select g.*, a.expected_divisions, s.code as scanned_by_code, s.name as scanned_by_name,
      s.kind as scanned_by_kind, ${alertNamesColumns(sql)}
    from g
    join diversion_alerts a on a.tenant_id = ${actor.tenantId} and a.id = g.latest_id
    ${alertNamesJoin(sql)}
    left join parties s on s.tenant_id = a.tenant_id and s.id = g.scanned_by_party_id
    order by g.last_at desc, g.latest_id desc
    limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from (select 1 from diversion_alerts a where ${where} group by ${key}) x`,
  ]);
  const items = rows.map((r) => ({
    key: [r.distributor_id, r.gtin, r.lot, r.scan_kind, r.actual_division, r.scanned_by_party_id].map((v) => v ?? '').join('|'),
    distributor: { id: Number(r.distributor_id), code: r.distributor_code as string, name: r.distributor_name as string },
    gtin: (r.gtin as string | null) ?? null,
    product: productOf(r, locale),
    lot: (r.lot as string | null) ?? null,
    scanKind: r.scan_kind as string,
    scannedBy:
      r.scanned_by_party_id == null
        ? null
        : {
            id: Number(r.scanned_by_party_id),
            code: r.scanned_by_code as string,
            name: r.scanned_by_name as string,
            kind: r.scanned_by_kind as string,
          },
    expected: (r.expected_divisions as string[]).map((d) => namedDivision(d, locale)),
    actual: r.actual_division ? namedDivision(r.actual_division as string, locale) : null,
    alerts: Number(r.alerts),
    byStatus: { open: Number(r.open), confirmed: Number(r.confirmed), dismissed: Number(r.dismissed) },
    openIds: (r.open_ids as (string | number)[]).map(Number),
    firstAt: r.first_at as Date,
    lastAt: r.last_at as Date,
  }));
  return { total: count?.n ?? 0, page: q.page, pageSize: q.pageSize, items };
}
