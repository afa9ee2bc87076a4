/**
 * Consumers' claims of scanned codes (whose hidden verification codes were already checked), decided a batch at a
 * time in the caller's transaction: every active campaign of the brand is tried for each claim, and each campaign
 * decides its claims in arrival order exactly as if each had run alone (claim-allocation.ts), so one campaign's
 * refusal leaves another's reward and a refused claim counts nothing.
 *
 * A claim's chance in a campaign is guarded by a transaction-scoped advisory lock on (campaign, code), taken for the
 * whole batch before the ledger is read: a claim of the same code in another transaction waits for this one and then
 * finds its row, so a retried or simultaneous claim returns the first answer and pays nothing (two claims of one code
 * in one batch are decided in two rounds, the second seeing the first's row). Then, for one campaign, in this order
 * (the order of the row locks, the same in staff edits: no deadlock):
 * 1. the consumers' counters (per-person caps), each row locked when the campaign has caps;
 * 2. the coupons the batch may give, taken from the pool (skip locked);
 * 3. the rows every claim of the campaign shares: the tiers, the campaign's totals and the day's figures, read
 *    without a lock (see below);
 * 4. what the allocation decided is written: counters, one ledger row per claim that used its chance (a prize or a
 *    draw without one; refused claims leave none), points booked into the consumers' points, one-more tickets; the
 *    shared figures under guards that fail the batch if a figure would pass its limit.
 * The shared rows are every claimant's: a batch that locked them in step 3 held them across its round trips and its
 * decision in the application until its commit, and under a rush the other batches queued on them (5.5 ms a batch,
 * half of the claims' possible throughput; docs/BENCHMARKS.md, claims). So a batch first decides on the figures as
 * read, and writes them back with its commit, each guarded (`claim_figures_hold`, migration 0034): the row locks are
 * then held only from those writes to the commit, within one round trip. The figures only grow, so when every guard
 * holds, each decision is the one the batch would have made on the figures as they are at its commit (a prize given
 * on smaller figures fits in larger ones that still hold the whole batch; a refusal on smaller figures stands on
 * larger ones). When a guard fails (another batch took what this one counted on: a budget about to run out), the
 * batch is rolled back and decided again with the shared rows locked in step 3 (`FiguresMoved`, claim-batch.ts).
 */
import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../../context.ts';
import { untilCommit } from '../../db/pipelined.ts';
import { bookPointsMany, firstSeenOf } from '../consumers/index.ts';
import { issueOneMoreTicket } from './channel/one-more.ts';
import {
  allocate,
  type CampaignState,
  type Candidate,
  type Decision,
  type Participation,
  type RewardGiven,
  type TierState,
} from './claim-allocation.ts';
import { type CampaignStatus, PPM, tierFor } from './definition.ts';
import { type Ineligibility, ineligibility } from './eligibility.ts';

export type { RewardGiven } from './claim-allocation.ts';

export interface Claimant {
  epc: string;
  gtin: string;
  consumerId: number;
  /** the device cookie the claim came with */
  deviceId: string;
}

export type CampaignOutcome =
  | { outcome: 'won'; reward: RewardGiven }
  | { outcome: 'no_prize' }
  /** the code's chance in this campaign was used by another consumer */
  | { outcome: 'claimed_by_other' }
  | { outcome: 'not_eligible'; reason: Ineligibility }
  | { outcome: 'cap_reached'; cap: 'daily' | 'total' }
  | { outcome: 'budget_exhausted' };

/**
 * How a batch treats the rows its claimants share (tiers, campaign totals, the day's figures): read as they are and
 * written back under guards at the commit (`guarded`, the usual way), or locked when read (`locked`, the way a batch
 * is decided again after a guard failed). See the file's comment.
 */
export type SharedFigures = 'guarded' | 'locked';

/** The error of a guard that failed (SQLSTATE TL409, migration 0034): the batch is to be decided again, `locked`. */
export function isFiguresMoved(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'TL409';
}

export type ClaimResult = CampaignOutcome & { campaignId: number; campaignName: string; repeated: boolean };

