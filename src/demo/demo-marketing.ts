/**
 * The marketer's side of the demo brand's history (demo-history.ts): the brand's scan campaigns over part of the
 * played months and its consumers' claims of the units they scanned, so a first start's campaign, campaign results,
 * rewards ledger, consumers, segments and fraud review pages have something to show.
 *
 * As the rest of the history, nothing here writes a fact directly. The campaigns are created, started and ended with
 * the incentives module's own functions as the brand's admin (campaigns.ts); a consumer who scanned a unit claims it
 * with the hidden verification code printed on it, through the claim desk and batch the /claim route uses
 * (claim-desk.ts, claim-batch.ts), so the consumers module recognises the device as a consumer, books its points,
 * and the fraud check judges each claim; owed red packets are marked paid each week as the marketer does in the
 * console (ledger.ts). Everything happens on the history's own connection at the moment of the day being played
 * (the business clock, migrations 0041, 0042, 0045).
 *
 * Who scans and claims what is drawn from the seed; the lottery's prizes are drawn by the product (server-side
 * crypto randomness, as for every real claim), so the red packets won differ from one first start to another.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../context.ts';
import type { Sql } from '../db/connection.ts';
import type { Keystore } from '../modules/codes/keystore.ts';
import { verificationCodeFor } from '../modules/codes/verification.ts';
import { refreshConsumerSegments } from '../modules/consumers/rfm/consumer-segments.ts';
import { createCampaign, setCampaignStatus } from '../modules/incentives/campaigns.ts';
import { createProgram, setProgramStatus } from '../modules/incentives/channel/programs.ts';
import { ClaimProcessor } from '../modules/incentives/claim-batch.ts';
import { type ClaimRequest, ClaimVerifier } from '../modules/incentives/claim-desk.ts';
import type { CampaignInput } from '../modules/incentives/definition.ts';
import { markPaid } from '../modules/incentives/ledger.ts';
import type { Channel } from '../modules/planning/simulator/product-tenant.ts';
import { DEFAULT_THROTTLE } from '../modules/resolver/throttle.ts';
import { seededRandom } from './random.ts';

/** A consumer's phone as the product sees it: its device cookie and its address. */
export interface Phone {
  deviceId: string;
  ip: string;
}

/** The phone named `name`: a random-looking device cookie (a v4 UUID, as the resolver sets) and a carrier's address. */
export function seededPhone(name: string): Phone {
  const hex = createHash('sha256').update(name).digest('hex');
  const byte = (k: number) => Number.parseInt(hex.slice(32 + 2 * k, 34 + 2 * k), 16);
  return {
    deviceId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
    ip: `10.${byte(0)}.${byte(1)}.${byte(2)}`,
  };
}

export interface MarketingInfo {
  campaigns: number;
  /** channel incentive programs (the sell-out rebate) */
  programs: number;
  /** claims the consumers made (with the right hidden code) */
  claims: number;
  /** rewards won: points, red packets, one-more tickets */
  rewards: number;
  /** red packets the marketer marked paid */
  paid: number;
  /** claims the fraud check refused */
  fraudRefused: number;
  /** consumers the product knows (devices that claimed) */
  consumers: number;
}

interface Scheduled {
  day: number;
  run: () => Promise<void>;
}

/** The business moment of a day's start (00:00 China time) and its share of the history, for the campaigns' windows. */
export interface HistoryDays {
  days: number;
  /** 00:00 China time of day `day` */
  start: (day: number) => Date;
}

/**
 * The brand's marketing over the history: call `beforeSales` at each day's sales moment (the campaigns the marketer
 * starts or ends that day), `scanned` for each consumer scan, `afterSales` when the scans of a moment are done (their
 * claims are decided together, as one batch of the claim desk), `weekEnd` at each week's end, and `finish` once played.
 */
