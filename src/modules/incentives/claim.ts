/**
 * A consumer's claim of a scanned code (whose hidden verification code was already checked): every active campaign
 * of the code's brand is tried, each in its own transaction, so one campaign's refusal leaves another's reward.
 *
 * In a campaign's transaction, in this order (the order of the locks, the same in staff edits: no deadlock):
 * 1. the ledger row of (campaign, code) is inserted first: its unique key makes a second claim of the code wait for
 *    the first and then find its row, so a retried or simultaneous claim returns the first answer and pays nothing;
 * 2. the consumer's counters (per-person caps), a conditional upsert;
 * 3. the prize: a lottery draw (crypto randomness, server-side), a coupon of the pool (skip locked), or the points
 *    booked into the consumer's points (consumers' ledger);
 * 4. the rows every claim of the campaign shares, last, so each is held only until the commit: the drawn tier's
 *    count, the campaign's totals and the day's figures, each a conditional UPDATE that only succeeds below its limit;
 * 5. the ledger row completed.
 * A refusal at any step rolls the whole transaction back: nothing is counted or given. Staff edits lock the tiers
 * before the campaign too (campaigns.ts).
 */
import { randomInt } from 'node:crypto';
import type { Db } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { bookPoints } from '../consumers/index.ts';
import { issueOneMoreTicket } from './channel/one-more.ts';
import { type CampaignStatus, PPM, tierFor } from './definition.ts';
import { type Ineligibility, ineligibility } from './eligibility.ts';

export interface Claimant {
  tenantId: number;
  epc: string;
  gtin: string;
  consumerId: number;
  /** the device cookie the claim came with */
  deviceId: string;
}

export interface RewardGiven {
  kind: 'points' | 'red_packet' | 'coupon' | 'one_more';
  points?: number;
  amountFen?: number;
  couponCode?: string;
  couponTitle?: string;
  tierName?: string;
}

export type CampaignOutcome =
  | { outcome: 'won'; reward: RewardGiven }
  | { outcome: 'no_prize' }
  /** the code's chance in this campaign was used by another consumer */
  | { outcome: 'claimed_by_other' }
  | { outcome: 'not_eligible'; reason: Ineligibility }
  | { outcome: 'cap_reached'; cap: 'daily' | 'total' }
  | { outcome: 'budget_exhausted' };

export type ClaimResult = CampaignOutcome & { campaignId: number; campaignName: string; repeated: boolean };

interface ActiveCampaign {
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
}

interface LedgerRow {
  campaign_id: string;
  consumer_id: string;
  kind: 'points' | 'red_packet' | 'coupon' | 'one_more' | 'none';
  amount_fen: string;
  points: number;
  coupon_code: string | null;
  tier_name: string | null;
  coupon_title: string | null;
}

/** A step refused: the transaction is rolled back and this is the campaign's answer. */
class Refused extends Error {
  constructor(readonly answer: CampaignOutcome | 'taken') {
    super('refused');
  }
}

const TODAY = (sql: Db) => sql`(now() at time zone 'Asia/Shanghai')::date`;

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

async function ledgerRowsOf(sql: Db, tenantId: number, epc: string, campaignIds: number[]): Promise<LedgerRow[]> {
  return sql<LedgerRow[]>`
    select r.campaign_id, r.consumer_id, r.kind, r.amount_fen, r.points, r.coupon_code, t.name as tier_name, c.coupon_title
    from campaign_rewards r
    join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
    left join campaign_tiers t on t.tenant_id = r.tenant_id and t.campaign_id = r.campaign_id and t.tier = r.tier
    where r.tenant_id = ${tenantId} and r.epc = ${epc} and r.campaign_id = any(${campaignIds}::bigint[])`;
}

