/**
 * The GS1 Digital Link resolver for consumers: `GET /01/{gtin}/21/{serial}` (also `/01/{gtin}/10/{lot}/21/{serial}`)
 * answers a person with the small page (page.ts) and a machine asking for `application/linkset+json` (or
 * `?linkType=all`) with the linkset (linkset.ts); `POST .../verify {code}` checks the hidden verification code under
 * the throttle (throttle.ts). Public, rate-limited per address; no login.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { deviceOf } from '../../http/device-cookie.ts';
import { AppError } from '../../http/problem.ts';
import type { Keystore } from '../codes/keystore.ts';
import { checkVerificationCode } from '../codes/verification.ts';
import { payOnVerification } from '../incentives/channel/sellout.ts';
import { divisionName, placeName } from '../parties/index.ts';
import { LINKSET_TYPE, linksetOf } from './linkset.ts';
import { type LocatedBody, locationFields, locationOf } from './location.ts';
import { CLAIM_SCRIPT_HASH, type PageLocale, type PageVerdict, renderPage } from './page.ts';
import { CodeResolver, type Resolution } from './resolve.ts';
import { addressHasher, type Requester, recordVerification, ScanRecorder } from './scans.ts';
import { DEFAULT_THROTTLE, gateVerification, recordFailure, type ThrottleLimits } from './throttle.ts';

export interface ConsumerOptions {
  /** resolver requests per minute per address */
  perMinute: number;
  throttle: ThrottleLimits;
}

interface Params {
  gtin: string;
  serial: string;
  lot?: string;
}

type Query = Record<string, string | undefined>;

function pageLocale(req: FastifyRequest): PageLocale {
  const lang = (req.query as Query).lang?.toLowerCase();
  if (lang === 'en') return 'en';
  if (lang?.startsWith('zh')) return 'zh-CN';
  return req.locale;
}

function wantsLinkset(req: FastifyRequest): boolean {
  if ((req.query as Query).linkType === 'all') return true;
  const accept = req.headers.accept ?? '';
  return accept.includes(LINKSET_TYPE) || (accept.includes('application/json') && !accept.includes('text/html'));
}

function originOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export async function consumerRoutes(
  app: FastifyInstance,
  sql: Sql,
  keystore: Keystore,
  masterKey: Buffer,
  opts: Partial<ConsumerOptions> = {},
): Promise<void> {
  const resolver = new CodeResolver(sql, keystore);
  const hashAddress = addressHasher(masterKey);
  const scans = new ScanRecorder(sql);
  const limits = { ...DEFAULT_THROTTLE, ...opts.throttle };
  const rateLimit = { max: opts.perMinute ?? 600, timeWindow: '1 minute' };

  const requester = (req: FastifyRequest, reply: FastifyReply): Requester => {
    const region = (req.query as Query).region;
    return {
      ipHash: hashAddress(req.ip),
      deviceId: deviceOf(req, reply),
      regionCode: region && /^\d{2}(\d{2}){0,2}$/.test(region) && divisionName(region) ? region : null,
    };
  };

  /** A lot in the path must be the code's own lot: a code printed with another lot is not one the brand issued. */
  const resolve = async (p: Params): Promise<Resolution> => {
    const r = await resolver.resolve(p.gtin, p.serial);
    if (r.kind === 'known' && p.lot !== undefined && p.lot !== r.facts.lot) {
      return { kind: 'unknown', tenantId: r.facts.tenantId, gtin: r.facts.gtin, serial: r.facts.serial, epc: r.facts.epc };
    }
    return r;
  };

  const resolveHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.params as Params;
    const locale = pageLocale(req);
    reply.header('access-control-allow-origin', '*').header('cache-control', 'no-store').header('vary', 'Accept, Accept-Language');
    const r = await resolve(p);
    if (r.kind !== 'invalid') {
      const unit = `${originOf(req)}/01/${r.kind === 'known' ? r.facts.gtin : r.gtin}/21/${encodeURIComponent(r.kind === 'known' ? r.facts.serial : r.serial)}`;
      reply.header('link', `<${unit}?linkType=all>; rel="linkset"; type="${LINKSET_TYPE}"`);
    }
    if (wantsLinkset(req)) {
      if (r.kind === 'invalid') throw AppError.field('/params/gtin', 'consumer.code_invalid');
      if (r.kind === 'unknown') throw new AppError(404, 'consumer.code_unknown');
      return reply.type(LINKSET_TYPE).send(linksetOf(originOf(req), r.facts, locale));
    }
    const facts = r.kind === 'known' ? r.facts : null;
    const tenantId = r.kind === 'known' ? r.facts.tenantId : r.kind === 'unknown' ? r.tenantId : null;
    const who = requester(req, reply);
    // a malformed link (invalid) is a mistyped or damaged code, not a counterfeit: its own page, and no scan recorded
    let verdict: PageVerdict = r.kind === 'invalid' ? 'invalid' : facts ? 'genuine_first' : 'unknown';
    let prior = null;
    if (tenantId !== null && r.kind !== 'invalid' && req.method === 'GET') {
      const epc = r.kind === 'known' ? r.facts.epc : r.epc;
      const rec = await scans.record(tenantId, epc, who, !facts ? 'unknown' : facts.recall ? 'recalled' : 'genuine');
      verdict = rec.verdict;
      prior = rec.prior;
    } else if (facts?.recall) verdict = 'recalled';
    const q = new URLSearchParams(req.query as Record<string, string>);
    q.set('lang', locale === 'en' ? 'zh-CN' : 'en');
    const html = renderPage({
      locale,
      verdict,
      facts,
      prior,
      firstPlace: placeName(prior?.firstRegionCode, locale),
      otherLangHref: `${req.url.split('?')[0]}?${q.toString()}`,
      claimUrl: facts ? `/01/${facts.gtin}/21/${encodeURIComponent(facts.serial)}/claim` : null,
    });
    // the claim form's one inline script, allowed by its hash, and its one question to the phone (where it is, for the
    // fraud rules' distance check), allowed on this page only
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string')
      reply.header('content-security-policy', csp.replace("script-src 'self'", `script-src 'self' ${CLAIM_SCRIPT_HASH}`));
    if (facts) reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(self), payment=()');
    return reply
      .status(r.kind === 'invalid' ? 400 : r.kind === 'unknown' ? 404 : 200)
      .type('text/html; charset=utf-8')
      .header('content-language', locale)
      .send(html);
  };

  const getSchema = {
    hide: true,
    params: Type.Object({ gtin: Type.String(), serial: Type.String(), lot: Type.Optional(Type.String()) }),
  };
  const config = { access: 'public' as const, rateLimit };
  app.get('/01/:gtin/21/:serial', { config, schema: getSchema }, resolveHandler);
  app.get('/01/:gtin/10/:lot/21/:serial', { config, schema: getSchema }, resolveHandler);
  for (const url of ['/01/:gtin/21/:serial', '/01/:gtin/10/:lot/21/:serial', '/01/:gtin/21/:serial/verify']) {
    app.options(url, { config, schema: { hide: true } }, async (_req, reply) =>
      reply
        .status(204)
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', url.endsWith('/verify') ? 'POST, OPTIONS' : 'GET, HEAD, OPTIONS')
        .header('access-control-allow-headers', 'Accept, Accept-Language, Content-Type')
        .send(),
    );
  }

  app.post(
    '/01/:gtin/21/:serial/verify',
    {
      config,
      bodyLimit: 1024,
      schema: {
        tags: ['consumer'],
        summary: 'Check the hidden verification code printed with a code (throttled per code, device and address)',
        params: Type.Object({ gtin: Type.String(), serial: Type.String() }),
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }), ...locationFields }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const p = req.params as Params;
      const { code } = req.body as { code: string };
      const location = locationOf(req.body as LocatedBody);
      reply.header('access-control-allow-origin', '*').header('cache-control', 'no-store');
      const who = requester(req, reply);
      const r = await resolver.resolve(p.gtin, p.serial);
      const { facts, subjects } = await gateVerification(sql, limits, r, p, who.deviceId, who.ipHash);
      const keys = await keystore.keyring(sql, facts.tenantId);
      const valid = checkVerificationCode(keys, facts.gtin, facts.serial, code);
      const tenantId = facts.tenantId;
      const epc = facts.epc;
      // a proven purchase: the sell-out rebate (动销返利) of the store and distributor, in the same transaction
      if (valid)
        await sql.begin(async (tx) => {
          await recordVerification(tx, tenantId, epc, who);
          await payOnVerification(tx, { tenantId, epc, ...who, ...location });
        });
      else await recordFailure(sql, subjects);
      return reply.send({ valid });
    },
  );
}
