/**
 * What staff and the consumer see of a consumer: the identifiers (a phone masked for staff, in full for its owner;
 * WeChat ids are kept only as hashes, so they show as present), the scans of the consumer's devices with their
 * products and regions, points, tier, tags and merges. The resolver records scans by device cookie; they are found
 * by hashing its device ids the way identity.ts hashes identifiers (pgcrypto's hmac, same key).
 */
import type { Db } from '../../context.ts';
import type { Locale } from '../../http/messages.ts';
import { AppError } from '../../http/problem.ts';
import { divisionName } from '../parties/index.ts';
import { type Membership, membershipOf, membershipSettings, type Tier } from './membership.ts';
import { maskPhone, openPhone } from './privacy.ts';
import { takeOutOfSegments } from './rfm/consumer-segments.ts';

export interface IdentifierView {
  kind: string;
  evidence: string;
  addedAt: Date;
  /** the phone number (masked for staff, in full for its owner); null for other kinds */
  phone: string | null;
}

export interface ScanView {
  epc: string;
  gtin: string;
  productZh: string | null;
  productEn: string | null;
  at: Date;
  verdict: string;
  regionCode: string | null;
  region: string | null;
}

export interface LedgerView {
  id: number;
  delta: number;
  kind: string;
  source: string;
  at: Date;
  expiresAt: Date | null;
}

export async function identifiersOf(
  db: Db,
  masterKey: Buffer,
  tenantId: number,
  consumerId: number,
  show: 'masked' | 'full',
): Promise<IdentifierView[]> {
  const rows = await db<{ kind: string; evidence: string; added_at: Date; value_enc: Buffer | null }[]>`
    select kind, evidence, added_at, value_enc from consumer_identifiers
    where tenant_id = ${tenantId} and consumer_id = ${consumerId} order by added_at, kind`;
  return rows.map((r) => {
    const phone = r.kind === 'phone' && r.value_enc ? openPhone(masterKey, tenantId, r.value_enc) : null;
    return { kind: r.kind, evidence: r.evidence, addedAt: r.added_at, phone: phone && show === 'masked' ? maskPhone(phone) : phone };
  });
}

export async function scansOf(
  db: Db,
  identifierKey: Buffer,
  tenantId: number,
  consumerId: number,
  limit = 200,
  locale: Locale = 'zh-CN',
): Promise<ScanView[]> {
  const rows = await db<
    {
      epc: string;
      gtin: string;
      name_zh: string | null;
      name_en: string | null;
      scanned_at: Date;
      verdict: string;
      region_code: string | null;
    }[]
  >`
    with devices as (
      select value_hash from consumer_identifiers where tenant_id = ${tenantId} and consumer_id = ${consumerId} and kind = 'device'
    )
    select s.epc, substr(s.epc, 23, 14) as gtin, p.name_zh, p.name_en, s.scanned_at, s.verdict, s.region_code
    from consumer_scans s
    -- the product of the unit's GTIN (the product's own or one of its packaging levels')
    left join lateral (
      select name_zh, name_en from products p where p.tenant_id = s.tenant_id and (p.gtin = substr(s.epc, 23, 14) or p.id in (
        select product_id from packaging_levels pl where pl.tenant_id = s.tenant_id and pl.gtin = substr(s.epc, 23, 14)))
      limit 1
    ) p on true
    where s.tenant_id = ${tenantId} and s.device_id is not null and exists (select 1 from devices)
      and hmac(convert_to('device', 'UTF8') || '\\x00'::bytea || convert_to(s.device_id::text, 'UTF8'), ${identifierKey}::bytea, 'sha256')
        in (select value_hash from devices)
    order by s.scanned_at desc limit ${limit}`;
  return rows.map((r) => ({
    epc: r.epc,
    gtin: r.gtin,
    productZh: r.name_zh,
    productEn: r.name_en,
    at: r.scanned_at,
    verdict: r.verdict,
    regionCode: r.region_code,
    region: r.region_code ? (divisionName(r.region_code, locale) ?? null) : null,
  }));
}

export async function ledgerOf(db: Db, tenantId: number, consumerId: number, limit = 200): Promise<LedgerView[]> {
  const rows = await db<{ id: string; delta: number; kind: string; source: string; at: Date; expires_at: Date | null }[]>`
    select id::text, delta, kind, source, at, expires_at from points_entries
    where tenant_id = ${tenantId} and consumer_id = ${consumerId} order by id desc limit ${limit}`;
  return rows.map((r) => ({ id: Number(r.id), delta: r.delta, kind: r.kind, source: r.source, at: r.at, expiresAt: r.expires_at }));
}