/** What eligibility is judged on, read once per claim. */
async function claimFacts(sql: Db, c: Claimant) {
  // the consumer's first-seen time is the consumers module's row; read here until its interface offers it
  const [f] = await sql<{ region: string | null; first_device: string | null; scanned: boolean; created_at: Date | null }[]>`
    select
      (select coalesce(p.district_code, p.city_code, p.province_code)
        from code_state s
        left join parties h on h.tenant_id = s.tenant_id and h.id = s.holder_party_id and h.kind in ('distributor', 'store')
        left join parties p on p.tenant_id = s.tenant_id and p.id = coalesce(s.channel_party_id, s.in_transit_to, h.id)
        where s.tenant_id = ${c.tenantId} and s.epc = ${c.epc}) as region,
      first.device_id::text as first_device, coalesce(first.scanned, false) as scanned,
      (select created_at from consumers where tenant_id = ${c.tenantId} and id = ${c.consumerId}) as created_at
    from (select 1) one
    left join lateral (
      select device_id, true as scanned from consumer_scans
      where tenant_id = ${c.tenantId} and epc = ${c.epc} and verdict <> 'unknown' order by scanned_at, id limit 1
    ) first on true`;
  return {
    regionCode: f?.region ?? null,
    firstScan: !f?.scanned || f.first_device === c.deviceId,
    consumerCreatedAt: f?.created_at ?? new Date(),
  };
}

/** Applies every active campaign of the brand to the claim; an empty list when the brand runs none. */
export async function claimCode(sql: Sql, c: Claimant): Promise<ClaimResult[]> {
  // the active campaigns with this code's row in each ledger, if any (a retry's first answer)
  const campaigns = await sql<(ActiveCampaign & { prior: LedgerRow | null; spent: boolean })[]>`
    select c.id, c.name, c.status, c.reward_type, c.points, c.coupon_title, c.starts_at, c.ends_at, c.gtins, c.regions,
      c.first_scan_only, c.new_members_only, c.per_consumer_daily, c.per_consumer_total,
      (c.prizes_total is not null and c.prizes_awarded >= c.prizes_total)
        or (c.budget_total_fen is not null and c.spent_fen >= c.budget_total_fen) as spent,
      (select array_agg(t.probability_ppm order by t.tier) from campaign_tiers t
        where t.tenant_id = c.tenant_id and t.campaign_id = c.id) as tiers_ppm,
      (select json_build_object('campaign_id', r.campaign_id, 'consumer_id', r.consumer_id, 'kind', r.kind,
          'amount_fen', r.amount_fen, 'points', r.points, 'coupon_code', r.coupon_code, 'coupon_title', c.coupon_title,
          'tier_name', (select t.name from campaign_tiers t where t.tenant_id = r.tenant_id and t.campaign_id = r.campaign_id and t.tier = r.tier))
        from campaign_rewards r where r.tenant_id = c.tenant_id and r.campaign_id = c.id and r.epc = ${c.epc}) as prior
    from campaigns c where c.tenant_id = ${c.tenantId} and c.status = 'active' order by c.id`;
  if (!campaigns.length) return [];
  const earlier = new Map(campaigns.flatMap((x) => (x.prior ? [[Number(x.id), x.prior] as const] : [])));
  const facts = { now: new Date(), gtin: c.gtin, ...(await claimFacts(sql, c)) };
  const results: ClaimResult[] = [];
  for (const campaign of campaigns) {
    const id = Number(campaign.id);
    const head = { campaignId: id, campaignName: campaign.name };
    const prior = earlier.get(id);
    if (prior) {
      results.push(
        Number(prior.consumer_id) === c.consumerId
          ? { ...head, ...answerOf(prior), repeated: true }
          : { ...head, outcome: 'claimed_by_other', repeated: true },
      );
      continue;
    }
    const reason = ineligibility(
      {
        startsAt: campaign.starts_at,
        endsAt: campaign.ends_at,
        gtins: campaign.gtins,
        regions: campaign.regions,
        firstScanOnly: campaign.first_scan_only,
        newMembersOnly: campaign.new_members_only,
      },
      facts,
    );
    if (reason) {
      results.push({ ...head, outcome: 'not_eligible', reason, repeated: false });
      continue;
    }
    // a budget seen given out already: refused without a transaction (a refusal writes nothing either way)
    if (campaign.spent) {
      results.push({ ...head, outcome: 'budget_exhausted', repeated: false });
      continue;
    }
    results.push({ ...head, ...(await claimOne(sql, campaign, c)) });
  }
  return results;
}

