/**
 * Consumers' claims with a right hidden code, decided together: the claims that arrive while a batch is in flight
 * go into the next one (platform/coalescer.ts), and one transaction then does for all of them what one claim needs
 * — the code's state and recall, the throttle read, the verification recorded, the fraud check (with the sell-out rebate when a program runs),
 * the consumer of each device found or made, and every active campaign's decision — in a dozen set-based statements
 * and one commit, instead of some twenty statements and three commits per claim; in four round trips (reads; the
 * verifications with the fraud check and the campaigns' reads; the consumers; the writes with the commit). Each claim
 * is still decided as if it ran alone, in arrival order (claim.ts, claim-allocation.ts, fraud/assess.ts). At most
 * two batches at a time per node.
 *
 * A batch whose shared campaign figures moved past a limit before its commit (claim.ts: the figures are read unlocked
 * and written back under guards) is decided again as a whole with those figures locked. A batch that fails otherwise
 * (a deadlock with another node, say) is tried again one claim at a time, so one bad claim does not fail the others.
 */
import type { Sql, Tx } from '../../db/connection.ts';
import { reservedTransaction } from '../../db/pipelined.ts';
import { Coalescer } from '../../platform/coalescer.ts';
import { recordClaimBatchRedecided } from '../../platform/metrics.ts';
import { consumersFor, consumersOf } from '../consumers/index.ts';
import { OUT_OF_CIRCULATION } from '../resolver/resolve.ts';
import { recordVerification, recordVerifications } from '../resolver/scans.ts';
import { type Subjects, type ThrottleLimits, type ThrottleScope, throttledMany } from '../resolver/throttle.ts';
import { activePrograms } from './channel/programs.ts';
import { payOnVerification } from './channel/sellout.ts';
import {
  activeCampaigns,
  type ClaimResult,
  type ClaimsPrefetch,
  claimCodes,
  isFiguresMoved,
  prefetchClaims,
  type SharedFigures,
} from './claim.ts';
import { ClaimPlanMode } from './claim-plans.ts';
import { type Assessment, assessConsumerClaims } from './fraud/assess.ts';
import { fraudThresholds } from './fraud/flags.ts';

export interface VerifiedClaim {
  tenantId: number;
  epc: string;
  gtin: string;
  /** the device cookie */
  deviceId: string;
  /** its identifier hash (consumers module) */
  deviceHash: Buffer;
  ipHash: Buffer;
  /** what the throttle counts the try under */
  subjects: Subjects;
  /** where the phone said it was, if the consumer allowed it (the fraud rules' distance check) */
  lat?: number | null;
  lng?: number | null;
}

export type ClaimAnswer =
  /** the code is not on a product (or no longer in circulation): the caller refuses it as an unknown code */
  | { kind: 'unknown' }
  /** the code's lot is under an active recall */
  | { kind: 'recalled' }
  | { kind: 'throttled'; scope: ThrottleScope; retryAfter: number }
  | { kind: 'fraud_refused'; rules: string[] }
  /** `tenantId`: the code's brand (the answer links to the consumer's page of that brand, /m/account?brand=) */
  | { kind: 'claimed'; tenantId: number; results: ClaimResult[] };

export class ClaimProcessor {
  private readonly batcher: Coalescer<VerifiedClaim, ClaimAnswer>;
  private readonly onRedecided: () => void;
  private readonly plans: ClaimPlanMode;

  constructor(
    private readonly sql: Sql,
    private readonly limits: ThrottleLimits,
    options: { maxBatch?: number; maxInFlight?: number; onRedecided?: () => void } = {},
  ) {
    this.onRedecided = options.onRedecided ?? recordClaimBatchRedecided;
    this.plans = new ClaimPlanMode(sql);
    // two batches in flight: one decides while the next fills. More only made the batches smaller and each claim
    // dearer (a batch's dozen statements and commit are shared by fewer claims): at 2,500 claims/s offered, 2 served
    // 2,362/s, 4 served 2,072/s (docs/BENCHMARKS.md, claims)
    this.batcher = new Coalescer((batch) => this.run(batch), { maxBatch: options.maxBatch ?? 200, maxInFlight: options.maxInFlight ?? 2 });
  }

  claim(c: VerifiedClaim): Promise<ClaimAnswer> {
    return this.batcher.submit(c);
  }

  /** batches run and claims served (average batch size = requests / batches) */
  get stats(): { batches: number; requests: number } {
    return this.batcher.stats;
  }

  private async run(batch: VerifiedClaim[]): Promise<ClaimAnswer[]> {
    const plans = this.plans.customPlans() ? 'custom' : 'cached-by-index';
    const decideAll = (claims: VerifiedClaim[], figures: SharedFigures) =>
      reservedTransaction(this.sql, (tx, begun) => processClaims(tx, begun, this.limits, claims, figures), { plans });
    try {
      try {
        return await decideAll(batch, 'guarded');
      } catch (err) {
        if (!isFiguresMoved(err)) throw err;
        this.onRedecided();
        return await decideAll(batch, 'locked');
      }
    } catch (err) {
      if (batch.length === 1) throw err;
      // each claim again on its own: one that fails again is answered with its own error
      return Promise.all(batch.map((c) => decideAll([c], 'locked').then((r) => r[0] as ClaimAnswer)));
    }
  }
}

