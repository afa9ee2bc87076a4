/**
 * The rewards ledger as staff read it (filtered by campaign and status, exported for payout), marking red packets and
 * coupons as paid, and a campaign's report: scans, claims, unique consumers, cost, redemptions, claims per day.
 */
import type { Db, RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';

export type RewardStatus = 'awarded' | 'paid' | 'no_prize';

export interface LedgerFilter {
  campaignId?: number;
  status?: RewardStatus;
  page: number;
  pageSize: number;
}

interface RewardRow {
  id: string;
  campaign_id: string;
  campaign_name: string;
  epc: string;
  consumer_id: string;
  kind: string;
  amount_fen: string;
  points: number;
  coupon_code: string | null;
  tier_name: string | null;
  status: RewardStatus;
  claimed_at: Date;
  paid_at: Date | null;
}

const view = (r: RewardRow) => ({
  id: Number(r.id),
  campaignId: Number(r.campaign_id),
  campaignName: r.campaign_name,
  code: r.epc,
  consumerId: Number(r.consumer_id),
  kind: r.kind,
  amountFen: Number(r.amount_fen),
  points: r.points,
  couponCode: r.coupon_code,
  tierName: r.tier_name,
  status: r.status,
  claimedAt: r.claimed_at.toISOString(),
  paidAt: r.paid_at?.toISOString() ?? null,
});

function selectRewards(sql: Db, tenantId: number, f: Omit<LedgerFilter, 'page' | 'pageSize'>) {
  return sql`
    select r.id, r.campaign_id, c.name as campaign_name, r.epc, r.consumer_id, r.kind, r.amount_fen, r.points, r.coupon_code,
      t.name as tier_name, r.status, r.claimed_at, r.paid_at
    from campaign_rewards r
    join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
    left join campaign_tiers t on t.tenant_id = r.tenant_id and t.campaign_id = r.campaign_id and t.tier = r.tier
    where r.tenant_id = ${tenantId}
      ${f.campaignId ? sql`and r.campaign_id = ${f.campaignId}` : sql``}
      ${f.status ? sql`and r.status = ${f.status}` : sql``}`;
}

export async function listRewards(sql: Db, tenantId: number, f: LedgerFilter) {
  const rows = await sql<RewardRow[]>`${selectRewards(sql, tenantId, f)} order by r.id desc
    limit ${f.pageSize} offset ${(f.page - 1) * f.pageSize}`;
  const [n] = await sql<{ n: number }[]>`
    select count(*)::int as n from campaign_rewards r where r.tenant_id = ${tenantId}
      ${f.campaignId ? sql`and r.campaign_id = ${f.campaignId}` : sql``} ${f.status ? sql`and r.status = ${f.status}` : sql``}`;
  return { items: rows.map(view), total: n?.n ?? 0, page: f.page, pageSize: f.pageSize };
}

/** Every row of the filter, in batches of 5,000 (an export of a large campaign does not hold it all in memory). */
export async function* allRewards(sql: Db, tenantId: number, f: Omit<LedgerFilter, 'page' | 'pageSize'>) {
  let after = 0;
  for (;;) {
    const rows = await sql<RewardRow[]>`${selectRewards(sql, tenantId, f)} and r.id > ${after} order by r.id limit 5000`;
    for (const r of rows) yield view(r);
    if (rows.length < 5000) return;
    after = Number(rows.at(-1)?.id);
  }
}

/** Marks owed rewards (red packets, coupons) of a campaign as paid; rows already paid or without a prize are left. */
export async function markPaid(ctx: RequestContext, campaignId: number, ids: number[]): Promise<{ paid: number }> {
  const t = ctx.actor.tenantId;
  return ctx.sql.begin(async (tx) => {
    const [c] = await tx`select 1 from campaigns where tenant_id = ${t} and id = ${campaignId}`;
    if (!c) throw AppError.notFound();
    const rows = await tx<{ id: string }[]>`
      update campaign_rewards set status = 'paid', paid_at = business_now()
      where tenant_id = ${t} and campaign_id = ${campaignId} and id = any(${ids}::bigint[]) and status = 'awarded'
      returning id`;
    if (rows.length) {
      await appendAudit(tx, whoOf(ctx), {
        action: 'campaign.rewards_paid',
        entityType: 'campaign',
        entityId: campaignId,
        details: { rewardIds: rows.map((r) => Number(r.id)) },
      });
    }
    return { paid: rows.length };
  });
}

/** A campaign's figures over its window: scans of its products, claims, unique consumers, cost, redemptions, per day. */
export async function campaignReport(sql: Db, tenantId: number, campaignId: number) {
  const [c] = await sql<{ starts_at: Date; ends_at: Date; gtins: string[] | null; spent_fen: string }[]>`
    select starts_at, ends_at, gtins, spent_fen from campaigns where tenant_id = ${tenantId} and id = ${campaignId}`;
  if (!c) throw AppError.notFound();
  const [scans] = await sql<{ n: number }[]>`
    select count(*)::int as n from consumer_scans
    where tenant_id = ${tenantId} and scanned_at >= ${c.starts_at} and scanned_at < ${c.ends_at} and verdict <> 'unknown'
      ${c.gtins ? sql`and substring(epc from '/01/([0-9]{14})/') = any(${c.gtins}::text[])` : sql``}`;
  const [r] = await sql<{ claims: number; won: number; consumers: number; points: string; fen: string; paid: number }[]>`
    select count(*)::int as claims, count(*) filter (where kind <> 'none')::int as won,
      count(distinct consumer_id)::int as consumers, coalesce(sum(points), 0) as points, coalesce(sum(amount_fen), 0) as fen,
      count(*) filter (where status = 'paid')::int as paid
    from campaign_rewards where tenant_id = ${tenantId} and campaign_id = ${campaignId}`;
  const days = await sql<{ day: string; claims: number; won: number }[]>`
    select (claimed_at at time zone 'Asia/Shanghai')::date::text as day, count(*)::int as claims,
      count(*) filter (where kind <> 'none')::int as won
    from campaign_rewards where tenant_id = ${tenantId} and campaign_id = ${campaignId} group by 1 order by 1`;
  return {
    campaignId,
    scans: scans?.n ?? 0,
    claims: r?.claims ?? 0,
    rewards: r?.won ?? 0,
    uniqueConsumers: r?.consumers ?? 0,
    costFen: Number(r?.fen ?? 0),
    points: Number(r?.points ?? 0),
    redemptions: r?.paid ?? 0,
    perDay: days,
  };
}
