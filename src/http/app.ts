import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { loadConfig } from '../config.ts';
import type { Sql } from '../db/connection.ts';
import { auditRoutes } from '../modules/audit/routes.ts';
import { authRoutes } from '../modules/auth/routes.ts';
import { catalogRoutes } from '../modules/catalog/routes.ts';
import { Keystore, loadMasterKey } from '../modules/codes/keystore.ts';
import { codesRoutes } from '../modules/codes/routes.ts';
import { inventoryRoutes } from '../modules/inventory/routes.ts';
import { ordersRoutes } from '../modules/orders/routes.ts';
import { partiesRoutes } from '../modules/parties/routes.ts';
import { traceControlRoutes } from '../modules/trace/control-routes.ts';
import { traceRoutes } from '../modules/trace/routes.ts';
import { type WebhookSettings, WebhookWorker, webhookSettings, webhooksRoutes } from '../modules/webhooks/index.ts';
import { ReadCache } from '../platform/read-cache.ts';
import { type DeclaredRoute, installAccessControl } from './access.ts';
import { ioRoutes } from './io-routes.ts';
import { AppError, toProblem } from './problem.ts';
import { ajvToFieldErrors, installValidators } from './validation.ts';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export type { DeclaredRoute };

export interface AppOptions {
  sql: Sql;
  logger?: boolean | object;
  /** login attempts per minute per address */
  loginRateLimit?: number;
  /** the key that encrypts tenants' code keyrings (default: THROUGHLINE_MASTER_KEY or <data dir>/master.key) */
  masterKey?: Buffer;
  /** host of the GS1 Digital Link resolver printed on codes */
  resolverHost?: string;
  /** webhook delivery settings (default THROUGHLINE_WEBHOOK_*); `worker: false` serves the routes without delivering */
  webhooks?: Partial<WebhookSettings> & { worker?: boolean };
}

export interface App {
  app: FastifyInstance;
  routes: DeclaredRoute[];
}

export async function buildApp(opts: AppOptions): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    genReqId: () => crypto.randomUUID(),
    // one access line per request (below) instead of Fastify's two; it carries no query string or headers
    logController: new LogController({ disableRequestLogging: true }),
    ajv: undefined,
  });
  installValidators(app);
  // the cookie plugin must parse cookies before the access gate reads the session cookie
  await app.register(cookie);
  const routes = installAccessControl(app, opts.sql);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Throughline API', version: '1.0.0', description: '一物一码 traceability and channel commerce' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'tl_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const config = loadConfig();
  const masterKey = opts.masterKey ?? loadMasterKey(config.dataDir);
  const keystore = new Keystore(masterKey);
  const webhooks = webhookSettings(opts.webhooks);
  if (opts.webhooks?.worker !== false) {
    // webhook deliveries are sent from this process while it serves (webhooks/worker.ts)
    const worker = new WebhookWorker(opts.sql, masterKey, webhooks, (level, msg, err) => app.log[level]({ err }, msg));
    app.addHook('onReady', () => worker.start());
    app.addHook('onClose', () => worker.stop());
  }
  const readCache = new ReadCache();
  await readCache.listen(opts.sql);
  app.addHook('onClose', () => readCache.close());

  app.addHook('onSend', async (req, reply, payload) => {
    // before the answer leaves, so the writer's next read on this node cannot get the old page
    const stale = req.routeOptions.config?.invalidates;
    if (stale && reply.statusCode < 400) for (const topic of stale) readCache.invalidate(topic);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, path: req.url.split('?', 1)[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    let appErr: AppError;
    if (err instanceof AppError) appErr = err;
    else if (err.validation) appErr = AppError.invalid(ajvToFieldErrors(err.validation as never, err.validationContext ?? 'body'));
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') appErr = new AppError(415, 'request.unsupported_media_type');
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') appErr = new AppError(413, 'request.too_large');
    else if (err.statusCode === 429) appErr = new AppError(429, 'rate_limited');
    else if (err.statusCode === 400 && (err instanceof SyntaxError || err.code?.startsWith('FST_ERR_CTP'))) {
      appErr = new AppError(400, 'request.malformed_json');
    } else {
      req.log.error({ err }, 'unhandled error');
      appErr = new AppError(500, 'internal');
    }
    reply
      .status(appErr.status)
      .type('application/problem+json; charset=utf-8')
      .send(toProblem(appErr, req.locale ?? 'zh-CN', req.url));
  });

  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    await opts.sql`select 1`;
    return reply.send({ status: 'ok' });
  });

  await app.register(
    async (api) => {
      await authRoutes(api, opts.sql, { loginRateLimit: opts.loginRateLimit ?? 20 });
      await partiesRoutes(api, opts.sql, readCache);
      await catalogRoutes(api, opts.sql);
      await auditRoutes(api, opts.sql);
      await ioRoutes(api, opts.sql);
      await traceControlRoutes(api, opts.sql);
      await ordersRoutes(api, opts.sql);
      await inventoryRoutes(api, opts.sql);
      await codesRoutes(api, opts.sql, keystore, opts.resolverHost ?? config.resolverHost);
      await webhooksRoutes(api, opts.sql, masterKey, webhooks);
    },
    { prefix: '/api/v1' },
  );

  await traceRoutes(app, opts.sql, keystore);

  if (fs.existsSync(path.join(WEB_DIR, 'index.html'))) {
    await app.register(fastifyStatic, { root: WEB_DIR, index: 'index.html' });
  }
  app.setNotFoundHandler((req, reply) => {
    const wantsPage = req.method === 'GET' && !req.url.startsWith('/api') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage && fs.existsSync(path.join(WEB_DIR, 'index.html'))) return reply.sendFile('index.html');
    reply
      .status(404)
      .type('application/problem+json; charset=utf-8')
      .send(toProblem(new AppError(404, 'route.not_found'), req.locale ?? 'zh-CN', req.url));
  });
  return { app, routes };
}