/**
 * A transaction on a connection reserved first. postgres.js 3.4.9's sql.begin can send its BEGIN on a connection it has
 * not reserved when that BEGIN fills the connection's pipeline under load (porsager/postgres#823, #1189): the claim
 * then failed with UNSAFE_TRANSACTION (seen once in the 1,000-claim race). A reserved connection carries nothing else.
 */
async function inTransaction<T>(sql: Sql, fn: (tx: Db) => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  try {
    await conn`begin`;
    try {
      const result = await fn(conn);
      await conn`commit`;
      return result;
    } catch (err) {
      await conn`rollback`.catch(() => undefined);
      throw err;
    }
  } finally {
    conn.release();
  }
}

async function claimOne(sql: Sql, campaign: ActiveCampaign, c: Claimant): Promise<CampaignOutcome & { repeated: boolean }> {
  const campaignId = Number(campaign.id);
  try {
    const outcome = await inTransaction(sql, async (tx) => {
      // 1. the code's row in the ledger: a simultaneous claim of the same code waits here for this transaction
      const [row] = await tx<{ id: string }[]>`
        insert into campaign_rewards (tenant_id, campaign_id, epc, consumer_id, kind, status)
        values (${c.tenantId}, ${campaignId}, ${c.epc}, ${c.consumerId}, 'none', 'no_prize')
        on conflict (tenant_id, campaign_id, epc) do nothing returning id`;
      if (!row) throw new Refused('taken');
      const rewardId = Number(row.id);
      // 2. the per-person caps
      const capDay = campaign.per_consumer_daily;
      const capTotal = campaign.per_consumer_total;
      const [counted] = await tx`
        insert into campaign_participants as p (tenant_id, campaign_id, consumer_id, total, day, day_count)
        values (${c.tenantId}, ${campaignId}, ${c.consumerId}, 1, ${TODAY(tx)}, 1)
        on conflict (tenant_id, campaign_id, consumer_id) do update set total = p.total + 1,
          day_count = case when p.day = excluded.day then p.day_count + 1 else 1 end, day = excluded.day
        where (${capTotal}::int is null or p.total < ${capTotal}::int)
          and (${capDay}::int is null or p.day <> excluded.day or p.day_count < ${capDay}::int)
        returning 1`;
      if (!counted) {
        const [p] = await tx<{ total: number }[]>`select total from campaign_participants
          where tenant_id = ${c.tenantId} and campaign_id = ${campaignId} and consumer_id = ${c.consumerId}`;
        throw new Refused({ outcome: 'cap_reached', cap: capTotal !== null && (p?.total ?? 0) >= capTotal ? 'total' : 'daily' });
      }
      // 3. the prize: a lottery is drawn here (crypto randomness, server-side); a coupon is taken from the pool
      let reward: RewardGiven;
      let amountFen = 0;
      let tier: number | null = null;
      if (campaign.reward_type === 'lottery') {
        tier = tierFor(randomInt(PPM), campaign.tiers_ppm ?? []);
        // no tier drawn: the draw was made, the code's chance is used
        if (tier === null) return { outcome: 'no_prize' } as const;
        reward = { kind: 'red_packet' };
      } else if (campaign.reward_type === 'coupon') {
        const [coupon] = await tx<{ code: string }[]>`
          update campaign_coupons set reward_id = ${rewardId}
          where tenant_id = ${c.tenantId} and campaign_id = ${campaignId} and code = (
            select code from campaign_coupons where tenant_id = ${c.tenantId} and campaign_id = ${campaignId} and reward_id is null
            limit 1 for update skip locked)
          returning code`;
        if (!coupon) throw new Refused({ outcome: 'budget_exhausted' });
        reward = { kind: 'coupon', couponCode: coupon.code, couponTitle: campaign.coupon_title ?? undefined };
      } else {
        reward = { kind: 'points', points: campaign.points ?? 0 };
        // paid into the consumer's points at once (red packets and coupons are owed until paid out)
        await bookPoints(tx, {
          tenantId: c.tenantId,
          consumerId: c.consumerId,
          delta: reward.points as number,
          kind: 'earn',
          source: `campaign:${campaignId}:code:${c.epc}`,
        });
      }
      // 4. the rows every claim of the campaign shares, last, so each is locked only until the commit: the drawn
      // tier's count, the campaign's totals, the day's figures; each succeeds only below its limit (re-checked on the
      // row's latest version after waiting for its lock)
      if (tier !== null) {
        const [won] = await tx<{ amount_fen: string; name: string; one_more: boolean }[]>`
          update campaign_tiers set awarded = awarded + 1
          where tenant_id = ${c.tenantId} and campaign_id = ${campaignId} and tier = ${tier} and awarded < prize_count
          returning amount_fen, name, one_more`;
        // the drawn tier is given out: a draw without a prize
        if (!won) return { outcome: 'no_prize' } as const;
        amountFen = Number(won.amount_fen);
        reward = { kind: won.one_more ? 'one_more' : 'red_packet', amountFen, tierName: won.name };
        // the unit's own code becomes the winning ticket a participating store redeems (and is reimbursed for)
        if (won.one_more) await issueOneMoreTicket(tx, c.tenantId, c.epc, `campaign:${campaignId}`);
      }
      const [limits] = await tx<{ budget_daily_fen: string | null; prizes_daily: number | null }[]>`
        update campaigns set spent_fen = spent_fen + ${amountFen}, prizes_awarded = prizes_awarded + 1
        where tenant_id = ${c.tenantId} and id = ${campaignId} and status = 'active'
          and (budget_total_fen is null or spent_fen + ${amountFen} <= budget_total_fen)
          and (prizes_total is null or prizes_awarded + 1 <= prizes_total)
        returning budget_daily_fen, prizes_daily`;
      if (!limits) throw new Refused({ outcome: 'budget_exhausted' });
      const dailyFen = limits.budget_daily_fen === null ? null : Number(limits.budget_daily_fen);
      if ((dailyFen !== null && amountFen > dailyFen) || limits.prizes_daily === 0) throw new Refused({ outcome: 'budget_exhausted' });
      const [day] = await tx`
        insert into campaign_days as d (tenant_id, campaign_id, day, spent_fen, prizes)
        values (${c.tenantId}, ${campaignId}, ${TODAY(tx)}, ${amountFen}, 1)
        on conflict (tenant_id, campaign_id, day) do update set spent_fen = d.spent_fen + excluded.spent_fen, prizes = d.prizes + 1
        where (${dailyFen}::bigint is null or d.spent_fen + excluded.spent_fen <= ${dailyFen}::bigint)
          and (${limits.prizes_daily}::int is null or d.prizes + 1 <= ${limits.prizes_daily}::int)
        returning 1`;
      if (!day) throw new Refused({ outcome: 'budget_exhausted' });
      // 5. the ledger row completed (the code's own row, locked since step 1)
      await tx`
        update campaign_rewards set kind = ${reward.kind}, amount_fen = ${amountFen}, points = ${reward.points ?? 0},
          coupon_code = ${reward.couponCode ?? null}, tier = ${tier},
          status = ${reward.kind === 'points' ? 'paid' : 'awarded'}, paid_at = ${reward.kind === 'points' ? tx`now()` : null}
        where tenant_id = ${c.tenantId} and id = ${rewardId}`;
      return { outcome: 'won', reward } as const;
    });
    return { ...outcome, repeated: false };
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    if (err.answer !== 'taken') return { ...err.answer, repeated: false };
    // a claim of the same code got there first: its answer, for the same consumer
    const [prior] = await ledgerRowsOf(sql, c.tenantId, c.epc, [campaignId]);
    if (!prior) return { outcome: 'budget_exhausted', repeated: false };
    return Number(prior.consumer_id) === c.consumerId
      ? { ...answerOf(prior), repeated: true }
      : { outcome: 'claimed_by_other', repeated: true };
  }
}