export async function tagsOf(db: Db, tenantId: number, consumerId: number): Promise<string[]> {
  const rows = await db<{ tag: string }[]>`
    select tag from consumer_tags where tenant_id = ${tenantId} and consumer_id = ${consumerId} order by tag`;
  return rows.map((r) => r.tag);
}

export interface ConsumerState {
  id: number;
  createdAt: Date;
  mergedInto: number | null;
  deletedAt: Date | null;
}

export async function consumerState(db: Db, tenantId: number, id: number): Promise<ConsumerState> {
  const [row] = await db<{ id: string; created_at: Date; merged_into: string | null; deleted_at: Date | null }[]>`
    select id::text, created_at, merged_into::text, deleted_at from consumers where tenant_id = ${tenantId} and id = ${id}`;
  if (!row) throw AppError.notFound();
  return {
    id: Number(row.id),
    createdAt: row.created_at,
    mergedInto: row.merged_into === null ? null : Number(row.merged_into),
    deletedAt: row.deleted_at,
  };
}

export interface ListFilter {
  tier?: string;
  tag?: string;
  /** a consumer found by an exact identifier (e.g. a phone number), resolved by the caller */
  onlyId?: number | null;
  page: number;
  pageSize: number;
}

export interface ConsumerListRow {
  id: number;
  createdAt: Date;
  phone: string | null;
  wechat: boolean;
  balance: number;
  earnedInPeriod: number;
  tier: Tier;
  tags: string[];
}

/** Standing consumers of the brand (not merged away, not deleted), newest first, filtered by tier and tag. */
export async function listConsumers(
  db: Db,
  masterKey: Buffer,
  tenantId: number,
  f: ListFilter,
): Promise<{ items: ConsumerListRow[]; total: number; tiers: Tier[] }> {
  const settings = await membershipSettings(db, tenantId);
  const tiers = settings.tiers;
  let range: [number, number] | null = null;
  if (f.tier) {
    const i = tiers.findIndex((t) => t.code === f.tier);
    if (i < 0) throw AppError.field('/query/tier', 'membership.tier_unknown');
    range = [tiers[i]?.minPoints ?? 0, tiers[i + 1]?.minPoints ?? 2_147_483_647];
  }
  if (f.onlyId === null) return { items: [], total: 0, tiers };
  const rows = await db<
    {
      id: string;
      created_at: Date;
      balance: number;
      earned: number;
      tags: string[] | null;
      phone_enc: Buffer | null;
      wechat: boolean;
      total: number;
    }[]
  >`
    with base as (
      select c.id, c.created_at,
        coalesce((select balance from points_balances b where b.tenant_id = c.tenant_id and b.consumer_id = c.id), 0) as balance,
        coalesce((select sum(delta) from points_entries e where e.tenant_id = c.tenant_id and e.consumer_id = c.id and e.kind = 'earn'
          and e.at > now() - make_interval(days => ${settings.periodDays})), 0)::int as earned,
        (select array_agg(tag order by tag) from consumer_tags t where t.tenant_id = c.tenant_id and t.consumer_id = c.id) as tags,
        (select value_enc from consumer_identifiers i where i.tenant_id = c.tenant_id and i.consumer_id = c.id and i.kind = 'phone' limit 1) as phone_enc,
        exists (select 1 from consumer_identifiers i where i.tenant_id = c.tenant_id and i.consumer_id = c.id and i.kind in ('openid', 'unionid')) as wechat
      from consumers c
      where c.tenant_id = ${tenantId} and c.merged_into is null and c.deleted_at is null
        ${f.onlyId !== undefined ? db`and c.id = ${f.onlyId}` : db``}
        ${f.tag ? db`and exists (select 1 from consumer_tags t where t.tenant_id = c.tenant_id and t.consumer_id = c.id and t.tag = ${f.tag})` : db``}
    )
    select id::text, created_at, balance, earned, tags, phone_enc, wechat, count(*) over ()::int as total from base
    where ${range ? db`earned >= ${range[0]} and earned < ${range[1]}` : db`true`}
    -- newest first by the number, not by its text ("id" alone names the text column: #99 came before #675)
    order by base.id desc limit ${f.pageSize} offset ${(f.page - 1) * f.pageSize}`;
  return {
    items: rows.map((r) => {
      let tier = tiers[0] as Tier;
      for (const t of tiers) if (r.earned >= t.minPoints) tier = t;
      return {
        id: Number(r.id),
        createdAt: r.created_at,
        phone: r.phone_enc ? maskPhone(openPhone(masterKey, tenantId, r.phone_enc)) : null,
        wechat: r.wechat,
        balance: r.balance,
        earnedInPeriod: r.earned,
        tier,
        tags: r.tags ?? [],
      };
    }),
    // a page past the end has no row to carry the count: it says 0
    total: rows[0]?.total ?? 0,
    tiers,
  };
}

