/**
 * The consumer's own page (account-page.ts): `GET /m/account?brand=<tenant>` and its script `GET /m/account.js`.
 * Public: what the page shows, it fetches from /api/v1/me with the consumer's own cookies.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deviceOf } from '../../http/device-cookie.ts';
import { ACCOUNT_SCRIPT, type AccountLocale, renderAccountPage } from './account-page.ts';

function localeOf(req: FastifyRequest): AccountLocale {
  const lang = (req.query as { lang?: string }).lang?.toLowerCase();
  if (lang === 'en') return 'en';
  if (lang?.startsWith('zh')) return 'zh-CN';
  return req.locale === 'en' ? 'en' : 'zh-CN';
}

export async function accountPageRoutes(app: FastifyInstance, perMinute: number): Promise<void> {
  const config = { access: 'public' as const, rateLimit: { max: perMinute, timeWindow: '1 minute' } };
  app.get(
    '/m/account',
    {
      config,
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            brand: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$', maxLength: 40 }),
            lang: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { brand } = req.query as { brand: string };
      // the device cookie, as a scan issues it: a consumer may open this page before scanning anything
      deviceOf(req, reply);
      const locale = localeOf(req);
      const other = `/m/account?brand=${encodeURIComponent(brand)}&lang=${locale === 'en' ? 'zh-CN' : 'en'}`;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-language', locale)
        .send(renderAccountPage(brand, locale, other));
    },
  );
  app.get('/m/account.js', { config, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(ACCOUNT_SCRIPT),
  );
}
