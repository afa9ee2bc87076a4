/**
 * Diversion (窜货) control: a code received or sold by a store, scanned by a consumer or found by a market
 * inspector outside the authorised territory of the distributor it was shipped to raises an alert with the
 * evidence (the code, the distributor, where it should be and where it was found).
 */
import type { Db } from '../../context.ts';

export interface DiversionScan {
  epc: string;
  gtin: string | null;
  lot: string | null;
  /** the distributor the code was shipped to */
  channelPartyId: number | null;
  /** the store (or inspector's, consumer's) place where it turned up */
  scannedByPartyId: number | null;
  /** division where it turned up, when there is no party (a consumer's scan) */
  actualDivision?: string | null;
  kind: 'receive' | 'sell' | 'consumer' | 'inspection';
  eventId?: number | null;
  units?: number;
}

export interface DiversionRules {
  level: 2 | 4;
  exemptPartyIds: number[];
  monthlyCityCapUnits: number | null;
}

export async function diversionRules(db: Db, tenantId: number): Promise<DiversionRules> {
  const [r] = await db<{ level: number; exempt_party_ids: number[]; monthly_city_cap_units: number | null }[]>`
    select level, exempt_party_ids, monthly_city_cap_units from diversion_rules where tenant_id = ${tenantId}`;
  return {
    level: (r?.level ?? 4) as 2 | 4,
    exemptPartyIds: (r?.exempt_party_ids ?? []).map(Number),
    monthlyCityCapUnits: r?.monthly_city_cap_units == null ? null : Number(r.monthly_city_cap_units),
  };
}

/** True when `division` lies inside one of the territories, compared at the rule's level (province or city). */
export function insideTerritory(division: string | null, territories: string[], level: 2 | 4): boolean {
  if (!division) return true; // nowhere to compare: no evidence of diversion
  // codes nest (44 > 4401 > 440103): a territory covers a place when the place's code starts with the
  // territory's code cut to the rule's level (a district territory counts for its whole city at city level)
  return territories.some((t) => division.startsWith(t.slice(0, Math.min(level, t.length))));
}

/** Records an alert for each scan outside its distributor's territory (once per code, distributor and kind). */
export async function checkDiversion(db: Db, tenantId: number, scans: DiversionScan[]): Promise<number> {
  const candidates = scans.filter((s) => s.channelPartyId != null);
  if (!candidates.length) return 0;
  const rules = await diversionRules(db, tenantId);
  const partyIds = [
    ...new Set(candidates.flatMap((s) => [s.channelPartyId as number, ...(s.scannedByPartyId ? [s.scannedByPartyId] : [])])),
  ];
  const [territories, places] = await Promise.all([
    db<{ party_id: number; division_code: string }[]>`
      select party_id, division_code from party_territories where tenant_id = ${tenantId} and party_id = any(${partyIds}::bigint[])`,
    db<
      {
        id: number;
        code: string;
        name: string;
        kind: string;
        district_code: string | null;
        city_code: string | null;
        province_code: string | null;
      }[]
    >`
      select id, code, name, kind, district_code, city_code, province_code from parties where tenant_id = ${tenantId} and id = any(${partyIds}::bigint[])`,
  ]);
  const territoryOf = new Map<number, string[]>();
  for (const t of territories) territoryOf.set(Number(t.party_id), [...(territoryOf.get(Number(t.party_id)) ?? []), t.division_code]);
  const placeOf = new Map(places.map((p) => [Number(p.id), p]));
  const alerts: DiversionScan[] = [];
  const details: { expected: string[]; actual: string | null; evidence: object }[] = [];
  for (const s of candidates) {
    const distributor = s.channelPartyId as number;
    if (rules.exemptPartyIds.includes(distributor)) continue;
    const expected = territoryOf.get(distributor) ?? [];
    if (!expected.length) continue; // a distributor without territories sells anywhere
    const place = s.scannedByPartyId ? placeOf.get(s.scannedByPartyId) : undefined;
    // the store's own supplier chain is not diversion when it is the distributor itself
    if (place && Number(place.id) === distributor) continue;
    const actual = place ? (place.district_code ?? place.city_code ?? place.province_code) : (s.actualDivision ?? null);
    if (insideTerritory(actual, expected, rules.level)) continue;
    const d = placeOf.get(distributor);
    alerts.push(s);
    details.push({
      expected,
      actual,
      evidence: {
        distributor: d ? { id: distributor, code: d.code, name: d.name } : { id: distributor },
        scannedBy: place ? { id: Number(place.id), code: place.code, name: place.name, kind: place.kind } : null,
        level: rules.level,
        units: s.units ?? null,
      },
    });
  }
  if (!alerts.length) return 0;
  const inserted = await db`
    insert into diversion_alerts (tenant_id, epc, gtin, lot, distributor_id, expected_divisions, actual_division, scanned_by_party_id,
      scan_kind, event_id, evidence)
    select ${tenantId}, x.epc, x.gtin, x.lot, x.distributor, string_to_array(x.expected, ','), x.actual, x.scanned_by, x.kind, x.event_id, x.evidence::jsonb
    from unnest(${alerts.map((a) => a.epc)}::text[], ${alerts.map((a) => a.gtin)}::text[], ${alerts.map((a) => a.lot)}::text[],
      ${alerts.map((a) => a.channelPartyId)}::bigint[], ${details.map((d) => d.expected.join(','))}::text[], ${details.map((d) => d.actual)}::text[],
      ${alerts.map((a) => a.scannedByPartyId)}::bigint[], ${alerts.map((a) => a.kind)}::text[], ${alerts.map((a) => a.eventId ?? null)}::bigint[],
      ${details.map((d) => JSON.stringify(d.evidence))}::text[])
      as x(epc, gtin, lot, distributor, expected, actual, scanned_by, kind, event_id, evidence)
    on conflict do nothing`;
  return inserted.count;
}

