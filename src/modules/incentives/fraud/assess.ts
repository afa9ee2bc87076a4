/**
 * The fraud check of a consumer's claim (a reward, a sell-out rebate): on the consumer's hot path, so every read
 * is an index range of one code, one device or one address, bounded by a LIMIT, and sent at once (pipelined).
 */
import type { Tx } from '../../../db/connection.ts';
import { fraudThresholds, recordFlags } from './flags.ts';
import { burst, type FraudFlag, farApart, repeatedScans, type Sighting } from './rules.ts';

export interface ConsumerClaim {
  tenantId: number;
  epc: string;
  deviceId: string | null;
  ipHash: Buffer;
  regionCode: string | null;
  lat?: number | null;
  lng?: number | null;
}

export interface Assessment {
  refuse: boolean;
  flags: FraudFlag[];
}

/**
 * Runs the consumer rules (repeated scans, far-apart sightings, device and address bursts) over the claim, records
 * the flags it raises, and says whether to refuse. The claim's coordinates, if any, are kept for later claims.
 */
export async function assessConsumerClaim(tx: Tx, c: ConsumerClaim): Promise<Assessment> {
  const t = await fraudThresholds(tx, c.tenantId);
  const now = new Date();
  const since = new Date(now.getTime() - t.farHours * 3_600_000);
  const burstSince = new Date(now.getTime() - t.burstMinutes * 60_000);
  const device = c.deviceId;
  const [devices, regions, points, deviceCount, addressCount] = await Promise.all([
    tx<{ n: number }[]>`
      select count(distinct device_id)::int as n from (
        select device_id from consumer_scans where tenant_id = ${c.tenantId} and epc = ${c.epc} and device_id is not null
        order by id desc limit 500) s`,
    tx<{ region_code: string; scanned_at: Date }[]>`
      select region_code, scanned_at from consumer_scans
      where tenant_id = ${c.tenantId} and epc = ${c.epc} and scanned_at >= ${since} and region_code is not null
      order by id desc limit 50`,
    c.lat != null && c.lng != null
      ? tx<{ lat: number; lng: number; observed_at: Date }[]>`
          select lat, lng, observed_at from fraud_observations
          where tenant_id = ${c.tenantId} and epc = ${c.epc} and observed_at >= ${since} order by id desc limit 50`
      : Promise.resolve([]),
    device
      ? tx<{ n: number }[]>`
          select (select count(*) from (select 1 from consumer_scans where tenant_id = ${c.tenantId} and device_id = ${device}
                    and scanned_at >= ${burstSince} limit ${t.burstCount + 1}) a)::int
               + (select count(*) from (select 1 from code_verifications where tenant_id = ${c.tenantId} and device_id = ${device}
                    and verified_at >= ${burstSince} limit ${t.burstCount + 1}) b)::int as n`
      : Promise.resolve([{ n: 0 }]),
    tx<{ n: number }[]>`
      select (select count(*) from (select 1 from consumer_scans where tenant_id = ${c.tenantId} and ip_hash = ${c.ipHash}
                and scanned_at >= ${burstSince} limit ${t.addressBurstCount + 1}) a)::int
           + (select count(*) from (select 1 from code_verifications where tenant_id = ${c.tenantId} and ip_hash = ${c.ipHash}
                and verified_at >= ${burstSince} limit ${t.addressBurstCount + 1}) b)::int as n`,
  ]);
  const earlier: Sighting[] = [
    ...regions.map((r) => ({ at: r.scanned_at, regionCode: r.region_code })),
    ...points.map((p) => ({ at: p.observed_at, lat: p.lat, lng: p.lng })),
  ];
  const flags = [
    repeatedScans(t, c.epc, Number(devices[0]?.n ?? 0)),
    farApart(t, c.epc, { at: now, regionCode: c.regionCode, lat: c.lat, lng: c.lng }, earlier),
    device ? burst(t, 'device', device, Number(deviceCount[0]?.n ?? 0), c.epc) : null,
    burst(t, 'address', c.ipHash.toString('hex'), Number(addressCount[0]?.n ?? 0), c.epc),
  ].filter((f): f is FraudFlag => f !== null);
  if (c.lat != null && c.lng != null)
    await tx`insert into fraud_observations (tenant_id, epc, lat, lng) values (${c.tenantId}, ${c.epc}, ${c.lat}, ${c.lng})`;
  await recordFlags(tx, c.tenantId, flags, now);
  return { refuse: flags.some((f) => f.action === 'refused'), flags };
}