/** The whole batch in the caller's transaction, brand by brand. */
async function processClaims(
  tx: Tx,
  begun: Promise<unknown>,
  limits: ThrottleLimits,
  batch: readonly VerifiedClaim[],
  figures: SharedFigures,
): Promise<ClaimAnswer[]> {
  const answers: ClaimAnswer[] = new Array(batch.length);
  const tenants = new Map<number, number[]>();
  batch.forEach((c, k) => {
    tenants.set(c.tenantId, [...(tenants.get(c.tenantId) ?? []), k]);
  });
  for (const [tenantId, indexes] of tenants) {
    const claims = indexes.map((k) => batch[k] as VerifiedClaim);
    const decided = await processBrand(tx, begun, limits, tenantId, claims, figures);
    indexes.forEach((k, j) => {
      answers[k] = decided[j] as ClaimAnswer;
    });
  }
  return answers;
}

async function processBrand(
  tx: Tx,
  begun: Promise<unknown>,
  limits: ThrottleLimits,
  tenantId: number,
  claims: readonly VerifiedClaim[],
  figures: SharedFigures,
): Promise<ClaimAnswer[]> {
  const answers: (ClaimAnswer | null)[] = claims.map(() => null);
  // everything that needs only the claims is read at once (one round trip): the codes' state (on a product, in
  // circulation, not under a recall), the throttle, the brand's programs, fraud thresholds and active campaigns,
  // and the consumers the devices already are
  const [, [clock], states, stops, sellout, thresholds, campaigns, known] = await Promise.all([
    begun,
    // the claims' moment: now, or the business clock's when a history player set one (migration 0041), as every
    // date the batch writes is; the campaigns' windows and the fraud check's are judged at it
    tx<{ now: Date }[]>`select business_now() as now`,
    tx<{ status: string | null; recalled: boolean }[]>`
      select c.status, exists (select 1 from recalls r where r.tenant_id = c.tenant_id and r.gtin = c.gtin and r.lot = c.lot and r.active) as recalled
      from unnest(${claims.map((c) => c.epc)}::text[]) with ordinality as q(epc, i)
      left join code_state c on c.tenant_id = ${tenantId} and c.epc = q.epc
      order by q.i`,
    // a code, device or address over its limit is refused even with the right code
    throttledMany(
      tx,
      claims.map((c) => c.subjects),
      limits,
    ),
    activePrograms(tx, tenantId, ['sellout_rebate']),
    fraudThresholds(tx, tenantId),
    activeCampaigns(tx, tenantId),
    consumersOf(
      tx,
      tenantId,
      'device',
      claims.map((c) => c.deviceHash),
    ),
  ]);
  states.forEach((st, k) => {
    if (st.status === null || OUT_OF_CIRCULATION.has(st.status)) answers[k] = { kind: 'unknown' };
    else if (st.recalled) answers[k] = { kind: 'recalled' };
    else if (stops[k]) answers[k] = { kind: 'throttled', ...(stops[k] as { scope: ThrottleScope; retryAfter: number }) };
  });
  const open = claims.flatMap((_, k) => (answers[k] ? [] : [k]));
  if (!open.length) return answers as ClaimAnswer[];
  // a proven purchase: recorded, with the sell-out rebate of the store and distributor (动销返利) and the fraud check;
  // the flags the check raises are kept even when it refuses the claim
  const who = open.map((k) => {
    const c = claims[k] as VerifiedClaim;
    return { tenantId, epc: c.epc, deviceId: c.deviceId, ipHash: c.ipHash, regionCode: null, lat: c.lat ?? null, lng: c.lng ?? null };
  });
  const now = clock?.now ?? new Date();
  let assessments: Assessment[];
  let prefetched: ClaimsPrefetch | undefined;
  if (sellout.length) {
    // a sell-out program pays per claim: each in turn, as the resolver's /verify does
    assessments = [];
    for (const w of who) {
      await recordVerification(tx, tenantId, w.epc, w);
      const paid = await payOnVerification(tx, w, now);
      assessments.push(paid.assessment ?? ((await assessConsumerClaims(tx, tenantId, [w], thresholds, now))[0] as Assessment));
    }
  } else {
    // recorded, then counted, and the campaigns' first reads made ahead for every claim the check may let through
    // (the connection runs them in this order; one round trip)
    [, assessments, prefetched] = await Promise.all([
      recordVerifications(tx, tenantId, who),
      assessConsumerClaims(tx, tenantId, who, thresholds, now),
      campaigns.length
        ? prefetchClaims(
            tx,
            tenantId,
            who.map((w) => w.epc),
            campaigns,
            figures,
          )
        : undefined,
    ]);
  }
  const allowed: number[] = [];
  open.forEach((k, j) => {
    const a = assessments[j] as Assessment;
    if (a.refuse)
      answers[k] = { kind: 'fraud_refused', rules: [...new Set(a.flags.filter((f) => f.action === 'refused').map((f) => f.rule))] };
    else allowed.push(k);
  });
  if (!allowed.length) return answers as ClaimAnswer[];
  const consumerIds = await consumersFor(
    tx,
    tenantId,
    'device',
    allowed.map((k) => (claims[k] as VerifiedClaim).deviceHash),
    'cookie',
    allowed.map((k) => known[k] ?? null),
  );
  const results = await claimCodes(
    tx,
    tenantId,
    allowed.map((k, j) => {
      const c = claims[k] as VerifiedClaim;
      return { epc: c.epc, gtin: c.gtin, consumerId: consumerIds[j] as number, deviceId: c.deviceId };
    }),
    campaigns,
    figures,
    prefetched,
    now,
  );
  allowed.forEach((k, j) => {
    answers[k] = { kind: 'claimed', tenantId, results: results[j] as ClaimResult[] };
  });
  return answers as ClaimAnswer[];
}