export interface CityShipment {
  distributorId: number;
  toPartyId: number;
  units: number;
  epc: string;
  at: Date;
}

/**
 * Adds a distributor's shipments to its monthly tally per destination city and raises one alert per
 * distributor, city and month when the tally passes the brand's monthly cap.
 */
export async function checkMonthlyCaps(db: Db, tenantId: number, shipments: CityShipment[]): Promise<number> {
  const rules = await diversionRules(db, tenantId);
  if (!shipments.length) return 0;
  const ids = [...new Set(shipments.map((s) => s.toPartyId))];
  const cities = new Map(
    (
      await db<
        { id: number; city_code: string | null }[]
      >`select id, city_code from parties where tenant_id = ${tenantId} and id = any(${ids}::bigint[])`
    ).map((p) => [Number(p.id), p.city_code]),
  );
  let alerts = 0;
  for (const s of shipments) {
    const city = cities.get(s.toPartyId);
    if (!city || !s.units) continue;
    const month = `${s.at.toISOString().slice(0, 7)}-01`;
    const [tally] = await db<{ units: number }[]>`
      insert into monthly_city_shipments (tenant_id, distributor_id, city_code, month, units)
      values (${tenantId}, ${s.distributorId}, ${city}, ${month}, ${s.units})
      on conflict (tenant_id, distributor_id, city_code, month) do update set units = monthly_city_shipments.units + excluded.units
      returning units::bigint as units`;
    const total = Number(tally?.units ?? 0);
    if (rules.monthlyCityCapUnits == null || total <= rules.monthlyCityCapUnits || rules.exemptPartyIds.includes(s.distributorId)) continue;
    const r = await db`
      insert into diversion_alerts (tenant_id, epc, distributor_id, expected_divisions, actual_division, scan_kind, evidence)
      values (${tenantId}, ${s.epc}, ${s.distributorId}, '{}', ${city}, 'monthly_cap',
        ${db.json({ month, units: total, cap: rules.monthlyCityCapUnits } as never)})
      on conflict do nothing`;
    alerts += r.count;
  }
  return alerts;
}
