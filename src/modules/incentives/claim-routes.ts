/**
 * `POST /01/{gtin}/21/{serial}/claim {code}`: a consumer claims the rewards of a scanned unit. Public like the
 * resolver's `/verify` (CORS, rate limit per address, 1 KiB body): the hidden verification code is checked under the
 * same throttle (a wrong code counts as a failure; over the limit, 429 with Retry-After), the consumer is the one of
 * the device cookie, and every active campaign of the brand is applied (claim.ts). A browser posting the resolver
 * page's form without JavaScript (application/x-www-form-urlencoded, asking for text/html) gets a page instead of JSON.
 * When something was won, the answer names the consumer's own page of the brand (`accountUrl`, /m/account), where
 * the points and prizes are kept.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { deviceOf } from '../../http/device-cookie.ts';
import { message } from '../../http/messages.ts';
import { AppError, toProblem } from '../../http/problem.ts';
import type { Keystore } from '../codes/keystore.ts';
import { type LocatedBody, locationFields, locationOf } from '../resolver/location.ts';
import { CodeResolver } from '../resolver/resolve.ts';
import { addressHasher } from '../resolver/scans.ts';
import { DEFAULT_THROTTLE, gateVerification, recordFailure, type ThrottleLimits } from '../resolver/throttle.ts';
import { tenantCodeOf } from '../tenancy/index.ts';
import { ClaimProcessor } from './claim-batch.ts';
import { type ClaimDesk, ClaimVerifier } from './claim-desk.ts';
import { type ClaimLocale, campaignLine, claimMessage, noCampaignMessage } from './claim-messages.ts';
import { renderClaimPage } from './claim-page.ts';
import { ClaimThread } from './claim-thread.ts';

export interface ClaimOptions {
  /** claim requests per minute per address */
  perMinute: number;
  throttle: ThrottleLimits;
  /** decide the claim batches on a thread of their own, with its own connections (claim-thread.ts) */
  thread?: { databaseUrl: string; connections?: number };
}

function claimLocale(req: FastifyRequest): ClaimLocale {
  const lang = (req.query as Record<string, string | undefined>).lang?.toLowerCase();
  if (lang === 'en') return 'en';
  if (lang?.startsWith('zh')) return 'zh-CN';
  return req.locale;
}

