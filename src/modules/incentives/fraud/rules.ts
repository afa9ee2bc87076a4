/**
 * Fraud rules, pure: each takes the thresholds and the facts the caller read (by index) and says whether a claim,
 * a scan or a clerk's sale raises a flag, with the evidence and the action (refused or only flagged).
 */

export const FRAUD_RULES = ['repeat_scans', 'far_apart', 'device_burst', 'address_burst', 'clerk_undelivered'] as const;
export type FraudRule = (typeof FRAUD_RULES)[number];
export type SubjectKind = 'code' | 'device' | 'address' | 'clerk' | 'store';
export type FraudAction = 'refused' | 'flagged';

export interface FraudFlag {
  rule: FraudRule;
  subjectKind: SubjectKind;
  subject: string;
  epc: string | null;
  action: FraudAction;
  evidence: Record<string, unknown>;
}

export interface FraudThresholds {
  /** a code scanned by more than this many distinct consumer devices */
  repeatDevices: number;
  repeatAction: FraudAction;
  /** two scans of a code in different provinces, or more than farKm apart, within farHours */
  farHours: number;
  farKm: number;
  farAction: FraudAction;
  /** more than burstCount consumer scans and verifications from one device (or address) within burstMinutes */
  burstCount: number;
  burstMinutes: number;
  burstAction: FraudAction;
  /** an address is shared by many people (a campus, a mobile carrier's NAT): its own, higher limit */
  addressBurstCount: number;
}

export const DEFAULT_THRESHOLDS: FraudThresholds = {
  repeatDevices: 5,
  repeatAction: 'refused',
  farHours: 6,
  farKm: 300,
  farAction: 'refused',
  burstCount: 20,
  burstMinutes: 10,
  burstAction: 'refused',
  addressBurstCount: 100,
};

/** Great-circle distance in km (haversine, mean Earth radius 6371 km). */
export function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A code seen by more distinct devices than a single buyer's household would have. */
export function repeatedScans(t: FraudThresholds, epc: string, distinctDevices: number): FraudFlag | null {
  if (distinctDevices <= t.repeatDevices) return null;
  return {
    rule: 'repeat_scans',
    subjectKind: 'code',
    subject: epc,
    epc,
    action: t.repeatAction,
    evidence: { distinctDevices, limit: t.repeatDevices },
  };
}

export interface Sighting {
  at: Date;
  regionCode?: string | null;
  lat?: number | null;
  lng?: number | null;
}

/**
 * The same code in two far-apart places within a short time (a copied label): a recent sighting in another province
 * (by division code), or more than farKm away by coordinates. Sightings older than farHours are not evidence.
 */
export function farApart(t: FraudThresholds, epc: string, now: Sighting, earlier: Sighting[]): FraudFlag | null {
  const since = now.at.getTime() - t.farHours * 3_600_000;
  for (const s of earlier) {
    if (s.at.getTime() < since) continue;
    if (now.regionCode && s.regionCode && now.regionCode.slice(0, 2) !== s.regionCode.slice(0, 2)) {
      return {
        rule: 'far_apart',
        subjectKind: 'code',
        subject: epc,
        epc,
        action: t.farAction,
        evidence: { region: now.regionCode, earlierRegion: s.regionCode, earlierAt: s.at.toISOString(), withinHours: t.farHours },
      };
    }
    if (now.lat != null && now.lng != null && s.lat != null && s.lng != null) {
      const km = haversineKm({ lat: now.lat, lng: now.lng }, { lat: s.lat, lng: s.lng });
      if (km > t.farKm)
        return {
          rule: 'far_apart',
          subjectKind: 'code',
          subject: epc,
          epc,
          action: t.farAction,
          evidence: { km: Math.round(km), limitKm: t.farKm, earlierAt: s.at.toISOString(), withinHours: t.farHours },
        };
    }
  }
  return null;
}

/** Too many consumer scans and verifications from one device or one address in the window. */
export function burst(
  t: FraudThresholds,
  kind: 'device' | 'address',
  subject: string,
  count: number,
  epc: string | null,
): FraudFlag | null {
  const limit = kind === 'device' ? t.burstCount : t.addressBurstCount;
  if (count <= limit) return null;
  return {
    rule: kind === 'device' ? 'device_burst' : 'address_burst',
    subjectKind: kind,
    subject,
    epc,
    action: t.burstAction,
    evidence: { count, limit, minutes: t.burstMinutes },
  };
}

/** A clerk scanning as sold units that were never delivered to the clerk's store: the bonus is refused. */
export function clerkUndelivered(clerk: { id: number; name: string }, storeId: number, epcs: string[]): FraudFlag | null {
  if (!epcs.length) return null;
  return {
    rule: 'clerk_undelivered',
    subjectKind: 'clerk',
    subject: String(clerk.id),
    epc: epcs[0] ?? null,
    action: 'refused',
    evidence: { clerk: clerk.name, storeId, codes: epcs.slice(0, 20), count: epcs.length },
  };
}

/** Thresholds from a tenant's stored settings over the defaults (unknown keys and wrong types are ignored). */
export function thresholdsOf(stored: Record<string, unknown> | null | undefined): FraudThresholds {
  const t: FraudThresholds = { ...DEFAULT_THRESHOLDS };
  if (!stored) return t;
  for (const k of Object.keys(DEFAULT_THRESHOLDS) as (keyof FraudThresholds)[]) {
    const v = stored[k];
    if (k.endsWith('Action')) {
      if (v === 'refused' || v === 'flagged') (t as unknown as Record<string, unknown>)[k] = v;
    } else if (typeof v === 'number' && Number.isFinite(v) && v > 0) (t as unknown as Record<string, unknown>)[k] = v;
  }
  return t;
}
