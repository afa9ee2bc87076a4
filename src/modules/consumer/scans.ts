/**
 * Consumer scans and verifications, recorded with as little personal data as serves the verdict: a salted hash of
 * the address (never the address), the first-party device cookie, the region only if the client sent one.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../../context.ts';

export type Verdict = 'genuine_first' | 'genuine_repeat' | 'recalled' | 'unknown';

export interface Requester {
  /** salted hash of the client address */
  ipHash: Buffer;
  /** the first-party device cookie (a random UUID), if any */
  deviceId: string | null;
  /** a division code the client sent (its province, city or district), already checked */
  regionCode: string | null;
}

/** Hashes client addresses with a salt derived from the server's master key: stable per server, not reversible from the database. */
export function addressHasher(masterKey: Buffer): (ip: string) => Buffer {
  const salt = createHmac('sha256', masterKey).update('throughline consumer address salt v1').digest();
  return (ip) => createHmac('sha256', salt).update(ip).digest().subarray(0, 16);
}

export interface PriorScans {
  count: number;
  firstAt: Date | null;
  firstRegionCode: string | null;
}

/**
 * Reads the earlier scans of the code (those that found it genuine or recalled: a scan that found the printed lot
 * or the code unknown was not a check of this unit), decides the verdict from them and records this scan with it.
 */
export async function recordScan(sql: Db, tenantId: number, epc: string, who: Requester, verdictOf: (prior: PriorScans) => Verdict) {
  const [prior] = await sql<{ n: number; first_at: Date | null; first_region: string | null }[]>`
    select count(*)::int as n, min(scanned_at) as first_at,
      (array_agg(region_code order by scanned_at, id))[1] as first_region
    from consumer_scans where tenant_id = ${tenantId} and epc = ${epc} and verdict <> 'unknown'`;
  const p: PriorScans = { count: prior?.n ?? 0, firstAt: prior?.first_at ?? null, firstRegionCode: prior?.first_region ?? null };
  const verdict = verdictOf(p);
  await sql`insert into consumer_scans (tenant_id, epc, verdict, ip_hash, device_id, region_code)
    values (${tenantId}, ${epc}, ${verdict}, ${who.ipHash}, ${who.deviceId}, ${who.regionCode})`;
  return { verdict, prior: p };
}

/** Records that the hidden verification code of a code was given correctly (what a reward will require). */
export async function recordVerification(sql: Db, tenantId: number, epc: string, who: Requester): Promise<void> {
  await sql`insert into code_verifications (tenant_id, epc, ip_hash, device_id) values (${tenantId}, ${epc}, ${who.ipHash}, ${who.deviceId})`;
}