export async function claimRoutes(
  app: FastifyInstance,
  sql: Sql,
  keystore: Keystore,
  masterKey: Buffer,
  opts: Partial<ClaimOptions> = {},
): Promise<void> {
  const resolver = new CodeResolver(sql, keystore);
  const hashAddress = addressHasher(masterKey);
  const limits = { ...DEFAULT_THROTTLE, ...opts.throttle };
  const thread = opts.thread
    ? new ClaimThread({ databaseUrl: opts.thread.databaseUrl, connections: opts.thread.connections ?? 4, limits, masterKey })
    : null;
  if (thread) {
    await thread.ready;
    app.addHook('onClose', () => thread.close());
  }
  const desk: ClaimDesk = thread ?? new ClaimVerifier(sql, keystore, masterKey, new ClaimProcessor(sql, limits), resolver);
  const config = { access: 'public' as const, rateLimit: { max: opts.perMinute ?? 600, timeWindow: '1 minute' } };
  const url = '/01/:gtin/21/:serial/claim';

  app.options(url, { config, schema: { hide: true } }, async (_req, reply) =>
    reply
      .status(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Accept, Accept-Language, Content-Type')
      .send(),
  );
  const FORM = 'application/x-www-form-urlencoded';
  /** A plain HTML form post from a browser: answered with a page (claim-page.ts), refusals included. */
  const isFormPost = (req: FastifyRequest) =>
    (req.headers['content-type'] ?? '').startsWith(FORM) && (req.headers.accept ?? '').includes('text/html');
  const backOf = (p: { gtin: string; serial: string }, locale: ClaimLocale) =>
    `/01/${encodeURIComponent(p.gtin)}/21/${encodeURIComponent(p.serial)}${locale === 'en' ? '?lang=en' : ''}`;
  // a brand's code never changes: read once per brand, not once per claim
  const brandCodes = new Map<number, string>();
  const accountOf = async (tenantId: number, locale: ClaimLocale): Promise<string | null> => {
    let brand = brandCodes.get(tenantId);
    if (brand === undefined) {
      brand = await tenantCodeOf(sql, tenantId);
      if (brand === undefined) return null;
      brandCodes.set(tenantId, brand);
    }
    return `/m/account?brand=${encodeURIComponent(brand)}&lang=${locale}`;
  };

  // the form's parser only in this route's scope: every other route still refuses a form body (415)
  await app.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.setErrorHandler((err, req, reply) => {
      if (!isFormPost(req) || !(err instanceof AppError)) throw err;
      const locale = claimLocale(req);
      const problem = toProblem(err, locale);
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      return reply
        .status(err.status)
        .type('text/html; charset=utf-8')
        .send(renderClaimPage(locale, false, [problem.detail], backOf(req.params as { gtin: string; serial: string }, locale)));
    });
    scope.post(
      url,
      {
        config,
        bodyLimit: 1024,
        schema: {
          tags: ['consumer'],
          summary: 'Claim the rewards of a scanned unit with its hidden verification code (throttled like /verify)',
          params: Type.Object({ gtin: Type.String({ maxLength: 20 }), serial: Type.String({ maxLength: 20 }) }),
          querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }),
          body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }), ...locationFields }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        const p = req.params as { gtin: string; serial: string };
        const { code } = req.body as { code: string };
        const location = locationOf(req.body as LocatedBody);
        const locale = claimLocale(req);
        reply.header('access-control-allow-origin', '*').header('cache-control', 'no-store');
        const deviceId = deviceOf(req, reply);
        // the slow way, for what is refused: the code's facts read, the throttle checked (429 over it), an unknown
        // code counted and refused (404), a wrong hidden code counted and refused, a recalled unit refused
        const refuse = async (why: 'wrong_code' | 'unknown' | 'recalled'): Promise<never> => {
          const r = await resolver.resolve(p.gtin, p.serial);
          const { subjects } = await gateVerification(sql, limits, r, p, deviceId, hashAddress(req.ip));
          if (why === 'wrong_code') {
            await recordFailure(sql, subjects);
            throw AppError.field('/body/code', 'claim.wrong_code');
          }
          throw new AppError(409, 'claim.recalled');
        };
        // the code identified, its hidden code checked and the claim decided with the others of this moment, on the
        // claim thread when there is one (claim-desk.ts, claim-batch.ts)
        const answer = await desk.claim({ gtin: p.gtin, serial: p.serial, code, deviceId, ip: req.ip, ...location });
        if (answer.kind === 'wrong_code') return refuse('wrong_code');
        if (answer.kind === 'unknown' || answer.kind === 'recalled') return refuse(answer.kind);
        if (answer.kind === 'throttled') {
          throw new AppError(429, 'consumer.verify_throttled', { scope: answer.scope }, [], {
            scope: answer.scope,
            retryAfter: answer.retryAfter,
          }).withHeader('retry-after', String(answer.retryAfter));
        }
        if (answer.kind === 'fraud_refused') {
          // the consumer reads why in words; the rule codes stay in the problem's `rules` member for machines
          const why = answer.rules.map((r) => message(`fraud.why.${r}`, locale)).join(locale === 'en' ? '; ' : '；');
          throw new AppError(403, 'claim.fraud_refused', { why }, [], { rules: answer.rules });
        }
        const results = answer.results;
        reply.header('content-language', locale);
        const accountUrl = results.some((x) => x.outcome === 'won') ? await accountOf(answer.tenantId, locale) : null;
        if (isFormPost(req)) {
          const lines = results.length
            ? results.map((x) => campaignLine(x.campaignName, claimMessage(x, locale), locale))
            : [noCampaignMessage(locale)];
          return reply.type('text/html; charset=utf-8').send(renderClaimPage(locale, true, lines, backOf(p, locale), accountUrl));
        }
        return reply.send({
          valid: true,
          message: results.length ? null : noCampaignMessage(locale),
          accountUrl,
          results: results.map((x) => ({ ...x, message: claimMessage(x, locale) })),
        });
      },
    );
  });
}