export interface ActiveCampaign {
  id: string;
  name: string;
  status: CampaignStatus;
  reward_type: 'points' | 'lottery' | 'coupon';
  points: number | null;
  coupon_title: string | null;
  starts_at: Date;
  ends_at: Date;
  gtins: string[] | null;
  regions: string[] | null;
  first_scan_only: boolean;
  new_members_only: boolean;
  per_consumer_daily: number | null;
  per_consumer_total: number | null;
  tiers_ppm: number[] | null;
  spent: boolean;
}

interface LedgerRow {
  campaign_id: string;
  epc: string;
  consumer_id: string;
  kind: 'points' | 'red_packet' | 'coupon' | 'one_more' | 'none';
  amount_fen: string;
  points: number;
  coupon_code: string | null;
  tier_name: string | null;
  coupon_title: string | null;
}

/** The answer a ledger row gives: the first answer, for a retry by the same consumer. */
function answerOf(r: LedgerRow): CampaignOutcome {
  if (r.kind === 'none') return { outcome: 'no_prize' };
  const reward: RewardGiven =
    r.kind === 'points'
      ? { kind: 'points', points: r.points }
      : r.kind === 'red_packet' || r.kind === 'one_more'
        ? { kind: r.kind, amountFen: Number(r.amount_fen), tierName: r.tier_name ?? undefined }
        : { kind: 'coupon', couponCode: r.coupon_code ?? undefined, couponTitle: r.coupon_title ?? undefined };
  return { outcome: 'won', reward };
}

function priorAnswer(prior: LedgerRow, consumerId: number): CampaignOutcome & { repeated: true } {
  return Number(prior.consumer_id) === consumerId
    ? { ...answerOf(prior), repeated: true }
    : { outcome: 'claimed_by_other', repeated: true };
}

/**
 * The brand's day in China at the transaction's start (now() is the transaction's; the business clock's when a history
 * player set one, migration 0041), as a fragment of a statement.
 */
const chinaToday = (tx: Db) => tx`(business_now() at time zone 'Asia/Shanghai')::date`;

const keyOf = (campaignId: number | string, epc: string) => `${campaignId}|${epc}`;

/**
 * The ledger rows of these codes in these campaigns, read code by code: a code has a row in a few campaigns at most,
 * and the reward key leads with the code (migration 0032). Each code is its own probe of that key (a lateral fenced by
 * `offset 0`): as one `epc = any(...)` joined to the campaigns, the planner, on statistics from before a rush of
 * claims ("one row"), walked the campaigns and read every reward of each by its campaign index, filtering on the code:
 * 3-8 ms a batch after 4,000 rewards, a third of the database's time in a claim rush (docs/BENCHMARKS.md, claims).
 */
async function ledgerRowsOf(tx: Db, tenantId: number, epcs: string[], campaignIds: number[]): Promise<Map<string, LedgerRow>> {
  const rows = await tx<LedgerRow[]>`
    select r.campaign_id, r.epc, r.consumer_id, r.kind, r.amount_fen, r.points, r.coupon_code, t.name as tier_name, c.coupon_title
    from unnest(${epcs}::text[]) as q(epc)
    cross join lateral (select * from campaign_rewards r where r.tenant_id = ${tenantId} and r.epc = q.epc offset 0) r
    join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
    left join campaign_tiers t on t.tenant_id = r.tenant_id and t.campaign_id = r.campaign_id and t.tier = r.tier`;
  const wanted = new Set(campaignIds.map(String));
  return new Map(rows.filter((r) => wanted.has(String(r.campaign_id))).map((r) => [keyOf(r.campaign_id, r.epc), r]));
}

interface EligibilityFacts {
  regionCode: string | null;
  firstScan: boolean;
  consumerCreatedAt: Date;
}

