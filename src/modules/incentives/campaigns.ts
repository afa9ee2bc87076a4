/**
 * Campaigns as staff keep them: create, edit, change status, read with their live budget. Every change is audited in
 * its transaction. An edit may not take a limit below what was already given, nor change the kind of reward once
 * rewards were given.
 */
import { randomBytes } from 'node:crypto';
import type { Db, RequestContext } from '../../context.ts';
import { AppError, type FieldError } from '../../http/problem.ts';
import { parseGtin } from '../../platform/gs1.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { type CampaignInput, type CampaignStatus, definitionErrors, PPM, statusChangeAllowed, toPpm } from './definition.ts';

export interface CampaignRow {
  id: string;
  name: string;
  kind: string;
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
  budget_total_fen: string | null;
  budget_daily_fen: string | null;
  prizes_total: number | null;
  prizes_daily: number | null;
  spent_fen: string;
  prizes_awarded: number;
  created_at: Date;
  updated_at: Date;
}

interface TierRow {
  tier: number;
  name: string;
  amount_fen: string;
  probability_ppm: number;
  prize_count: number;
  awarded: number;
  one_more: boolean;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** A campaign as the API shows it. */
export function campaignView(c: CampaignRow, tiers: TierRow[], coupons: { total: number; taken: number } | null) {
  return {
    id: Number(c.id),
    name: c.name,
    kind: c.kind,
    status: c.status,
    startsAt: c.starts_at.toISOString(),
    endsAt: c.ends_at.toISOString(),
    reward: {
      type: c.reward_type,
      ...(c.reward_type === 'points' ? { points: c.points } : {}),
      ...(c.reward_type === 'lottery'
        ? {
            tiers: tiers.map((t) => ({
              name: t.name,
              amountFen: Number(t.amount_fen),
              probability: t.probability_ppm / PPM,
              count: t.prize_count,
              awarded: t.awarded,
              oneMore: t.one_more,
            })),
          }
        : {}),
      ...(c.reward_type === 'coupon'
        ? { couponTitle: c.coupon_title, couponPool: coupons?.total ?? 0, couponsIssued: coupons?.taken ?? 0 }
        : {}),
    },
    eligibility: {
      gtins: c.gtins ?? [],
      regions: c.regions ?? [],
      firstScanOnly: c.first_scan_only,
      newMembersOnly: c.new_members_only,
    },
    limits: {
      perConsumerDaily: c.per_consumer_daily,
      perConsumerTotal: c.per_consumer_total,
      budgetTotalFen: num(c.budget_total_fen),
      budgetDailyFen: num(c.budget_daily_fen),
      prizesTotal: c.prizes_total,
      prizesDaily: c.prizes_daily,
    },
    spentFen: Number(c.spent_fen),
    prizesAwarded: c.prizes_awarded,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}
export type CampaignView = ReturnType<typeof campaignView>;

async function brandGtins(sql: Db, tenantId: number, gtins: string[]): Promise<Set<string>> {
  const normal = gtins.map((g) => parseGtin(g)).flatMap((g) => (g.ok ? [g.value] : []));
  if (!normal.length) return new Set();
  const rows = await sql<{ gtin: string }[]>`
    select distinct gtin from packaging_levels where tenant_id = ${tenantId} and gtin = any(${normal}::text[])`;
  const known = new Set(rows.map((r) => r.gtin));
  // the brand's GTINs as they were written (an 8-, 12- or 13-digit GTIN names the same product as its GTIN-14)
  return new Set(
    gtins.filter((g) => {
      const p = parseGtin(g);
      return p.ok && known.has(p.value);
    }),
  );
}

const gtin14 = (gtins: string[] | undefined): string[] | null =>
  gtins?.length
    ? [
        ...new Set(
          gtins.map((g) => {
            const p = parseGtin(g);
            return p.ok ? p.value : g;
          }),
        ),
      ]
    : null;

async function validated(sql: Db, tenantId: number, input: CampaignInput): Promise<void> {
  const errors = definitionErrors(input, await brandGtins(sql, tenantId, input.eligibility?.gtins ?? []));
  if (errors.length) throw AppError.invalid(errors);
}

/** Coupon codes made by the server: 12 characters of an alphabet without look-alikes, from crypto randomness. */
function couponCodes(n: number): string[] {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const out = new Set<string>();
  while (out.size < n) {
    const bytes = randomBytes(12);
    out.add(Array.from(bytes, (b) => alphabet[b & 31]).join(''));
  }
  return [...out];
}

async function addCoupons(tx: Db, tenantId: number, campaignId: number, input: CampaignInput): Promise<void> {
  const r = input.reward;
  if (r.type !== 'coupon') return;
  let codes = r.couponCodes ?? [];
  if (r.couponCount !== undefined) {
    const [have] = await tx<{ n: number }[]>`
      select count(*)::int as n from campaign_coupons where tenant_id = ${tenantId} and campaign_id = ${campaignId}`;
    codes = couponCodes(Math.max(0, r.couponCount - (have?.n ?? 0)));
  }
  if (!codes.length) return;
  await tx`insert into campaign_coupons (tenant_id, campaign_id, code)
    select ${tenantId}, ${campaignId}, c from unnest(${codes}::text[]) as c on conflict do nothing`;
}

/** An edit may not remove a tier that has prizes given, nor set a tier's count below them. */
function tierErrors(kept: { tier: number; awarded: number }[], input: CampaignInput): FieldError[] {
  const tiers = input.reward.type === 'lottery' ? (input.reward.tiers ?? []) : [];
  const errors: FieldError[] = [];
  for (const k of kept) {
    const t = tiers[k.tier];
    if (k.awarded > 0 && !t) errors.push({ pointer: '/body/reward/tiers', code: 'campaign.tier_has_prizes', params: { tier: k.tier + 1 } });
    else if (t && t.count < k.awarded) {
      errors.push({ pointer: `/body/reward/tiers/${k.tier}/count`, code: 'campaign.below_given', params: { given: k.awarded } });
    }
  }
  return errors;
}

async function writeTiers(tx: Db, tenantId: number, campaignId: number, input: CampaignInput): Promise<void> {
  const tiers = input.reward.type === 'lottery' ? (input.reward.tiers ?? []) : [];
  await tx`delete from campaign_tiers where tenant_id = ${tenantId} and campaign_id = ${campaignId} and tier >= ${tiers.length}`;
  if (!tiers.length) return;
  await tx`
    insert into campaign_tiers (tenant_id, campaign_id, tier, name, amount_fen, probability_ppm, prize_count, one_more)
    select ${tenantId}, ${campaignId}, x.tier, x.name, x.amount, x.ppm, x.count, x.one_more::boolean
    from unnest(${tiers.map((_, i) => i)}::smallint[], ${tiers.map((t) => t.name)}::text[], ${tiers.map((t) => t.amountFen)}::bigint[],
      ${tiers.map((t) => toPpm(t.probability))}::int[], ${tiers.map((t) => t.count)}::int[],
      -- booleans as text: postgres.js sends a JS array of booleans as one boolean
      ${tiers.map((t) => (t.oneMore === true ? 'true' : 'false'))}::text[]) as x(tier, name, amount, ppm, count, one_more)
    on conflict (tenant_id, campaign_id, tier) do update set name = excluded.name, amount_fen = excluded.amount_fen,
      probability_ppm = excluded.probability_ppm, prize_count = excluded.prize_count, one_more = excluded.one_more`;
}

export async function createCampaign(ctx: RequestContext, input: CampaignInput): Promise<CampaignView> {
  const t = ctx.actor.tenantId;
  await validated(ctx.sql, t, input);
  const id = await ctx.sql.begin(async (tx) => {
    const l = input.limits ?? {};
    const e = input.eligibility ?? {};
    const [row] = await tx<{ id: string }[]>`
      insert into campaigns (tenant_id, name, reward_type, points, coupon_title, starts_at, ends_at, gtins, regions,
        first_scan_only, new_members_only, per_consumer_daily, per_consumer_total, budget_total_fen, budget_daily_fen,
        prizes_total, prizes_daily)
      values (${t}, ${input.name}, ${input.reward.type}, ${input.reward.points ?? null}, ${input.reward.couponTitle ?? null},
        ${input.startsAt}, ${input.endsAt}, ${gtin14(e.gtins)}, ${e.regions?.length ? e.regions : null},
        ${e.firstScanOnly ?? false}, ${e.newMembersOnly ?? false}, ${l.perConsumerDaily ?? null}, ${l.perConsumerTotal ?? null},
        ${l.budgetTotalFen ?? null}, ${l.budgetDailyFen ?? null}, ${l.prizesTotal ?? null}, ${l.prizesDaily ?? null})
      returning id`;
    const id = Number(row?.id);
    await writeTiers(tx, t, id, input);
    await addCoupons(tx, t, id, input);
    await appendAudit(tx, whoOf(ctx), { action: 'campaign.create', entityType: 'campaign', entityId: id, details: auditDetails(input) });
    return id;
  });
  return getCampaign(ctx.sql, t, id);
}

/** The definition as the audit keeps it: a coupon pool by its size, not its codes (they are the prizes). */
function auditDetails(input: CampaignInput) {
  const { couponCodes: codes, ...reward } = input.reward;
  return { ...input, reward: { ...reward, ...(codes ? { couponCodes: codes.length } : {}) } };
}

export async function updateCampaign(ctx: RequestContext, id: number, input: CampaignInput): Promise<CampaignView> {
  const t = ctx.actor.tenantId;
  await validated(ctx.sql, t, input);
  await ctx.sql.begin(async (tx) => {
    // the tiers' rows first, then the campaign's: the order a claim takes its locks in (claim.ts)
    const kept = await tx<{ tier: number; awarded: number }[]>`
      select tier, awarded from campaign_tiers where tenant_id = ${t} and campaign_id = ${id} order by tier for update`;
    const [c] = await tx<CampaignRow[]>`select * from campaigns where tenant_id = ${t} and id = ${id} for update`;
    if (!c) throw AppError.notFound();
    if (c.status === 'ended') throw new AppError(409, 'campaign.ended');
    const l = input.limits ?? {};
    const e = input.eligibility ?? {};
    const errors: FieldError[] = tierErrors(kept, input);
    if (c.prizes_awarded > 0 || Number(c.spent_fen) > 0) {
      if (input.reward.type !== c.reward_type) errors.push({ pointer: '/body/reward/type', code: 'campaign.reward_type_locked' });
    }
    if (l.budgetTotalFen != null && l.budgetTotalFen < Number(c.spent_fen)) {
      errors.push({ pointer: '/body/limits/budgetTotalFen', code: 'campaign.below_given', params: { given: Number(c.spent_fen) } });
    }
    if (l.prizesTotal != null && l.prizesTotal < c.prizes_awarded) {
      errors.push({ pointer: '/body/limits/prizesTotal', code: 'campaign.below_given', params: { given: c.prizes_awarded } });
    }
    if (errors.length) throw AppError.invalid(errors);
    await tx`
      update campaigns set name = ${input.name}, reward_type = ${input.reward.type}, points = ${input.reward.points ?? null},
        coupon_title = ${input.reward.couponTitle ?? null}, starts_at = ${input.startsAt}, ends_at = ${input.endsAt},
        gtins = ${gtin14(e.gtins)}, regions = ${e.regions?.length ? e.regions : null},
        first_scan_only = ${e.firstScanOnly ?? false}, new_members_only = ${e.newMembersOnly ?? false},
        per_consumer_daily = ${l.perConsumerDaily ?? null}, per_consumer_total = ${l.perConsumerTotal ?? null},
        budget_total_fen = ${l.budgetTotalFen ?? null}, budget_daily_fen = ${l.budgetDailyFen ?? null},
        prizes_total = ${l.prizesTotal ?? null}, prizes_daily = ${l.prizesDaily ?? null}, updated_at = now()
      where tenant_id = ${t} and id = ${id}`;
    await writeTiers(tx, t, id, input);
    await addCoupons(tx, t, id, input);
    await appendAudit(tx, whoOf(ctx), { action: 'campaign.update', entityType: 'campaign', entityId: id, details: auditDetails(input) });
  });
  return getCampaign(ctx.sql, t, id);
}

export async function setCampaignStatus(ctx: RequestContext, id: number, to: CampaignStatus): Promise<CampaignView> {
  const t = ctx.actor.tenantId;
  await ctx.sql.begin(async (tx) => {
    await tx`select 1 from campaign_tiers where tenant_id = ${t} and campaign_id = ${id} for update`;
    // over by the business clock: now, or the day a history player plays (migration 0041)
    const [c] = await tx<{ status: CampaignStatus; over: boolean }[]>`
      select status, ends_at <= business_now() as over from campaigns where tenant_id = ${t} and id = ${id} for update`;
    if (!c) throw AppError.notFound();
    if (!statusChangeAllowed(c.status, to)) throw new AppError(409, 'campaign.status_change', { from: c.status, to });
    if (to === 'active' && c.over) throw new AppError(409, 'campaign.already_over');
    await tx`update campaigns set status = ${to}, updated_at = business_now() where tenant_id = ${t} and id = ${id}`;
    await appendAudit(tx, whoOf(ctx), {
      action: `campaign.${to === 'active' ? 'activate' : to === 'paused' ? 'pause' : 'end'}`,
      entityType: 'campaign',
      entityId: id,
      details: { from: c.status, to },
    });
  });
  return getCampaign(ctx.sql, t, id);
}

export async function getCampaign(sql: Db, tenantId: number, id: number): Promise<CampaignView> {
  const [c] = await sql<CampaignRow[]>`select * from campaigns where tenant_id = ${tenantId} and id = ${id}`;
  if (!c) throw AppError.notFound();
  const tiers = await sql<TierRow[]>`
    select tier, name, amount_fen, probability_ppm, prize_count, awarded, one_more from campaign_tiers
    where tenant_id = ${tenantId} and campaign_id = ${id} order by tier`;
  const [coupons] = await sql<{ total: number; taken: number }[]>`
    select count(*)::int as total, count(reward_id)::int as taken from campaign_coupons where tenant_id = ${tenantId} and campaign_id = ${id}`;
  return campaignView(c, tiers, c.reward_type === 'coupon' ? (coupons ?? null) : null);
}

export async function listCampaigns(sql: Db, tenantId: number, status?: CampaignStatus) {
  const rows = await sql<CampaignRow[]>`
    select * from campaigns where tenant_id = ${tenantId} ${status ? sql`and status = ${status}` : sql``} order by id desc limit 500`;
  return rows.map((c) => campaignView(c, [], null));
}

/**
 * Today's figures and the totals against their limits: what the console's live budget shows. What remains is the
 * least of what every bound leaves: the prize count, and for a lottery its tiers' prizes not yet drawn, for a coupon
 * campaign its pool's coupons not yet given (a lottery of 150 prizes without a prize count has 150 left, not
 * "unlimited"); today's remainder never exceeds the total's.
 */
export async function campaignBudget(sql: Db, tenantId: number, id: number) {
  const [c] = await sql<CampaignRow[]>`select * from campaigns where tenant_id = ${tenantId} and id = ${id}`;
  if (!c) throw AppError.notFound();
  const [today] = await sql<{ spent_fen: string; prizes: number }[]>`
    select spent_fen, prizes from campaign_days where tenant_id = ${tenantId} and campaign_id = ${id}
      and day = (now() at time zone 'Asia/Shanghai')::date`;
  const [stock] =
    c.reward_type === 'lottery'
      ? await sql<{ left: number }[]>`
          select coalesce(sum(greatest(prize_count - awarded, 0)), 0)::int as left from campaign_tiers
          where tenant_id = ${tenantId} and campaign_id = ${id}`
      : c.reward_type === 'coupon'
        ? await sql<{ left: number }[]>`
            select count(*)::int as left from campaign_coupons
            where tenant_id = ${tenantId} and campaign_id = ${id} and reward_id is null`
        : [];
  const left = (limit: number | null, used: number) => (limit === null ? null : Math.max(0, limit - used));
  const least = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  const spent = Number(c.spent_fen);
  const todaySpent = Number(today?.spent_fen ?? 0);
  const todayPrizes = today?.prizes ?? 0;
  const remainingFen = left(num(c.budget_total_fen), spent);
  const prizesRemaining = least(left(c.prizes_total, c.prizes_awarded), stock ? stock.left : null);
  return {
    campaignId: id,
    status: c.status,
    total: {
      spentFen: spent,
      budgetFen: num(c.budget_total_fen),
      remainingFen,
      prizes: c.prizes_awarded,
      prizesLimit: c.prizes_total,
      prizesRemaining,
    },
    today: {
      spentFen: todaySpent,
      budgetFen: num(c.budget_daily_fen),
      remainingFen: least(left(num(c.budget_daily_fen), todaySpent), remainingFen),
      prizes: todayPrizes,
      prizesLimit: c.prizes_daily,
      prizesRemaining: least(left(c.prizes_daily, todayPrizes), prizesRemaining),
    },
  };
}
