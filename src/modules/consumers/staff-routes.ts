/**
 * Consumers for brand staff (`consumers:read`, `consumers:write`): the list and profiles (phones masked), manual
 * tags, undoing a merge, membership tiers and the points mall's items. Every change is audited.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { whoOf } from '../auth/index.ts';
import { expireDuePoints } from './expiry.ts';
import { consumerOf, identifierHasher, identifierKey } from './identity.ts';
import { createMallItem, listMallItems, type MallItemInput, redemptionsOf, updateMallItem } from './mall.ts';
import { type MembershipSettings, membershipSettings, saveMembershipSettings } from './membership.ts';
import { mergedGroup, mergesOf, undoMerge } from './merge.ts';
import { PHONE_PATTERN } from './privacy.ts';
import { prizesOf } from './prizes.ts';
import { consumerState, listConsumers, profileOf, setTags } from './profiles.ts';

const read = { access: 'consumers:read' } as const;
const write = { access: 'consumers:write' } as const;
const tags = ['consumers'];
const Tag = Type.String({ minLength: 1, maxLength: 32, pattern: '^[^\\s,][^,]*$' });
const ItemName = Type.String({ minLength: 1, maxLength: 100 });
const Points = Type.Integer({ minimum: 1, maximum: 10_000_000 });
const Stock = Type.Integer({ minimum: 0, maximum: 10_000_000 });
const TierSchema = strictObject({
  code: Type.String({ pattern: '^[a-z0-9_-]{1,32}$', maxLength: 32 }),
  nameZh: Type.String({ minLength: 1, maxLength: 32 }),
  nameEn: Type.String({ minLength: 1, maxLength: 32 }),
  minPoints: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
});

export async function consumersStaffRoutes(api: FastifyInstance, sql: Sql, masterKey: Buffer): Promise<void> {
  const hash = identifierHasher(masterKey);
  const keys = { masterKey, identifierKey: identifierKey(masterKey) };

  api.get(
    '/consumers',
    {
      config: read,
      schema: {
        tags,
        summary: 'Consumers of the brand (phones masked), newest first; by tier, tag or an exact phone number',
        querystring: strictObject({
          ...Paging,
          tier: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]{1,32}$', maxLength: 32 })),
          tag: Type.Optional(Tag),
          phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 11 })),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const q = req.query as { page: number; pageSize: number; tier?: string; tag?: string; phone?: string };
      const onlyId = q.phone ? await consumerOf(sql, ctx.actor.tenantId, 'phone', hash('phone', q.phone)) : undefined;
      return listConsumers(sql, masterKey, ctx.actor.tenantId, { ...q, onlyId });
    },
  );

  api.get(
    '/consumers/membership',
    { config: read, schema: { tags, summary: 'Membership tiers: thresholds of points earned within the period' } },
    async (req) => membershipSettings(sql, ctxOf(req, sql).actor.tenantId),
  );

  api.put(
    '/consumers/membership',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set the membership tiers (the first at 0 points, thresholds rising)',
        body: strictObject({
          periodDays: Type.Integer({ minimum: 1, maximum: 3660 }),
          tiers: Type.Array(TierSchema, { minItems: 1, maxItems: 10 }),
        }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const body = req.body as MembershipSettings;
      await sql.begin(async (tx) => {
        const before = await membershipSettings(tx, ctx.actor.tenantId);
        await saveMembershipSettings(tx, ctx.actor.tenantId, body);
        await appendAudit(tx, whoOf(ctx), {
          action: 'consumers.membership_set',
          entityType: 'membership_settings',
          entityId: ctx.actor.tenantId,
          details: { before, after: body },
        });
      });
      return membershipSettings(sql, ctx.actor.tenantId);
    },
  );

  api.get(
    '/consumers/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A consumer profile (phone masked): identifiers, scans, points, tags, merges, redemptions and prizes won',
        params: IdParams,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const id = (req.params as { id: number }).id;
      const tenantId = ctx.actor.tenantId;
      const state = await consumerState(sql, tenantId, id);
      if (state.mergedInto === null && !state.deletedAt) await sql.begin((tx) => expireDuePoints(tx, tenantId, id));
      const profile = await profileOf(sql, keys, tenantId, id, 'masked', ctx.locale);
      const group = await mergedGroup(sql, tenantId, id);
      return {
        ...profile,
        mergedInto: state.mergedInto,
        deletedAt: state.deletedAt,
        merges: await mergesOf(sql, tenantId, id),
        redemptions: await redemptionsOf(sql, tenantId, group),
        // what the consumer won in campaigns, as their own page lists it: a complaint is looked up here
        prizes: await prizesOf(sql, tenantId, group),
      };
    },
  );

  api.put(
    '/consumers/:id/tags',
    {
      config: write,
      schema: {
        tags,
        summary: "Set a consumer's manual tags",
        params: IdParams,
        body: strictObject({ tags: Type.Array(Tag, { maxItems: 20 }) }),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const id = (req.params as { id: number }).id;
      return sql.begin(async (tx) => {
        const r = await setTags(tx, ctx.actor.tenantId, id, (req.body as { tags: string[] }).tags);
        await appendAudit(tx, whoOf(ctx), { action: 'consumers.tags_set', entityType: 'consumer', entityId: id, details: r });
        return { tags: r.after };
      });
    },
  );

  api.post(
    '/consumers/merges/:id/undo',
    {
      config: write,
      schema: {
        tags,
        summary: 'Undo a merge: identifiers and points it moved go back; the two consumers stand apart again',
        params: IdParams,
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const mergeId = (req.params as { id: number }).id;
      return sql.begin(async (tx) => {
        const r = await undoMerge(tx, ctx.actor.tenantId, mergeId, `user:${ctx.actor.id}`);
        await appendAudit(tx, whoOf(ctx), {
          action: 'consumers.merge_undone',
          entityType: 'consumer_merge',
          entityId: mergeId,
          details: r,
        });
        return { undone: true, ...r };
      });
    },
  );

  api.get('/mall/items', { config: read, schema: { tags, summary: 'Points mall items' } }, async (req) => ({
    items: await listMallItems(sql, ctxOf(req, sql).actor.tenantId),
  }));

  api.post(
    '/mall/items',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a points mall item (a coupon for points)',
        body: strictObject({
          nameZh: ItemName,
          nameEn: ItemName,
          pointsPrice: Points,
          stock: Stock,
          active: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const item = await sql.begin(async (tx) => {
        const created = await createMallItem(tx, ctx.actor.tenantId, req.body as MallItemInput);
        await appendAudit(tx, whoOf(ctx), {
          action: 'mall.item_created',
          entityType: 'mall_item',
          entityId: created.id,
          details: { ...created },
        });
        return created;
      });
      return reply.status(201).send(item);
    },
  );

  api.patch(
    '/mall/items/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a points mall item (name, price, stock, on offer)',
        params: IdParams,
        body: Type.Object(
          {
            nameZh: Type.Optional(ItemName),
            nameEn: Type.Optional(ItemName),
            pointsPrice: Type.Optional(Points),
            stock: Type.Optional(Stock),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      const ctx = ctxOf(req, sql);
      const id = (req.params as { id: number }).id;
      return sql.begin(async (tx) => {
        const item = await updateMallItem(tx, ctx.actor.tenantId, id, req.body as Partial<MallItemInput>);
        await appendAudit(tx, whoOf(ctx), {
          action: 'mall.item_changed',
          entityType: 'mall_item',
          entityId: id,
          details: { ...(req.body as object) },
        });
        return item;
      });
    },
  );
}
