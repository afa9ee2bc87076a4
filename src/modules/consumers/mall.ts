/**
 * The points mall: coupons for points. A redemption claims its idempotency key, takes one from stock (the row lock
 * and the stock >= 0 check keep it from overselling), expires due points and spends the price, and issues a coupon
 * code, all in one transaction: it happens entirely or not at all, and a retry with the same key returns the first
 * redemption without paying again.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../context.ts';
import type { Sql } from '../../db/connection.ts';
import { AppError } from '../../http/problem.ts';
import { expireDuePoints } from './expiry.ts';
import { standingConsumer } from './merge.ts';
import { bookPoints } from './points.ts';

export interface MallItem {
  id: number;
  nameZh: string;
  nameEn: string;
  pointsPrice: number;
  stock: number;
  active: boolean;
  createdAt: Date;
}

export interface MallItemInput {
  nameZh: string;
  nameEn: string;
  pointsPrice: number;
  stock: number;
  active?: boolean;
}

interface ItemRow {
  id: string;
  name_zh: string;
  name_en: string;
  points_price: number;
  stock: number;
  active: boolean;
  created_at: Date;
}

const toItem = (r: ItemRow): MallItem => ({
  id: Number(r.id),
  nameZh: r.name_zh,
  nameEn: r.name_en,
  pointsPrice: r.points_price,
  stock: r.stock,
  active: r.active,
  createdAt: r.created_at,
});

export async function listMallItems(db: Db, tenantId: number, opts: { activeOnly?: boolean } = {}): Promise<MallItem[]> {
  const rows = await db<ItemRow[]>`
    select id::text, name_zh, name_en, points_price, stock, active, created_at from mall_items
    where tenant_id = ${tenantId} ${opts.activeOnly ? db`and active` : db``} order by id limit 500`;
  return rows.map(toItem);
}

export async function createMallItem(db: Db, tenantId: number, input: MallItemInput): Promise<MallItem> {
  const [row] = await db<ItemRow[]>`
    insert into mall_items (tenant_id, name_zh, name_en, points_price, stock, active)
    values (${tenantId}, ${input.nameZh}, ${input.nameEn}, ${input.pointsPrice}, ${input.stock}, ${input.active ?? true})
    returning id::text, name_zh, name_en, points_price, stock, active, created_at`;
  return toItem(row as ItemRow);
}

export async function updateMallItem(db: Db, tenantId: number, id: number, input: Partial<MallItemInput>): Promise<MallItem> {
  const [row] = await db<ItemRow[]>`
    update mall_items set
      name_zh = coalesce(${input.nameZh ?? null}, name_zh),
      name_en = coalesce(${input.nameEn ?? null}, name_en),
      points_price = coalesce(${input.pointsPrice ?? null}::int, points_price),
      stock = coalesce(${input.stock ?? null}::int, stock),
      active = coalesce(${input.active ?? null}::boolean, active),
      updated_at = now()
    where tenant_id = ${tenantId} and id = ${id}
    returning id::text, name_zh, name_en, points_price, stock, active, created_at`;
  if (!row) throw AppError.notFound();
  return toItem(row);
}

export interface Redemption {
  id: number;
  itemId: number;
  points: number;
  couponCode: string;
  at: Date;
}

interface RedemptionRow {
  id: string;
  consumer_id: string;
  item_id: string;
  points: number;
  coupon_code: string;
  at: Date;
}

const toRedemption = (r: RedemptionRow): Redemption => ({
  id: Number(r.id),
  itemId: Number(r.item_id),
  points: r.points,
  couponCode: r.coupon_code,
  at: r.at,
});

/** 16 characters of Crockford base32: 80 random bits, unguessable. */
function couponCode(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(16);
  let s = '';
  for (const b of bytes) s += alphabet[b & 31];
  return s;
}

/**
 * Redeems an item for a consumer. `created` is false when the key was used before (the first redemption is
 * returned); a key used by another consumer is refused.
 */
export async function redeem(
  sql: Sql,
  tenantId: number,
  consumerId: number,
  itemId: number,
  idempotencyKey: string,
): Promise<{ redemption: Redemption; created: boolean }> {
  const previous = async (db: Db) => {
    const [r] = await db<RedemptionRow[]>`
      select id::text, consumer_id::text, item_id::text, points, coupon_code, at from mall_redemptions
      where tenant_id = ${tenantId} and idempotency_key = ${idempotencyKey}`;
    if (!r) return null;
    // the same consumer (the one who redeemed may have been merged into this one since) and the same item
    const same = Number(r.consumer_id) === consumerId || (await standingConsumer(db, tenantId, Number(r.consumer_id))) === consumerId;
    if (!same || Number(r.item_id) !== itemId) throw new AppError(409, 'mall.idempotency_key_reused');
    return { redemption: toRedemption(r), created: false };
  };
  const before = await previous(sql);
  if (before) return before;
  try {
    return (await sql.begin(async (tx) => {
      const [item] = await tx<{ points_price: number }[]>`
        update mall_items set stock = stock - 1, updated_at = now()
        where tenant_id = ${tenantId} and id = ${itemId} and active and stock > 0 returning points_price`;
      if (!item) {
        const [exists] = await tx`select 1 from mall_items where tenant_id = ${tenantId} and id = ${itemId} and active`;
        throw exists ? new AppError(409, 'mall.out_of_stock') : AppError.notFound();
      }
      const [r] = await tx<RedemptionRow[]>`
        insert into mall_redemptions (tenant_id, consumer_id, item_id, idempotency_key, points, coupon_code)
        values (${tenantId}, ${consumerId}, ${itemId}, ${idempotencyKey}, ${item.points_price}, ${couponCode()})
        returning id::text, consumer_id::text, item_id::text, points, coupon_code, at`;
      await expireDuePoints(tx, tenantId, consumerId);
      await bookPoints(tx, { tenantId, consumerId, delta: -item.points_price, kind: 'spend', source: `mall:${idempotencyKey}` });
      return { redemption: toRedemption(r as RedemptionRow), created: true };
    })) as { redemption: Redemption; created: boolean };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '23514') throw new AppError(409, 'points.insufficient');
    if (code === '23505') {
      // the same key committed by a concurrent retry: answer with that redemption
      const again = await previous(sql);
      if (again) return again;
    }
    throw e;
  }
}

export async function redemptionsOf(
  db: Db,
  tenantId: number,
  consumerIds: number[],
): Promise<(Redemption & { nameZh: string; nameEn: string })[]> {
  const rows = await db<(RedemptionRow & { name_zh: string; name_en: string })[]>`
    select r.id::text, r.consumer_id::text, r.item_id::text, r.points, r.coupon_code, r.at, i.name_zh, i.name_en
    from mall_redemptions r join mall_items i on i.tenant_id = r.tenant_id and i.id = r.item_id
    where r.tenant_id = ${tenantId} and r.consumer_id = any(${consumerIds}::bigint[]) order by r.id desc limit 200`;
  return rows.map((r) => ({ ...toRedemption(r), nameZh: r.name_zh, nameEn: r.name_en }));
}