export async function demoMarketing(
  sql: Sql,
  ch: Channel,
  o: { keystore: Keystore; masterKey: Buffer; admin: RequestContext; history: HistoryDays; seed: number; claimShare: number },
) {
  const rnd = seededRandom(o.seed ^ 0xca4a);
  // the brand's keys: the hidden code printed under each unit's label is the one the claim desk checks
  const keys = await o.keystore.keyring(sql, ch.tenantId);
  const desk = new ClaimVerifier(sql, o.keystore, o.masterKey, new ClaimProcessor(sql, DEFAULT_THROTTLE, { onRedecided: () => {} }));
  const info: MarketingInfo = { campaigns: 0, programs: 0, claims: 0, rewards: 0, paid: 0, fraudRefused: 0, consumers: 0 };
  const campaignIds: number[] = [];
  const { days } = o.history;
  const at = (share: number) => Math.max(0, Math.min(days - 1, Math.round(days * share)));
  const lottery = { starts: at(0.35), ends: at(0.8) };
  const rebate = { starts: at(0.55), ends: at(0.8) };
  /** days a collector's phone scans and claims a pile of codes within minutes (the fraud check's device burst) */
  const collectorDays = new Set([at(0.45), at(0.6), at(0.75)]);
  let pending: ClaimRequest[] = [];

  const start = async (input: CampaignInput) => {
    const c = await createCampaign(o.admin, input);
    await setCampaignStatus(o.admin, c.id, 'active');
    campaignIds.push(c.id);
    info.campaigns++;
    return c.id;
  };
  const schedule: Scheduled[] = [
    {
      // points for every scan of any product, national, still running today
      day: at(0.2),
      run: async () => {
        await start({
          name: '扫码积分 · 会员日常',
          startsAt: o.history.start(at(0.2)).toISOString(),
          endsAt: o.history.start(days + 90).toISOString(),
          reward: { type: 'points', points: 10 },
          limits: { perConsumerDaily: 5 },
        });
      },
    },
    {
      // a red-packet lottery with a one-more tier on half the SKUs, in the provinces of half the slice, first scans only
      day: lottery.starts,
      run: async () => {
        const gtins = ch.skus.slice(0, Math.max(1, Math.ceil(ch.skus.length / 2))).map((s) => s.unit);
        const [cheapest] = await sql<{ fen: number }[]>`
          select min(list_price_fen)::int as fen from products where tenant_id = ${ch.tenantId} and gtin = any(${gtins}::char(14)[])`;
        const provinces = await sql<{ code: string }[]>`
          select distinct province_code as code from parties where tenant_id = ${ch.tenantId}
            and id = any(${ch.distributors.slice(0, Math.max(1, Math.ceil(ch.distributors.length / 2))).map((d) => d.id)}::bigint[])
            and province_code is not null order by 1`;
        const id = await start({
          name: '开箱扫码赢红包',
          startsAt: o.history.start(lottery.starts).toISOString(),
          endsAt: o.history.start(lottery.ends).toISOString(),
          reward: {
            type: 'lottery',
            tiers: [
              { name: '一等奖 20元红包', amountFen: 2000, probability: 0.01, count: 50 },
              { name: '二等奖 5元红包', amountFen: 500, probability: 0.08, count: 500 },
              { name: '三等奖 1元红包', amountFen: 100, probability: 0.3, count: 5000 },
              { name: '再来一瓶', amountFen: cheapest?.fen || 500, probability: 0.03, count: 300, oneMore: true },
            ],
          },
          eligibility: { gtins, regions: provinces.map((p) => p.code), firstScanOnly: true },
          limits: { budgetTotalFen: 100_000, budgetDailyFen: 10_000, perConsumerDaily: 3 },
        });
        schedule.push({ day: lottery.ends, run: async () => void (await setCampaignStatus(o.admin, id, 'ended')) });
      },
    },
    {
      // a sell-out rebate (动销返利) for some weeks: every sale a consumer proves pays the store and its distributor.
      // While it runs, the claim batch pays claim by claim (claim-batch.ts), so it is kept short
      day: rebate.starts,
      run: async () => {
        const p = await createProgram(o.admin, {
          name: '动销返利 · 消费者扫码验真',
          kind: 'sellout_rebate',
          startsAt: o.history.start(rebate.starts).toISOString(),
          endsAt: o.history.start(rebate.ends).toISOString(),
          per: 'unit',
          amountFen: 50,
          upstreamAmountFen: 20,
          totalBudgetFen: 200_000,
          dailyBudgetFen: 5_000,
        });
        await setProgramStatus(o.admin, p.id, 'active');
        info.programs++;
        schedule.push({ day: rebate.ends, run: async () => void (await setProgramStatus(o.admin, p.id, 'ended')) });
      },
    },
  ];

  return {
    info,
    async beforeSales(day: number): Promise<void> {
      for (const s of schedule.filter((x) => x.day === day)) await s.run();
    },
    /** A consumer's scan of a unit: some type the hidden code under the label and claim what the campaigns give. */
    scanned(epc: string, phone: Phone): void {
      if (!campaignIds.length || rnd.next() >= o.claimShare) return;
      pending.push(claimOf(epc, phone));
    },
    /** The units a collector's phone scans and claims on one of its days (null on other days). */
    collects(day: number): Phone | null {
      if (!collectorDays.has(day) || !campaignIds.length) return null;
      return seededPhone(`demo history collector ${o.seed} ${day}`);
    },
    claim(epc: string, phone: Phone): void {
      pending.push(claimOf(epc, phone));
    },
    async afterSales(): Promise<void> {
      if (!pending.length) return;
      const requests = pending;
      pending = [];
      const answers = await Promise.all(desk.claimAll(requests));
      for (const a of answers) {
        if (a.kind === 'fraud_refused') info.fraudRefused++;
        if (a.kind !== 'claimed') continue;
        info.claims++;
        info.rewards += a.results.filter((r) => r.outcome === 'won').length;
      }
    },
    /** The week's payout: the red packets won before this week are paid (the last week's stay owed). */
    async weekEnd(): Promise<void> {
      for (const id of campaignIds) {
        const owed = await sql<{ id: number }[]>`
          select id::int from campaign_rewards where tenant_id = ${ch.tenantId} and campaign_id = ${id}
            and status = 'awarded' and kind = 'red_packet' and claimed_at < business_now() - interval '7 days' order by id`;
        if (owed.length)
          info.paid += (
            await markPaid(
              o.admin,
              id,
              owed.map((r) => r.id),
            )
          ).paid;
      }
    },
    /** The consumers' segments computed once (the segments page's refresh), and the consumers counted. */
    async finish(): Promise<MarketingInfo> {
      await refreshConsumerSegments(sql, ch.tenantId, o.masterKey, null, async () => {});
      const [n] = await sql<{ n: number }[]>`select count(*)::int as n from consumers where tenant_id = ${ch.tenantId}`;
      info.consumers = n?.n ?? 0;
      return info;
    },
  };

  function claimOf(epc: string, phone: Phone): ClaimRequest {
    const m = /\/01\/(\d{14})\/21\/([^/?#]+)/.exec(epc);
    if (!m) throw new Error(`demo history: ${epc} is not a unit's link`);
    const gtin = m[1] as string;
    const serial = decodeURIComponent(m[2] as string);
    const code = verificationCodeFor(keys, gtin, serial);
    if (!code) throw new Error(`demo history: ${epc} has no hidden code under the brand's keys`);
    return { gtin, serial, code, deviceId: phone.deviceId, ip: phone.ip };
  }
}
