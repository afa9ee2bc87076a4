/**
 * The prizes a consumer won in campaigns (red packets, one-more tickets, coupons; points are in the points ledger),
 * newest first. One query for the consumer's own page (`GET /me/prizes`) and the staff's profile
 * (`GET /consumers/{id}`): a complaint ("I won ¥5 and never got it") is looked up on what the consumer sees.
 */
import type { Db } from '../../context.ts';
import { parseDigitalLink } from '../../platform/digital-link.ts';

export interface PrizeView {
  id: number;
  campaignId: number;
  campaignName: string;
  kind: 'red_packet' | 'one_more' | 'coupon';
  amountFen: number;
  couponCode: string | null;
  tierName: string | null;
  /** awarded: owed to the consumer; paid: handed over (a red packet sent, a coupon issued) */
  status: 'awarded' | 'paid';
  claimedAt: string;
  paidAt: string | null;
  /** the unit's code as stored (GS1 Digital Link) and its GTIN and serial, as printed under the QR */
  code: string;
  gtin: string | null;
  serial: string | null;
  /** a one-more ticket: when a store redeemed it (null while it is still to be taken to a store) */
  redeemedAt: string | null;
}

/** The unit's GTIN and serial of a stored code; null for a code that is not a unit's. */
function unitOf(code: string): { gtin: string | null; serial: string | null } {
  const dl = parseDigitalLink(code);
  if (!dl.ok || dl.value.primaryKey.ai !== '01') return { gtin: null, serial: null };
  return { gtin: dl.value.primaryKey.value, serial: dl.value.qualifiers.find((q) => q.ai === '21')?.value ?? null };
}

/**
 * The prizes of the given consumers (a consumer and those merged into it: `mergedGroup`), in the tenant; at most
 * `limit`, newest first.
 */
export async function prizesOf(db: Db, tenantId: number, consumerIds: number[], limit = 200): Promise<PrizeView[]> {
  if (consumerIds.length === 0) return [];
  const rows = await db<
    {
      id: string;
      campaign_id: string;
      campaign_name: string;
      kind: PrizeView['kind'];
      amount_fen: string;
      coupon_code: string | null;
      tier_name: string | null;
      status: PrizeView['status'];
      claimed_at: Date;
      paid_at: Date | null;
      epc: string;
      redeemed_at: Date | null;
    }[]
  >`
    select r.id, r.campaign_id, c.name as campaign_name, r.kind, r.amount_fen, r.coupon_code, t.name as tier_name, r.status,
      r.claimed_at, r.paid_at, r.epc, case when r.kind = 'one_more' then k.redeemed_at end as redeemed_at
    from campaign_rewards r
    join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
    left join campaign_tiers t on t.tenant_id = r.tenant_id and t.campaign_id = r.campaign_id and t.tier = r.tier
    left join one_more_tickets k on k.tenant_id = r.tenant_id and k.epc = r.epc
    where r.tenant_id = ${tenantId} and r.consumer_id = any(${consumerIds}::bigint[])
      and r.kind in ('red_packet', 'one_more', 'coupon') and r.status <> 'no_prize'
    order by r.id desc limit ${limit}`;
  return rows.map((r) => ({
    id: Number(r.id),
    campaignId: Number(r.campaign_id),
    campaignName: r.campaign_name,
    kind: r.kind,
    amountFen: Number(r.amount_fen),
    couponCode: r.coupon_code,
    tierName: r.tier_name,
    status: r.status,
    claimedAt: r.claimed_at.toISOString(),
    paidAt: r.paid_at?.toISOString() ?? null,
    code: r.epc,
    ...unitOf(r.epc),
    redeemedAt: r.redeemed_at?.toISOString() ?? null,
  }));
}
