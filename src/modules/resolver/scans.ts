/**
 * Consumer scans and verifications, recorded with as little personal data as serves the verdict: a salted hash of
 * the address (never the address), the first-party device cookie, the region only if the client sent one.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { oneRoundTripTransaction } from '../../db/pipelined.ts';
import { Coalescer } from '../../platform/coalescer.ts';

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

/** The earlier checks of a code by someone else (recordOne says who counts): how many, the first when and where. */
export interface PriorScans {
  count: number;
  firstAt: Date | null;
  firstRegionCode: string | null;
}

/** What the unit is, as far as a verdict goes: not found, found under an active recall, or found. */
export type Standing = 'unknown' | 'recalled' | 'genuine';

export interface ScanToRecord {
  tenantId: number;
  epc: string;
  who: Requester;
  standing: Standing;
}

export interface RecordedScan {
  verdict: Verdict;
  /** the earlier scans of the code by other devices (recordOne) */
  prior: PriorScans;
}

/**
 * Records a scan with its verdict and returns the earlier scans of the code, in one statement (its CTEs read the
 * snapshot from before its own insert, so the new row is not among them). Counted are the checks by someone else:
 * the requesting device's own earlier scans are not (a consumer's reload, or the page's language link, is still the
 * first check), another device's scans are one check however often it reloaded, and a scan without a device id is
 * one check of another's; a request without a device id counts every earlier scan. The first when and where are
 * those of the earliest scan counted. Earlier scans that found the code unknown (a forged lot in the link, a code not
 * on a product yet) were not checks of this unit and are not counted. The earlier scans are read by the primary key
 * (tenant_id, epc, id); the verdict and device are filters on those few rows.
 */
export async function recordOne(sql: Db, s: ScanToRecord): Promise<RecordedScan> {
  const [r] = await sql<{ n: number; first_at: Date | null; first_region: string | null; verdict: Verdict }[]>`
    with prior as (
      select case when ${s.who.deviceId}::uuid is null then count(*)
          else count(distinct device_id) + count(*) filter (where device_id is null) end::int as n,
        min(scanned_at) as first_at, (array_agg(region_code order by scanned_at, id))[1] as first_region
      from consumer_scans where tenant_id = ${s.tenantId} and epc = ${s.epc} and verdict <> 'unknown'
        and coalesce(device_id <> ${s.who.deviceId}::uuid, true)
    ), verdict as (
      select case ${s.standing}::text when 'unknown' then 'unknown' when 'recalled' then 'recalled'
        else case when prior.n = 0 then 'genuine_first' else 'genuine_repeat' end end as verdict
      from prior
    ), ins as (
      insert into consumer_scans (tenant_id, epc, verdict, ip_hash, device_id, region_code)
      select ${s.tenantId}, ${s.epc}, verdict.verdict, ${s.who.ipHash}, ${s.who.deviceId}, ${s.who.regionCode} from verdict
    )
    select prior.*, verdict.verdict from prior, verdict`;
  const prior: PriorScans = { count: r?.n ?? 0, firstAt: r?.first_at ?? null, firstRegionCode: r?.first_region ?? null };
  return { verdict: (r?.verdict ?? 'unknown') as Verdict, prior };
}

/**
 * Scans are recorded by group commit (platform/coalescer.ts): the scans that arrive while a commit is in flight go
 * into the next transaction together, their statements pipelined in arrival order (so two devices' scans of one code
 * in one batch still count each other), and one commit (asynchronous: see recordBatch) ends them before any is
 * answered. One batch at a
 * time: on one node, scans of a code never miss each other (across nodes, two at the same instant may both see none).
 */
export class ScanRecorder {
  private readonly batcher: Coalescer<ScanToRecord, RecordedScan>;

  constructor(private readonly sql: Sql) {
    this.batcher = new Coalescer((batch) => this.recordBatch(batch), { maxBatch: 100, maxInFlight: 1 });
  }

  record(tenantId: number, epc: string, who: Requester, standing: Standing): Promise<RecordedScan> {
    return this.batcher.submit({ tenantId, epc, who, standing });
  }

  private async recordBatch(batch: ScanToRecord[]): Promise<RecordedScan[]> {
    try {
      // begin, the scans and commit in one round trip: a scan waits for the batch before it (one in flight) and its own.
      // The commit does not wait for the WAL to reach the disk (docs/ARCHITECTURE.md, "Consumer scans commit
      // asynchronously"): a scan is an observation, not money; a crash of the database may forget the last ~0.6 s of
      // them, never half of one, and the page is answered without a disk flush. Claims and verifications stay durable.
      const answers = await oneRoundTripTransaction(this.sql, (tx) => [
        tx`set local synchronous_commit = off`.then(() => null),
        ...batch.map((s) => recordOne(tx, s)),
      ]);
      return answers.slice(1) as RecordedScan[];
    } catch {
      // one bad scan must not fail the others: each again on its own
      return Promise.all(batch.map((s) => recordOne(this.sql, s)));
    }
  }
}

/** Records that the hidden verification code of a code was given correctly (what a reward will require). */
export async function recordVerification(sql: Db, tenantId: number, epc: string, who: Requester): Promise<void> {
  await recordVerifications(sql, tenantId, [{ epc, ...who }]);
}

/** recordVerification for many codes of one brand at once (a batch of claims), in one statement. */
export async function recordVerifications(
  sql: Db,
  tenantId: number,
  verified: readonly { epc: string; ipHash: Buffer; deviceId: string | null }[],
): Promise<void> {
  await sql`
    insert into code_verifications (tenant_id, epc, ip_hash, device_id)
    select ${tenantId}, q.epc, decode(q.ip, 'hex'), q.device
    from unnest(${verified.map((v) => v.epc)}::text[], ${verified.map((v) => v.ipHash.toString('hex'))}::text[],
      ${verified.map((v) => v.deviceId)}::uuid[]) as q(epc, ip, device)`;
}