export interface Profile {
  id: number;
  createdAt: Date;
  identifiers: IdentifierView[];
  scans: ScanView[];
  membership: Membership;
  ledger: LedgerView[];
  tags: string[];
}

export async function profileOf(
  db: Db,
  keys: { masterKey: Buffer; identifierKey: Buffer },
  tenantId: number,
  consumerId: number,
  show: 'masked' | 'full',
  locale: Locale = 'zh-CN',
): Promise<Profile> {
  const state = await consumerState(db, tenantId, consumerId);
  return {
    id: state.id,
    createdAt: state.createdAt,
    identifiers: await identifiersOf(db, keys.masterKey, tenantId, consumerId, show),
    scans: await scansOf(db, keys.identifierKey, tenantId, consumerId, undefined, locale),
    membership: await membershipOf(db, tenantId, consumerId),
    ledger: await ledgerOf(db, tenantId, consumerId),
    tags: await tagsOf(db, tenantId, consumerId),
  };
}

/** Replaces a consumer's tags; returns the tags before and after. */
export async function setTags(
  db: Db,
  tenantId: number,
  consumerId: number,
  tags: string[],
): Promise<{ before: string[]; after: string[] }> {
  const state = await consumerState(db, tenantId, consumerId);
  if (state.mergedInto !== null || state.deletedAt) throw new AppError(409, 'consumer.not_standing');
  const before = await tagsOf(db, tenantId, consumerId);
  const after = [...new Set(tags.map((t) => t.trim()))].sort();
  await db`delete from consumer_tags where tenant_id = ${tenantId} and consumer_id = ${consumerId} and tag <> all(${after}::text[])`;
  await db`insert into consumer_tags (tenant_id, consumer_id, tag) select ${tenantId}, ${consumerId}, unnest(${after}::text[]) on conflict do nothing`;
  return { before, after };
}

/**
 * Deletes a consumer's personal data at their request, inside the caller's transaction: identifiers (and with them
 * the link to their devices' scans), their codes and messages, tags and sessions; the consumer row stays as an
 * anonymous id under which the ledgers (points, redemptions, rewards) keep their rows for the brand's accounts.
 */
export async function deletePersonalData(db: Db, tenantId: number, consumerId: number): Promise<{ identifiers: number }> {
  const phones = await db<{ value_hash: Buffer }[]>`
    select value_hash from consumer_identifiers where tenant_id = ${tenantId} and consumer_id = ${consumerId} and kind = 'phone'`;
  // hashes as hex: postgres.js sends an array of buffers as one value, not as bytea[]
  const hashes = phones.map((p) => p.value_hash.toString('hex'));
  if (hashes.length) {
    await db`delete from consumer_otps where tenant_id = ${tenantId} and phone_hash in (select decode(unnest(${hashes}::text[]), 'hex'))`;
    await db`delete from sms_outbox where tenant_id = ${tenantId} and to_hash in (select decode(unnest(${hashes}::text[]), 'hex'))`;
  }
  const removed = await db`delete from consumer_identifiers where tenant_id = ${tenantId} and consumer_id = ${consumerId} returning 1`;
  await db`delete from consumer_tags where tenant_id = ${tenantId} and consumer_id = ${consumerId}`;
  await db`delete from consumer_sessions where tenant_id = ${tenantId} and consumer_id = ${consumerId}`;
  // the merge history keeps who merged with whom, not the hashes of the identifiers that moved
  await db`update consumer_merges set moved_identifiers = '[]' where tenant_id = ${tenantId} and (from_consumer = ${consumerId} or into_consumer = ${consumerId})`;
  await db`update consumers set deleted_at = now() where tenant_id = ${tenantId} and id = ${consumerId}`;
  // out of the segments marketing targets at once, and out of their counts
  await takeOutOfSegments(db, tenantId, [consumerId]);
  return { identifiers: removed.length };
}
