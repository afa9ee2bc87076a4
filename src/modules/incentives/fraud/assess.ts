/**
 * The fraud check of consumers' claims (a reward, a sell-out rebate): on the consumer's hot path, so every read is an
 * index range of one code, one device or one address, bounded by a LIMIT, and a batch of claims is read in one
 * statement.
 */
import type { Tx } from '../../../db/connection.ts';
import { fraudThresholds, recordFlags } from './flags.ts';
import { burst, type FraudFlag, type FraudThresholds, farApart, repeatedScans, type Sighting } from './rules.ts';

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

/** One claim: assessConsumerClaims of one. */
export async function assessConsumerClaim(tx: Tx, c: ConsumerClaim, now?: Date): Promise<Assessment> {
  const [a] = await assessConsumerClaims(tx, c.tenantId, [c], undefined, now);
  return a as Assessment;
}

/**
 * Runs the consumer rules (repeated scans, far-apart sightings, device and address bursts) over each claim of one
 * brand, records the flags they raise, and says for each whether to refuse. The claims' verifications are already
 * recorded in this transaction: a claim is judged on what came before it and itself, not on the batch's later claims
 * (their rows are counted, then taken off). The claims' coordinates, if any, are kept for later claims.
 */
export async function assessConsumerClaims(
  tx: Tx,
  tenantId: number,
  claims: readonly ConsumerClaim[],
  /** the brand's thresholds when the caller read them already (claim-batch.ts reads them with its other reads) */
  thresholds?: FraudThresholds,
  /** the claims' moment: the business clock's (claim-batch.ts reads it), which is now unless a history player set it */
  now: Date = new Date(),
): Promise<Assessment[]> {
  if (!claims.length) return [];
  const t = thresholds ?? (await fraudThresholds(tx, tenantId));
  const since = new Date(now.getTime() - t.farHours * 3_600_000);
  const burstSince = new Date(now.getTime() - t.burstMinutes * 60_000);
  // how many of the batch's later claims share each claim's device and address
  const laterDevice = claims.map((c, k) => claims.filter((o, j) => j > k && c.deviceId !== null && o.deviceId === c.deviceId).length);
  const ipHex = claims.map((c) => c.ipHash.toString('hex'));
  const laterAddress = claims.map((_, k) => ipHex.filter((h, j) => j > k && h === ipHex[k]).length);
  const inBatchDevice = claims.map((c) => claims.filter((o) => c.deviceId !== null && o.deviceId === c.deviceId).length);
  const inBatchAddress = ipHex.map((h) => ipHex.filter((o) => o === h).length);
  const counts = await tx<{ devices: number; device_n: number; address_n: number }[]>`
    select
      (select count(distinct device_id) from (
        select device_id from consumer_scans where tenant_id = ${tenantId} and epc = q.epc and device_id is not null
        order by id desc limit 500) s)::int as devices,
      (case when q.device is null then 0 else
        (select count(*) from (select 1 from consumer_scans where tenant_id = ${tenantId} and device_id = q.device
           and scanned_at >= ${burstSince} limit ${t.burstCount + 1} + q.device_batch) a)
        + (select count(*) from (select 1 from code_verifications where tenant_id = ${tenantId} and device_id = q.device
           and verified_at >= ${burstSince} limit ${t.burstCount + 1} + q.device_batch) b) end)::int as device_n,
      ((select count(*) from (select 1 from consumer_scans where tenant_id = ${tenantId} and ip_hash = x.ip
          and scanned_at >= ${burstSince} limit ${t.addressBurstCount + 1} + q.address_batch) a)
        + (select count(*) from (select 1 from code_verifications where tenant_id = ${tenantId} and ip_hash = x.ip
          and verified_at >= ${burstSince} limit ${t.addressBurstCount + 1} + q.address_batch) b))::int as address_n
    from unnest(${claims.map((c) => c.epc)}::text[], ${claims.map((c) => c.deviceId)}::uuid[], ${ipHex}::text[],
      ${inBatchDevice}::int[], ${inBatchAddress}::int[]) with ordinality as q(epc, device, ip_hex, device_batch, address_batch, i)
    cross join lateral (select decode(q.ip_hex, 'hex') as ip) x
    order by q.i`;
  // sightings only for claims that say where they are (a region or coordinates): few, read one by one
  const sightings = await Promise.all(claims.map((c) => sightingsOf(tx, tenantId, c, since)));
  const assessments = claims.map((c, k): Assessment => {
    const n = counts[k] ?? { devices: 0, device_n: 0, address_n: 0 };
    const flags = [
      repeatedScans(t, c.epc, Number(n.devices)),
      farApart(t, c.epc, { at: now, regionCode: c.regionCode, lat: c.lat, lng: c.lng }, sightings[k] ?? []),
      c.deviceId ? burst(t, 'device', c.deviceId, Number(n.device_n) - (laterDevice[k] as number), c.epc) : null,
      burst(t, 'address', ipHex[k] as string, Number(n.address_n) - (laterAddress[k] as number), c.epc),
    ].filter((f): f is FraudFlag => f !== null);
    return { refuse: flags.some((f) => f.action === 'refused'), flags };
  });
  const located = claims.filter((c) => c.lat != null && c.lng != null);
  if (located.length) {
    await tx`
      insert into fraud_observations (tenant_id, epc, lat, lng)
      select ${tenantId}, * from unnest(${located.map((c) => c.epc)}::text[], ${located.map((c) => c.lat as number)}::float8[],
        ${located.map((c) => c.lng as number)}::float8[])`;
  }
  await recordFlags(
    tx,
    tenantId,
    assessments.flatMap((a) => a.flags),
    now,
  );
  return assessments;
}

async function sightingsOf(tx: Tx, tenantId: number, c: ConsumerClaim, since: Date): Promise<Sighting[]> {
  const [regions, points] = await Promise.all([
    c.regionCode
      ? tx<{ region_code: string; scanned_at: Date }[]>`
          select region_code, scanned_at from consumer_scans
          where tenant_id = ${tenantId} and epc = ${c.epc} and scanned_at >= ${since} and region_code is not null
          order by id desc limit 50`
      : Promise.resolve([]),
    c.lat != null && c.lng != null
      ? tx<{ lat: number; lng: number; observed_at: Date }[]>`
          select lat, lng, observed_at from fraud_observations
          where tenant_id = ${tenantId} and epc = ${c.epc} and observed_at >= ${since} order by id desc limit 50`
      : Promise.resolve([]),
  ]);
  return [
    ...regions.map((r) => ({ at: r.scanned_at, regionCode: r.region_code })),
    ...points.map((p) => ({ at: p.observed_at, lat: p.lat, lng: p.lng })),
  ];
}
