/**
 * Membership tiers: the points a consumer earned within the brand's period (default 365 days) decide the tier, by
 * thresholds the brand sets (default 普通 0 / 银卡 1,000 / 金卡 5,000). Spending does not lower a tier; expiry neither.
 */
import type { Db } from '../../context.ts';
import { AppError } from '../../http/problem.ts';

export interface Tier {
  code: string;
  nameZh: string;
  nameEn: string;
  minPoints: number;
}

export interface MembershipSettings {
  periodDays: number;
  tiers: Tier[];
}

export const DEFAULT_MEMBERSHIP: MembershipSettings = {
  periodDays: 365,
  tiers: [
    { code: 'standard', nameZh: '普通会员', nameEn: 'Standard', minPoints: 0 },
    { code: 'silver', nameZh: '银卡会员', nameEn: 'Silver', minPoints: 1000 },
    { code: 'gold', nameZh: '金卡会员', nameEn: 'Gold', minPoints: 5000 },
  ],
};

export async function membershipSettings(db: Db, tenantId: number): Promise<MembershipSettings> {
  const [row] = await db<{ period_days: number; tiers: Tier[] }[]>`
    select period_days, tiers from membership_settings where tenant_id = ${tenantId}`;
  return row ? { periodDays: row.period_days, tiers: row.tiers } : DEFAULT_MEMBERSHIP;
}

/** Checks a brand's tiers: the first at 0, thresholds strictly rising, codes unique. */
export function checkTiers(tiers: Tier[]): void {
  if (tiers[0]?.minPoints !== 0) throw AppError.field('/body/tiers/0/minPoints', 'membership.first_tier_zero');
  const codes = new Set<string>();
  tiers.forEach((t, i) => {
    if (codes.has(t.code)) throw AppError.field(`/body/tiers/${i}/code`, 'membership.tier_code_duplicate');
    codes.add(t.code);
    const prev = tiers[i - 1];
    if (prev && t.minPoints <= prev.minPoints) throw AppError.field(`/body/tiers/${i}/minPoints`, 'membership.tiers_not_rising');
  });
}

export async function saveMembershipSettings(db: Db, tenantId: number, s: MembershipSettings): Promise<void> {
  checkTiers(s.tiers);
  await db`insert into membership_settings (tenant_id, period_days, tiers, updated_at)
    values (${tenantId}, ${s.periodDays}, ${db.json(s.tiers as never)}, now())
    on conflict (tenant_id) do update set period_days = excluded.period_days, tiers = excluded.tiers, updated_at = now()`;
}

/** The tier for an amount of points earned in the period. */
export function tierFor(settings: MembershipSettings, earned: number): Tier {
  let tier = settings.tiers[0] as Tier;
  for (const t of settings.tiers) if (earned >= t.minPoints) tier = t;
  return tier;
}

/** Points a consumer earned (earn entries) within the period ending now. */
export async function earnedInPeriod(db: Db, tenantId: number, consumerId: number, periodDays: number): Promise<number> {
  const [row] = await db<{ s: number }[]>`
    select coalesce(sum(delta), 0)::int as s from points_entries
    where tenant_id = ${tenantId} and consumer_id = ${consumerId} and kind = 'earn' and at > now() - make_interval(days => ${periodDays})`;
  return row?.s ?? 0;
}

export interface Membership {
  balance: number;
  earnedInPeriod: number;
  periodDays: number;
  tier: Tier;
  /** the next tier and the points still to earn for it, if any */
  next: { tier: Tier; pointsToGo: number } | null;
}

export async function membershipOf(db: Db, tenantId: number, consumerId: number): Promise<Membership> {
  const settings = await membershipSettings(db, tenantId);
  const earned = await earnedInPeriod(db, tenantId, consumerId, settings.periodDays);
  const [b] = await db<{ balance: number }[]>`
    select balance from points_balances where tenant_id = ${tenantId} and consumer_id = ${consumerId}`;
  const tier = tierFor(settings, earned);
  const nextTier = settings.tiers.find((t) => t.minPoints > earned);
  return {
    balance: b?.balance ?? 0,
    earnedInPeriod: earned,
    periodDays: settings.periodDays,
    tier,
    next: nextTier ? { tier: nextTier, pointsToGo: nextTier.minPoints - earned } : null,
  };
}