/** What eligibility is judged on, per claim, read once for the batch (only when a campaign has such a rule). */
async function claimFacts(tx: Db, tenantId: number, claims: readonly Claimant[]): Promise<EligibilityFacts[]> {
  // sent together on the transaction's connection: one round trip
  const [rows, firstSeen] = await Promise.all([
    tx<{ i: string; region: string | null; first_device: string | null; scanned: boolean }[]>`
      select q.i,
        (select coalesce(p.district_code, p.city_code, p.province_code)
          from code_state s
          left join parties h on h.tenant_id = s.tenant_id and h.id = s.holder_party_id and h.kind in ('distributor', 'store')
          left join parties p on p.tenant_id = s.tenant_id and p.id = coalesce(s.channel_party_id, s.in_transit_to, h.id)
          where s.tenant_id = ${tenantId} and s.epc = q.epc) as region,
        first.device_id::text as first_device, coalesce(first.scanned, false) as scanned
      from unnest(${claims.map((c) => c.epc)}::text[]) with ordinality as q(epc, i)
      left join lateral (
        select device_id, true as scanned from consumer_scans
        where tenant_id = ${tenantId} and epc = q.epc and verdict <> 'unknown' order by scanned_at, id limit 1
      ) first on true
      order by q.i`,
    firstSeenOf(
      tx,
      tenantId,
      claims.map((c) => c.consumerId),
    ),
  ]);
  return claims.map((c, k) => {
    const f = rows[k];
    return {
      regionCode: f?.region ?? null,
      firstScan: !f?.scanned || f.first_device === c.deviceId,
      consumerCreatedAt: firstSeen.get(c.consumerId) ?? new Date(),
    };
  });
}

/**
 * Applies every active campaign of the brand to each claim of the batch, in the caller's transaction; a claim's list
 * is empty when the brand runs none. Claims of the same code are decided in rounds, each seeing the one before.
 */
export async function claimCodes(
  tx: Db,
  tenantId: number,
  claims: readonly Claimant[],
  /** activeCampaigns, read by the caller with its other reads */
  campaigns: readonly ActiveCampaign[],
  figures: SharedFigures = 'guarded',
  /** what prefetchClaims read for these claims, sent by the caller with its earlier statements */
  prefetched?: ClaimsPrefetch,
  /** the claims' moment, campaigns' windows are judged at: the business clock's (claim-batch.ts reads it) */
  now: Date = new Date(),
): Promise<ClaimResult[][]> {
  const answers: ClaimResult[][] = claims.map(() => []);
  if (!campaigns.length) return answers;
  let pending = claims.map((_, k) => k);
  let first = true;
  while (pending.length) {
    const seen = new Set<string>();
    const round: number[] = [];
    const later: number[] = [];
    for (const k of pending) {
      const epc = (claims[k] as Claimant).epc;
      if (seen.has(epc)) later.push(k);
      else {
        seen.add(epc);
        round.push(k);
      }
    }
    const results = await claimRound(
      tx,
      tenantId,
      campaigns,
      round.map((k) => claims[k] as Claimant),
      figures,
      // a later round (the same code again) reads afresh: it must see what the first one wrote
      first ? prefetched : undefined,
      now,
    );
    round.forEach((k, j) => {
      answers[k] = results[j] as ClaimResult[];
    });
    pending = later;
    first = false;
  }
  return answers;
}

/** The brand's active campaigns, as a claim is decided on them (a prize's write checks the status again at the commit). */
export async function activeCampaigns(tx: Db, tenantId: number): Promise<ActiveCampaign[]> {
  return tx<ActiveCampaign[]>`
    select c.id, c.name, c.status, c.reward_type, c.points, c.coupon_title, c.starts_at, c.ends_at, c.gtins, c.regions,
      c.first_scan_only, c.new_members_only, c.per_consumer_daily, c.per_consumer_total,
      (c.prizes_total is not null and c.prizes_awarded >= c.prizes_total)
        or (c.budget_total_fen is not null and c.spent_fen >= c.budget_total_fen) as spent,
      (select array_agg(t.probability_ppm order by t.tier) from campaign_tiers t
        where t.tenant_id = c.tenant_id and t.campaign_id = c.id) as tiers_ppm
    from campaigns c where c.tenant_id = ${tenantId} and c.status = 'active' order by c.id`;
}

