/**
 * The consumer's own endpoints, /api/v1/me/... (public to the access gate; authenticated here): the device cookie
 * `tl_device` the resolver issues identifies the device; personal data and spending need a consumer session from a
 * phone code (`tl_consumer`, bound to the device). Every call names its brand (`?brand=<tenant code>`). Writes carry
 * the CSRF header like the console's. Rate-limited per address; the code flows have their own limits (otp.ts).
 */
import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { CSRF_HEADER } from '../../http/access.ts';
import { deviceOf } from '../../http/device-cookie.ts';
import { AppError } from '../../http/problem.ts';
import { Id, strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { expireDuePoints } from './expiry.ts';
import { consumerFor, consumerOf, identifierHasher, identifierKey } from './identity.ts';
import { listMallItems, redeem, redemptionsOf } from './mall.ts';
import { membershipOf } from './membership.ts';
import { bindProven, mergedGroup, standingConsumer } from './merge.ts';
import { OtpService } from './otp.ts';
import { PHONE_PATTERN, sealPhone } from './privacy.ts';
import { prizesOf } from './prizes.ts';
import { deletePersonalData, profileOf } from './profiles.ts';
import { CONSUMER_SESSION_COOKIE, closeSession, openSession, sessionConsumer, sessionHasher } from './sessions.ts';
import type { ConsumersSettings } from './settings.ts';
import { type SmsSender, smsSender } from './sms.ts';
import { WechatClient } from './wechat.ts';

const tags = ['consumer self-service'];
const BrandQuery = Type.Object(
  { brand: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$', maxLength: 40 }) },
  { additionalProperties: false },
);
const Phone = Type.String({ pattern: PHONE_PATTERN, maxLength: 11 });

export interface MeRoutesDeps {
  sql: Sql;
  masterKey: Buffer;
  settings: ConsumersSettings;
  /** the SMS provider (default: the one the settings name) */
  sms?: SmsSender;
}

export async function meRoutes(api: FastifyInstance, deps: MeRoutesDeps): Promise<void> {
  const { sql, masterKey, settings } = deps;
  const hash = identifierHasher(masterKey);
  const idKey = identifierKey(masterKey);
  const sessionHash = sessionHasher(masterKey);
  const addressKey = createHmac('sha256', masterKey).update('throughline consumer otp address v1').digest();
  const otp = new OtpService(sql, idKey, deps.sms ?? smsSender(settings.sms, masterKey, hash), settings.otp);
  const wechat = new WechatClient(settings.wechat);
  const config = { access: 'public' as const, rateLimit: { max: settings.perMinute, timeWindow: '1 minute' } };
  const tenants = new Map<string, number>();

  const tenantOf = async (req: FastifyRequest): Promise<number> => {
    const brand = (req.query as { brand: string }).brand;
    const known = tenants.get(brand);
    if (known !== undefined) return known;
    const [t] = await sql<{ id: number }[]>`select id from tenants where code = ${brand}`;
    if (!t) throw AppError.field('/query/brand', 'consumer.brand_unknown');
    tenants.set(brand, t.id);
    return t.id;
  };

  const csrf = (req: FastifyRequest) => {
    if (req.headers[CSRF_HEADER] === undefined) throw new AppError(403, 'auth.csrf');
  };

  /** The consumer signed in on this device, or null. */
  const signedInConsumer = async (req: FastifyRequest, reply: FastifyReply, tenantId: number) => {
    const token = req.cookies?.[CONSUMER_SESSION_COOKIE];
    if (!token) return null;
    const deviceHash = hash('device', deviceOf(req, reply, false));
    const deviceConsumer = await consumerOf(sql, tenantId, 'device', deviceHash);
    return sessionConsumer(sql, sessionHash, tenantId, token, deviceHash, deviceConsumer);
  };

  /** The consumer of the session on this device, or 401. */
  const sessionOf = async (req: FastifyRequest, reply: FastifyReply, tenantId: number) => {
    const consumer = await signedInConsumer(req, reply, tenantId);
    if (consumer === null) throw AppError.unauthorized('consumer.session_required');
    return consumer;
  };

  // whether this device is signed in, answered 200 either way: the account page asks it first, so a consumer who is
  // not signed in does not see a failed request (401) in the browser's console on every visit
  api.get(
    '/me/session',
    { config, schema: { tags, summary: 'Whether this device is signed in (200 either way)', querystring: BrandQuery } },
    async (req, reply) => {
      const consumer = await signedInConsumer(req, reply, await tenantOf(req));
      return reply.header('cache-control', 'no-store').send({ signedIn: consumer !== null });
    },
  );

  api.post(
    '/me/otp',
    {
      config,
      schema: {
        tags,
        summary: 'Send a one-time code to a phone (limited per phone, device and address)',
        querystring: BrandQuery,
        body: strictObject({ phone: Phone }),
      },
    },
    async (req, reply) => {
      csrf(req);
      const tenantId = await tenantOf(req);
      const device = deviceOf(req, reply, true);
      const { phone } = req.body as { phone: string };
      const sent = await otp.send({
        tenantId,
        phone,
        phoneHash: hash('phone', phone),
        deviceHash: hash('device', device),
        addressHash: createHmac('sha256', addressKey).update(req.ip).digest(),
        locale: req.locale,
      });
      return reply.status(202).header('cache-control', 'no-store').send(sent);
    },
  );

  api.post(
    '/me/otp/verify',
    {
      config,
      schema: {
        tags,
        summary: 'Prove a phone with its code: binds it to this device (merging with the consumer it belongs to) and signs in',
        querystring: BrandQuery,
        body: strictObject({ phone: Phone, code: Type.String({ pattern: '^[0-9]{6}$', maxLength: 6 }) }),
      },
    },
    async (req, reply) => {
      csrf(req);
      const tenantId = await tenantOf(req);
      const device = deviceOf(req, reply, false);
      const { phone, code } = req.body as { phone: string; code: string };
      const phoneHash = hash('phone', phone);
      const deviceHash = hash('device', device);
      await otp.check(tenantId, phoneHash, deviceHash, code);
      const deviceConsumer = await consumerFor(sql, tenantId, 'device', deviceHash, 'cookie');
      const bound = await bindProven(
        sql,
        tenantId,
        deviceConsumer,
        [{ kind: 'phone', hash: phoneHash, enc: sealPhone(masterKey, tenantId, phone) }],
        'otp',
      );
      const token = await openSession(sql, sessionHash, tenantId, bound.consumerId, deviceHash, settings.sessionDays);
      reply.setCookie(CONSUMER_SESSION_COOKIE, token, {
        path: '/api/v1/me',
        httpOnly: true,
        sameSite: 'lax',
        secure: req.protocol === 'https',
        maxAge: settings.sessionDays * 24 * 3600,
      });
      return reply.header('cache-control', 'no-store').send({ signedIn: true, merged: bound.mergeIds.length > 0 });
    },
  );

  api.post(
    '/me/wechat',
    {
      config,
      schema: {
        tags,
        summary: "Sign in with WeChat: the server exchanges the authorization code at WeChat's sns/oauth2 endpoint itself",
        querystring: BrandQuery,
        body: strictObject({ code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) }),
      },
    },
    async (req, reply) => {
      csrf(req);
      const tenantId = await tenantOf(req);
      const device = deviceOf(req, reply, true);
      const who = await wechat.exchange((req.body as { code: string }).code);
      const deviceConsumer = await consumerFor(sql, tenantId, 'device', hash('device', device), 'cookie');
      const proven = [
        ...(who.unionid ? [{ kind: 'unionid' as const, hash: hash('unionid', who.unionid) }] : []),
        { kind: 'openid' as const, hash: hash('openid', who.openid) },
      ];
      const bound = await bindProven(sql, tenantId, deviceConsumer, proven, 'wechat');
      return reply.header('cache-control', 'no-store').send({ merged: bound.mergeIds.length > 0 });
    },
  );

  api.post(
    '/me/merge',
    {
      config,
      schema: {
        tags,
        summary: 'Refused: a client cannot ask for identities to be merged (only server-verified evidence merges)',
        querystring: BrandQuery,
        body: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 20 })),
      },
    },
    async () => {
      throw AppError.forbidden('consumer.merge_client_refused');
    },
  );

  api.get(
    '/me/membership',
    { config, schema: { tags, summary: "This device's consumer: points balance and tier (no personal data)", querystring: BrandQuery } },
    async (req, reply) => {
      const tenantId = await tenantOf(req);
      const device = deviceOf(req, reply, false);
      const consumer = await consumerOf(sql, tenantId, 'device', hash('device', device));
      if (consumer !== null) await sql.begin((tx) => expireDuePoints(tx, tenantId, consumer));
      const m = await membershipOf(sql, tenantId, consumer ?? -1);
      return reply.header('cache-control', 'no-store').send(m);
    },
  );

  api.get(
    '/me/prizes',
    {
      config,
      schema: {
        tags,
        summary:
          "This device's consumer's prizes won in campaigns (red packets, one-more tickets, coupons), newest first; no personal data",
        querystring: BrandQuery,
      },
    },
    async (req, reply) => {
      const tenantId = await tenantOf(req);
      const device = deviceOf(req, reply, false);
      const consumer = await consumerOf(sql, tenantId, 'device', hash('device', device));
      const group = consumer === null ? [] : await mergedGroup(sql, tenantId, await standingConsumer(sql, tenantId, consumer));
      const items = await prizesOf(sql, tenantId, group, 50);
      return reply.header('cache-control', 'no-store').send({ items });
    },
  );

  api.get(
    '/me',
    {
      config,
      schema: {
        tags,
        summary: 'My data: identifiers (mine in full), scans, points, tier, ledger and redemptions',
        querystring: BrandQuery,
      },
    },
    async (req, reply) => {
      const tenantId = await tenantOf(req);
      const consumer = await sessionOf(req, reply, tenantId);
      await sql.begin((tx) => expireDuePoints(tx, tenantId, consumer));
      const profile = await profileOf(sql, { masterKey, identifierKey: idKey }, tenantId, consumer, 'full', req.locale);
      const redemptions = await redemptionsOf(sql, tenantId, await mergedGroup(sql, tenantId, consumer));
      const { id: _id, tags: _tags, ...mine } = profile;
      return reply.header('cache-control', 'no-store').send({ ...mine, redemptions });
    },
  );

  api.delete(
    '/me',
    {
      config,
      schema: {
        tags,
        summary: 'Delete my data: identifiers and personal fields removed; points and reward ledgers kept under an anonymous id',
        querystring: BrandQuery,
      },
    },
    async (req, reply) => {
      csrf(req);
      const tenantId = await tenantOf(req);
      const consumer = await sessionOf(req, reply, tenantId);
      const removed = await sql.begin(async (tx) => {
        const r = await deletePersonalData(tx, tenantId, consumer);
        await appendAudit(
          tx,
          {
            tenantId,
            actorKind: 'system',
            actorId: `consumer:${consumer}`,
            actorName: 'consumer self-service',
            ip: null,
            requestId: String(req.id),
          },
          { action: 'consumer.personal_data_deleted', entityType: 'consumer', entityId: consumer, details: { identifiers: r.identifiers } },
        );
        return r;
      });
      reply.clearCookie(CONSUMER_SESSION_COOKIE, { path: '/api/v1/me' });
      return reply.header('cache-control', 'no-store').send({ deleted: true, identifiers: removed.identifiers });
    },
  );

  api.post('/me/logout', { config, schema: { tags, summary: 'End my consumer session', querystring: BrandQuery } }, async (req, reply) => {
    csrf(req);
    const tenantId = await tenantOf(req);
    const token = req.cookies?.[CONSUMER_SESSION_COOKIE];
    if (token) await closeSession(sql, sessionHash, tenantId, token);
    reply.clearCookie(CONSUMER_SESSION_COOKIE, { path: '/api/v1/me' });
    return reply.status(204).send();
  });

  api.get('/me/mall', { config, schema: { tags, summary: 'The points mall: items on offer', querystring: BrandQuery } }, async (req) => ({
    items: (await listMallItems(sql, await tenantOf(req), { activeOnly: true })).map(({ active: _a, createdAt: _c, ...item }) => item),
  }));

  api.post(
    '/me/mall/redeem',
    {
      config,
      schema: {
        tags,
        summary: 'Redeem an item for points: points spent and a coupon issued together; a retry with the same key pays once',
        querystring: BrandQuery,
        body: strictObject({ itemId: Id(), idempotencyKey: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
      },
    },
    async (req, reply) => {
      csrf(req);
      const tenantId = await tenantOf(req);
      const consumer = await sessionOf(req, reply, tenantId);
      const { itemId, idempotencyKey } = req.body as { itemId: number; idempotencyKey: string };
      const r = await redeem(sql, tenantId, consumer, itemId, idempotencyKey);
      return reply
        .status(r.created ? 201 : 200)
        .header('cache-control', 'no-store')
        .send(r.redemption);
    },
  );
}
