/**
 * Diversion (窜货) alerts as the people who review them read them: which alerts an actor may see, the list filters,
 * and an alert named for people: the product by its name (the GTIN beside it), the places as the rest of the product
 * names them (placeName: 北京市朝阳区, never 北京市 北京市).
 */
import type { Fragment } from 'postgres';
import type { Sql } from '../../db/connection.ts';
import type { Locale } from '../../http/messages.ts';
import { type Actor, partyScope, seesWholeTenant } from '../auth/index.ts';
import { placeName, regionName } from '../parties/index.ts';

export type AlertStatus = 'open' | 'confirmed' | 'dismissed';

/** The alerts an actor may see, on the alias `a`: those of the distributors in the actor's data scope. */
export function alertScope(sql: Sql, actor: Actor): Fragment {
  return seesWholeTenant(actor)
    ? sql`a.tenant_id = ${actor.tenantId}`
    : sql`a.tenant_id = ${actor.tenantId} and exists (select 1 from parties p where ${partyScope(sql, actor)} and p.id = a.distributor_id)`;
}

/**
 * The list's filters. Those of a group's key (diversion-groups.ts) select exactly one value, and an empty one selects
 * the alerts that have none (no GTIN or lot; a consumer's scan has no scanning party), as a group keeps them together.
 */
export interface AlertFilter {
  distributorId?: number;
  provinceCode?: string;
  status?: string;
  gtin?: string;
  lot?: string;
  scanKind?: string;
  /** the division where the unit turned up, exactly (provinceCode takes a whole province) */
  actualDivision?: string;
  /** the party whose scan raised the alert (a store, mostly), by id */
  scannedById?: string;
}

/** The alerts of the list's filters within the actor's scope, on the alias `a` (the list and its groups share it). */
export function alertFilter(sql: Sql, actor: Actor, q: AlertFilter): Fragment {
  const exactly = (column: Fragment, v: string | number | undefined) =>
    v === undefined ? sql`` : v === '' ? sql`and ${column} is null` : sql`and ${column} = ${v}`;
  return sql`${alertScope(sql, actor)}
    ${q.distributorId ? sql`and a.distributor_id = ${q.distributorId}` : sql``}
    ${q.provinceCode ? sql`and a.actual_division like ${`${q.provinceCode}%`}` : sql``}
    ${q.status ? sql`and a.status = ${q.status}` : sql``}
    ${exactly(sql`a.gtin`, q.gtin)}
    ${exactly(sql`a.lot`, q.lot)}
    ${q.scanKind ? sql`and a.scan_kind = ${q.scanKind}` : sql``}
    ${exactly(sql`a.actual_division`, q.actualDivision)}
    ${exactly(sql`a.scanned_by_party_id`, q.scannedById === undefined || q.scannedById === '' ? q.scannedById : Number(q.scannedById))}`;
}

/**
 * The joins that name an alert's distributor (`d`) and product (`pr`, by the GTIN of whichever packaging level was
 * scanned, unit or case), for a query on `diversion_alerts a`.
 */
export function alertNamesJoin(sql: Sql): Fragment {
  return sql`join parties d on d.tenant_id = a.tenant_id and d.id = a.distributor_id
    left join packaging_levels pl on pl.tenant_id = a.tenant_id and pl.gtin = a.gtin
    left join products pr on pr.tenant_id = pl.tenant_id and pr.id = pl.product_id`;
}

/** The columns alertNamesJoin adds, as alertView reads them. */
export function alertNamesColumns(sql: Sql): Fragment {
  return sql`d.code as distributor_code, d.name as distributor_name, pr.sku as product_sku,
    pr.name_zh as product_name_zh, pr.name_en as product_name_en`;
}

/** A division for the reader: its code, its own name (regionName) and the place as people say it (placeName). */
export function namedDivision(code: string, locale: Locale) {
  return { code, name: regionName(code, locale), place: placeName(code, locale) };
}

/** The product of a GTIN in the reader's language (null when the GTIN is not in the catalogue). */
export function productOf(r: Record<string, unknown>, locale: Locale) {
  if (!r.gtin) return null;
  const name = (locale === 'en' ? r.product_name_en : r.product_name_zh) as string | null | undefined;
  return { gtin: r.gtin as string, sku: (r.product_sku as string | null) ?? null, name: name ?? null };
}

/** An alert row (with alertNamesColumns) as the API returns it, named in the reader's language. */
export function alertView(a: Record<string, unknown>, locale: Locale = 'zh-CN') {
  return {
    id: Number(a.id),
    code: a.epc as string,
    gtin: a.gtin as string | null,
    product: productOf(a, locale),
    lot: a.lot as string | null,
    distributor: { id: Number(a.distributor_id), code: a.distributor_code as string, name: a.distributor_name as string },
    expected: (a.expected_divisions as string[]).map((d) => namedDivision(d, locale)),
    actual: a.actual_division ? namedDivision(a.actual_division as string, locale) : null,
    scanKind: a.scan_kind as string,
    evidence: a.evidence,
    status: a.status as AlertStatus,
    createdAt: a.created_at as Date,
    review: a.reviewed_at
      ? {
          by: { id: a.reviewed_by == null ? null : Number(a.reviewed_by), name: a.reviewed_by_name as string | null },
          at: a.reviewed_at as Date,
          note: (a.review_note as string | null) ?? null,
        }
      : null,
  };
}
export type AlertView = ReturnType<typeof alertView>;