/** One round: claims of distinct codes. */
async function claimRound(
  tx: Db,
  tenantId: number,
  campaigns: readonly ActiveCampaign[],
  claims: readonly Claimant[],
  figures: SharedFigures,
  prefetched: ClaimsPrefetch | undefined,
  now: Date,
): Promise<ClaimResult[][]> {
  const epcs = claims.map((c) => c.epc);
  const ids = campaigns.map((c) => Number(c.id));
  const needsFacts = campaigns.some((c) => c.regions?.length || c.first_scan_only || c.new_members_only);
  const covered = prefetched !== undefined && epcs.every((epc) => prefetched.epcs.has(epc));
  // sent together (one round trip, none when prefetched); the connection runs them in this order, so the ledger is
  // read under the locks
  const [priors, facts] = await Promise.all([
    covered ? prefetched.priors : lockedLedgerRows(tx, tenantId, ids, epcs),
    needsFacts ? claimFacts(tx, tenantId, claims) : null,
  ]);
  const results: ClaimResult[][] = claims.map(() => []);
  for (const campaign of campaigns) {
    const id = Number(campaign.id);
    const head = { campaignId: id, campaignName: campaign.name };
    const candidates: number[] = [];
    claims.forEach((c, k) => {
      const prior = priors.get(keyOf(id, c.epc));
      if (prior) {
        results[k]?.push({ ...head, ...priorAnswer(prior, c.consumerId) });
        return;
      }
      const f = facts?.[k];
      const reason = ineligibility(
        {
          startsAt: campaign.starts_at,
          endsAt: campaign.ends_at,
          gtins: campaign.gtins,
          regions: campaign.regions,
          firstScanOnly: campaign.first_scan_only,
          newMembersOnly: campaign.new_members_only,
        },
        {
          now,
          gtin: c.gtin,
          regionCode: f?.regionCode ?? null,
          firstScan: f?.firstScan ?? true,
          consumerCreatedAt: f?.consumerCreatedAt ?? now,
        },
      );
      if (reason) results[k]?.push({ ...head, outcome: 'not_eligible', reason, repeated: false });
      // a budget seen given out already: refused without taking any lock (a refusal writes nothing either way)
      else if (campaign.spent) results[k]?.push({ ...head, outcome: 'budget_exhausted', repeated: false });
      else candidates.push(k);
    });
    if (!candidates.length) continue;
    const outcomes = await claimCampaign(
      tx,
      tenantId,
      campaign,
      candidates.map((k) => claims[k] as Claimant),
      figures,
      covered ? prefetched.shared.get(id) : undefined,
    );
    candidates.forEach((k, j) => {
      results[k]?.push({ ...head, ...(outcomes[j] as CampaignOutcome & { repeated: boolean }) });
    });
  }
  return results;
}

/**
 * Takes the advisory locks of every (campaign, code) chance of the round, in key order (two batches never wait on
 * each other in a cycle); held to the commit. A collision of two keys only makes one claim wait for another.
 */
