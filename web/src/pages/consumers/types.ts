/** What the consumers API answers (src/modules/consumers). */
import type { PrizeView as Prize } from '../../../../src/modules/consumers/prizes.ts';

/** A prize won in a campaign, as the consumer's own page lists it too. */
export type { Prize };

export interface Tier {
  code: string;
  nameZh: string;
  nameEn: string;
  minPoints: number;
}

export interface ConsumerRow {
  id: number;
  createdAt: string;
  phone: string | null;
  wechat: boolean;
  balance: number;
  earnedInPeriod: number;
  tier: Tier;
  tags: string[];
}

export interface ConsumerProfile {
  id: number;
  createdAt: string;
  mergedInto: number | null;
  deletedAt: string | null;
  identifiers: { kind: string; evidence: string; addedAt: string; phone: string | null }[];
  scans: {
    epc: string;
    gtin: string;
    productZh: string | null;
    productEn: string | null;
    at: string;
    verdict: string;
    regionCode: string | null;
    region: string | null;
  }[];
  membership: { balance: number; earnedInPeriod: number; periodDays: number; tier: Tier; next: { tier: Tier; pointsToGo: number } | null };
  ledger: { id: number; delta: number; kind: string; source: string; at: string; expiresAt: string | null }[];
  tags: string[];
  merges: {
    id: number;
    fromConsumer: number;
    intoConsumer: number;
    evidence: string;
    triggerKind: string;
    at: string;
    movedIdentifiers: number;
    movedEntries: number;
    undoneAt: string | null;
  }[];
  redemptions: { id: number; itemId: number; points: number; couponCode: string; at: string; nameZh: string; nameEn: string }[];
  prizes: Prize[];
}

export interface MallItem {
  id: number;
  nameZh: string;
  nameEn: string;
  pointsPrice: number;
  stock: number;
  active: boolean;
  createdAt: string;
}

export const tierName = (t: Tier, lang: string) => (lang === 'en' ? t.nameEn : t.nameZh);