async function lockChances(tx: Db, tenantId: number, campaignIds: number[], epcs: string[]): Promise<void> {
  const keys = campaignIds
    .flatMap((id) => epcs.map((epc) => createHash('sha256').update(`claim|${tenantId}|${id}|${epc}`).digest().readBigInt64BE(0)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await tx`select count(pg_advisory_xact_lock(k)) from unnest(${keys.map(String)}::bigint[]) as k`;
}

/** The chances' locks taken, then the ledger rows read under them (one round trip). */
async function lockedLedgerRows(tx: Db, tenantId: number, campaignIds: number[], epcs: string[]): Promise<Map<string, LedgerRow>> {
  const [, rows] = await Promise.all([lockChances(tx, tenantId, campaignIds, epcs), ledgerRowsOf(tx, tenantId, epcs, campaignIds)]);
  return rows;
}

interface TierRow {
  tier: number;
  name: string;
  amount_fen: string;
  one_more: boolean;
  awarded: number;
  prize_count: number;
}

interface CampaignFiguresRow {
  status: CampaignStatus;
  spent_fen: string;
  prizes_awarded: number;
  budget_total_fen: string | null;
  prizes_total: number | null;
  budget_daily_fen: string | null;
  prizes_daily: number | null;
  day_spent_fen: string | null;
  day_prizes: number | null;
  today: string;
}

/** The rows a campaign's claimants share: its tiers, its totals and limits, the day's figures. */
interface SharedRows {
  tiers: TierRow[];
  campaignRows: CampaignFiguresRow[];
}

/**
 * Step 3: the shared rows, tiers then the campaign (staff edits lock them in this order too) with the day's figures;
 * locked only when the batch is decided again after a guard failed. Both statements are sent before this returns.
 */
function sharedRowsOf(tx: Db, tenantId: number, campaign: ActiveCampaign, figures: SharedFigures): Promise<SharedRows> {
  const campaignId = Number(campaign.id);
  const locked = figures === 'locked';
  return Promise.all([
    campaign.reward_type === 'lottery'
      ? tx<TierRow[]>`
          select tier, name, amount_fen, one_more, awarded, prize_count from campaign_tiers
          where tenant_id = ${tenantId} and campaign_id = ${campaignId} order by tier ${locked ? tx`for update` : tx``}`
      : [],
    tx<CampaignFiguresRow[]>`
      select c.status, c.spent_fen, c.prizes_awarded, c.budget_total_fen, c.prizes_total, c.budget_daily_fen, c.prizes_daily,
        d.spent_fen as day_spent_fen, d.prizes as day_prizes, ${chinaToday(tx)}::text as today
      from campaigns c
      left join campaign_days d on d.tenant_id = c.tenant_id and d.campaign_id = c.id and d.day = ${chinaToday(tx)}
      where c.tenant_id = ${tenantId} and c.id = ${campaignId}
      ${locked ? tx`for update of c` : tx``}`,
  ]).then(([tiers, campaignRows]) => ({ tiers, campaignRows }));
}

/** What the first round of a batch reads, read ahead by the caller (prefetchClaims). */
export interface ClaimsPrefetch {
  /** the codes it covers */
  epcs: ReadonlySet<string>;
  /** their ledger rows, read under their chances' locks */
  priors: Map<string, LedgerRow>;
  /** the shared rows of the campaigns whose decision needs nothing else read first (no caps, no coupon pool) */
  shared: Map<number, SharedRows>;
}

/**
 * The first round's reads (the chances' locks, the ledger, the campaigns' shared figures), for the caller to send with
 * its own statements before it knows which claims will reach the campaigns (the fraud check's verdicts): a batch then
 * makes two round trips fewer. Codes the check refuses are only locked and read for nothing. Every statement is sent
 * before this returns. Shared rows are read ahead only when they are read unlocked (`guarded`): locked, they must be
 * taken after the consumers' counters (claim.ts, the order of the row locks).
 */
export function prefetchClaims(
  tx: Db,
  tenantId: number,
  epcs: readonly string[],
  campaigns: readonly ActiveCampaign[],
  figures: SharedFigures,
): Promise<ClaimsPrefetch> {
  const distinct = [...new Set(epcs)];
  const ahead = campaigns.filter(
    (c) =>
      figures === 'guarded' && !c.spent && c.reward_type !== 'coupon' && c.per_consumer_daily === null && c.per_consumer_total === null,
  );
  return Promise.all([
    lockedLedgerRows(
      tx,
      tenantId,
      campaigns.map((c) => Number(c.id)),
      distinct,
    ),
    ...ahead.map((c) => sharedRowsOf(tx, tenantId, c, figures)),
  ]).then(([priors, ...shared]) => ({
    epcs: new Set(distinct),
    priors: priors as Map<string, LedgerRow>,
    shared: new Map(ahead.map((c, k) => [Number(c.id), shared[k] as SharedRows])),
  }));
}

/** Steps 1-4 of the file's comment for one campaign and the claims (of distinct codes, without a row) that may take part. */
async function claimCampaign(
  tx: Db,
  tenantId: number,
  campaign: ActiveCampaign,
  claims: readonly Claimant[],
  figures: SharedFigures,
  shared: SharedRows | undefined,
): Promise<(CampaignOutcome & { repeated: boolean })[]> {
  const decided = await decide(tx, tenantId, campaign, claims, figures, shared);
  return decided.map((d) => ({ ...(d.outcome === 'won' ? { outcome: 'won' as const, reward: d.reward } : d), repeated: false }));
}

async function decide(
  tx: Db,
  tenantId: number,
  campaign: ActiveCampaign,
  claims: readonly Claimant[],
  figures: SharedFigures,
  prefetchedShared: SharedRows | undefined,
): Promise<Decision[]> {
  const campaignId = Number(campaign.id);
  const consumers = [...new Set(claims.map((c) => c.consumerId))];
  // steps 1-3 sent together (one round trip): the connection runs them in this order, the order of the row locks.
  // "Today" is the brand's day in China at the transaction's start, the same in every statement of the batch.
  // 1. the consumers' counters: read under lock when the campaign has caps (a consumer's first claim gets a row first,
  // so it can be locked too); without caps nothing is decided on them, and they are only added to
  const capped = campaign.per_consumer_daily !== null || campaign.per_consumer_total !== null;
  const [, counters, coupons, { tiers, campaignRows }] = await Promise.all([
    capped
      ? tx`
          insert into campaign_participants (tenant_id, campaign_id, consumer_id, total, day, day_count)
          select ${tenantId}, ${campaignId}, unnest(${consumers}::bigint[]), 0, ${chinaToday(tx)}, 0
          on conflict (tenant_id, campaign_id, consumer_id) do nothing`
      : null,
    capped
      ? tx<{ consumer_id: string; total: number; day: string; day_count: number }[]>`
          select consumer_id, total, day::text as day, day_count from campaign_participants
          where tenant_id = ${tenantId} and campaign_id = ${campaignId} and consumer_id = any(${consumers}::bigint[])
          order by consumer_id for update`
      : [],
    // 2. the coupons this batch may give
    campaign.reward_type === 'coupon'
      ? tx<{ code: string }[]>`
          select code from campaign_coupons where tenant_id = ${tenantId} and campaign_id = ${campaignId} and reward_id is null
          limit ${claims.length} for update skip locked`
      : [],
    // 3. the shared rows (tiers, campaign, the day's figures), unless the caller read them already
    prefetchedShared ?? sharedRowsOf(tx, tenantId, campaign, figures),
  ]);
  const participants = new Map<number, Participation>();
  for (const r of counters) participants.set(Number(r.consumer_id), { total: r.total, day: r.day, dayCount: r.day_count });
  const [c] = campaignRows;
  const today = c?.today ?? '';
  const tierStates: TierState[] = tiers.map((t) => ({
    tier: t.tier,
    name: t.name,
    amountFen: Number(t.amount_fen),
    oneMore: t.one_more,
    awarded: t.awarded,
    prizeCount: t.prize_count,
  }));
  const state: CampaignState = {
    rewardType: campaign.reward_type,
    points: campaign.points ?? 0,
    couponTitle: campaign.coupon_title,
    status: c?.status ?? 'ended',
    spentFen: Number(c?.spent_fen ?? 0),
    prizesAwarded: c?.prizes_awarded ?? 0,
    budgetTotalFen: c?.budget_total_fen == null ? null : Number(c.budget_total_fen),
    prizesTotal: c?.prizes_total ?? null,
    budgetDailyFen: c?.budget_daily_fen == null ? null : Number(c.budget_daily_fen),
    prizesDaily: c?.prizes_daily ?? null,
    daySpentFen: Number(c?.day_spent_fen ?? 0),
    dayPrizes: c?.day_prizes ?? 0,
    perConsumerDaily: campaign.per_consumer_daily,
    perConsumerTotal: campaign.per_consumer_total,
    today,
    tiers: tierStates,
    coupons: coupons.map((x) => x.code),
  };
  // the lottery is drawn here (crypto randomness, server-side), one draw per claim
  const tiersPpm = tierStates.map((_, k) => campaign.tiers_ppm?.[k] ?? 0);
  const candidates: Candidate[] = claims.map((cl) => ({
    consumerId: cl.consumerId,
    drawnTier: campaign.reward_type === 'lottery' ? tierFor(randomInt(PPM), tiersPpm) : null,
  }));
  const a = allocate(state, participants, candidates);
  await writeAllocation(tx, tenantId, campaignId, claims, capped, participants, state, a);
  return a.decisions;
}

/**
 * Step 4: the allocation's counters and the ledger rows, in set-based statements sent together (one round trip, run
 * in this order by the connection; a failing one fails those after it and the batch's transaction).
 */
async function writeAllocation(
  tx: Db,
  tenantId: number,
  campaignId: number,
  claims: readonly Claimant[],
  capped: boolean,
  before: ReadonlyMap<number, Participation>,
  state: CampaignState,
  a: ReturnType<typeof allocate>,
): Promise<void> {
  const counted = [...a.participants].map(([id, p]) => {
    // without caps the rows were not read: what this batch adds (its claims of the day) is added to them
    const was = before.get(id);
    const added = capped ? p.total - (was?.total ?? 0) : p.total;
    return { id, added, day: p.day, dayCount: p.dayCount };
  });
  const awardedTiers = a.tierAwards.flatMap((n, k) => (n > 0 ? [[state.tiers[k]?.tier as number, n] as const] : []));
  // the ledger: a row for each claim that used the code's chance (a prize, or a draw without one)
  const used = claims.flatMap((c, j) => {
    const d = a.decisions[j] as Decision;
    return d.outcome === 'won' || d.outcome === 'no_prize' ? [{ c, d }] : [];
  });
  const won = (d: Decision) => (d.outcome === 'won' ? d : null);
  // points are paid into the consumer's points at once (red packets and coupons are owed until paid out)
  const points = used.filter((u) => won(u.d)?.reward.kind === 'points' && (won(u.d)?.reward.points ?? 0) > 0);
  const writes = Promise.all([
    counted.length
      ? tx`
          insert into campaign_participants as p (tenant_id, campaign_id, consumer_id, total, day, day_count)
          select ${tenantId}, ${campaignId}, v.consumer, v.added, v.day::date, v.day_count
          from unnest(${counted.map((c) => c.id)}::bigint[], ${counted.map((c) => c.added)}::int[], ${counted.map((c) => c.day)}::text[],
            ${counted.map((c) => c.dayCount)}::int[]) as v(consumer, added, day, day_count)
          order by v.consumer
          on conflict (tenant_id, campaign_id, consumer_id) do update set total = p.total + excluded.total, day = excluded.day,
            day_count = case when ${capped} or p.day <> excluded.day then excluded.day_count else p.day_count + excluded.day_count end`
      : null,
    // the rows made in step 1 for consumers whose claims were all refused
    capped
      ? tx`
          delete from campaign_participants where tenant_id = ${tenantId} and campaign_id = ${campaignId}
            and consumer_id = any(${[...new Set(claims.map((c) => c.consumerId))]}::bigint[]) and total = 0`
      : null,
    // the shared figures, each write guarded: it must find its rows still within their limits (file's comment)
    awardedTiers.length
      ? tx`
          with given as (
            update campaign_tiers t set awarded = t.awarded + v.n
            from unnest(${awardedTiers.map(([t]) => t)}::smallint[], ${awardedTiers.map(([, n]) => n)}::int[]) as v(tier, n)
            where t.tenant_id = ${tenantId} and t.campaign_id = ${campaignId} and t.tier = v.tier and t.awarded + v.n <= t.prize_count
            returning 1)
          select claim_figures_hold(count(*) = ${awardedTiers.length}) from given`
      : null,
    a.prizes > 0
      ? tx`
          with given as (
            update campaigns set spent_fen = spent_fen + ${a.spentFen}, prizes_awarded = prizes_awarded + ${a.prizes}
            where tenant_id = ${tenantId} and id = ${campaignId} and status = 'active'
              and (budget_total_fen is null or spent_fen + ${a.spentFen} <= budget_total_fen)
              and (prizes_total is null or prizes_awarded + ${a.prizes} <= prizes_total)
            returning 1)
          select claim_figures_hold(count(*) = 1) from given`
      : null,
    a.prizes > 0
      ? tx`
          with given as (
            insert into campaign_days as d (tenant_id, campaign_id, day, spent_fen, prizes)
            select ${tenantId}, ${campaignId}, ${state.today}::date, ${a.spentFen}, ${a.prizes}
            on conflict (tenant_id, campaign_id, day) do update set spent_fen = d.spent_fen + excluded.spent_fen, prizes = d.prizes + excluded.prizes
            where (${state.budgetDailyFen}::bigint is null or d.spent_fen + excluded.spent_fen <= ${state.budgetDailyFen}::bigint)
              and (${state.prizesDaily}::int is null or d.prizes + excluded.prizes <= ${state.prizesDaily}::int)
            returning 1)
          select claim_figures_hold(count(*) = 1) from given`
      : null,
    used.length
      ? tx<{ id: string; epc: string }[]>`
          insert into campaign_rewards (tenant_id, campaign_id, epc, consumer_id, kind, amount_fen, points, coupon_code, tier, status, paid_at)
          select ${tenantId}, ${campaignId}, v.epc, v.consumer, v.kind, v.amount, v.points, v.coupon, v.tier,
            case v.kind when 'points' then 'paid' when 'none' then 'no_prize' else 'awarded' end,
            case when v.kind = 'points' then business_now() end
          from unnest(${used.map((u) => u.c.epc)}::text[], ${used.map((u) => u.c.consumerId)}::bigint[],
            ${used.map((u) => won(u.d)?.reward.kind ?? 'none')}::text[], ${used.map((u) => won(u.d)?.amountFen ?? 0)}::bigint[],
            ${used.map((u) => won(u.d)?.reward.points ?? 0)}::int[], ${used.map((u) => won(u.d)?.reward.couponCode ?? null)}::text[],
            ${used.map((u) => {
              const t = won(u.d)?.tier;
              return t == null ? null : (state.tiers[t]?.tier ?? null);
            })}::smallint[]) as v(epc, consumer, kind, amount, points, coupon, tier)
          returning id, epc`
      : [],
    bookPointsMany(
      tx,
      points.map((u) => ({
        tenantId,
        consumerId: u.c.consumerId,
        delta: won(u.d)?.reward.points as number,
        kind: 'earn' as const,
        source: `campaign:${campaignId}:code:${u.c.epc}`,
      })),
    ),
  ]);
  const coupons = used.filter((u) => won(u.d)?.reward.couponCode !== undefined && won(u.d) !== null);
  const tickets = used.filter((u) => won(u.d)?.reward.kind === 'one_more');
  // nothing below needs the rows' ids: the writes go with the commit (the ledger insert has no "on conflict", so a row
  // the chance's lock failed to keep unique would fail the transaction, not vanish)
  if (!coupons.length && !tickets.length) {
    await untilCommit(tx, writes);
    return;
  }
  const [, , , , , rows] = await writes;
  const ids = new Map(rows.map((r) => [r.epc, Number(r.id)]));
  if (coupons.length) {
    await tx`
      update campaign_coupons k set reward_id = v.reward
      from unnest(${coupons.map((u) => won(u.d)?.reward.couponCode as string)}::text[], ${coupons.map((u) => ids.get(u.c.epc) as number)}::bigint[])
        as v(code, reward)
      where k.tenant_id = ${tenantId} and k.campaign_id = ${campaignId} and k.code = v.code`;
  }
  // the unit's own code becomes the winning ticket a participating store redeems (and is reimbursed for)
  for (const u of tickets) await issueOneMoreTicket(tx, tenantId, u.c.epc, `campaign:${campaignId}`);
}
