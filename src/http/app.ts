import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import { loadConfig } from '../config.ts';
import { DatabaseAvailability } from '../db/availability.ts';
import type { Sql } from '../db/connection.ts';
import { demoHistoryJob } from '../demo/history-job.ts';
import { analyticsRoutes, FactProjector } from '../modules/analytics/index.ts';
import { auditRoutes } from '../modules/audit/routes.ts';
import { authRoutes } from '../modules/auth/routes.ts';
import { catalogRoutes } from '../modules/catalog/routes.ts';
import { Keystore, loadMasterKey } from '../modules/codes/keystore.ts';
import { codesRoutes } from '../modules/codes/routes.ts';
import { accountPageRoutes } from '../modules/consumers/account-routes.ts';
import { type ConsumersOptions, consumersSettings, consumersStaffRoutes, meRoutes, type SmsSender } from '../modules/consumers/index.ts';
import { segmentsRoutes } from '../modules/consumers/rfm/routes.ts';
import { consumerSegmentsJob } from '../modules/consumers/rfm/segments-job.ts';
import { channelIncentiveRoutes } from '../modules/incentives/channel/routes.ts';
import { fraudRoutes } from '../modules/incentives/fraud/routes.ts';
import { campaignsRoutes, claimRoutes } from '../modules/incentives/index.ts';
import { reportRoutes } from '../modules/incentives/reports/routes.ts';
import { replenishmentRoutes } from '../modules/inventory/replenishment-routes.ts';
import { inventoryRoutes } from '../modules/inventory/routes.ts';
import { draftRoutes } from '../modules/orders/draft-routes.ts';
import { fundsRoutes } from '../modules/orders/funds-routes.ts';
import { scanAgainstOrder } from '../modules/orders/index.ts';
import { pricingRoutes } from '../modules/orders/pricing-routes.ts';
import { ordersRoutes } from '../modules/orders/routes.ts';
import { orderRulesRoutes } from '../modules/orders/rules-routes.ts';
import { WaitingOrdersWorker } from '../modules/orders/waiting-orders.ts';
import { partiesRoutes } from '../modules/parties/routes.ts';
import { forecastRoutes } from '../modules/planning/forecast/index.ts';
import { planningRoutes, registerPlanningJobs } from '../modules/planning/index.ts';
import { simulationRoutes } from '../modules/planning/simulator/routes.ts';
import { type ConsumerOptions, consumerRoutes } from '../modules/resolver/routes.ts';
import { traceControlRoutes } from '../modules/trace/control-routes.ts';
import { traceRoutes } from '../modules/trace/routes.ts';
import { type WebhookSettings, WebhookWorker, webhookSettings, webhooksRoutes } from '../modules/webhooks/index.ts';
import { type JobKind, JobRegistry, JobRunner, jobsRoutes, type RunnerOptions } from '../platform/jobs/index.ts';
import { ReadCache } from '../platform/read-cache.ts';
import { type DeclaredRoute, installAccessControl } from './access.ts';
import { ioRoutes } from './io-routes.ts';
import { loggerOptions, requestIdOf } from './logging.ts';
import { pickLocale } from './messages.ts';
import { installObservability } from './observability.ts';
import { withProblems } from './openapi.ts';
import { AppError, toProblem } from './problem.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { ajvToFieldErrors, installValidators } from './validation.ts';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export type { DeclaredRoute };

export interface AppOptions {
  sql: Sql;
  /** false: no log; true or options (level, stream): JSON lines with the redaction and serializers of logging.ts */
  logger?: boolean | { level?: string; stream?: { write(s: string): void } };
  /** login attempts per minute per address */
  loginRateLimit?: number;
  /** the key that encrypts tenants' code keyrings (default: THROUGHLINE_MASTER_KEY or <data dir>/master.key) */
  masterKey?: Buffer;
  /** host of the GS1 Digital Link resolver printed on codes */
  resolverHost?: string;
  /** webhook delivery settings (default THROUGHLINE_WEBHOOK_*); `worker: false` serves the routes without delivering */
  webhooks?: Partial<WebhookSettings> & { worker?: boolean };
  /** the worker that releases presale orders and fails expired group buys (default on; interval in ms) */
  waitingOrders?: { worker?: boolean; intervalMs?: number };
  /** the analytics fact projector (default on, every 2 s) */
  analytics?: { projector?: boolean; intervalMs?: number };
  /** /metrics scrape token (default THROUGHLINE_METRICS_TOKEN; none: loopback callers only) */
  metricsToken?: string;
  /** statements slower than this many ms are logged (default THROUGHLINE_SLOW_QUERY_MS or 500; 0: none) */
  slowQueryMs?: number;
  /** how often a database marked unreachable is tried again, in ms */
  databaseProbeMs?: number;
  /** the consumer resolver: requests per minute per address, verification-code throttle */
  consumer?: Partial<ConsumerOptions>;
  /** claim batches decided on a thread of their own (incentives/claim-thread.ts); default: on the HTTP thread */
  claimThread?: { databaseUrl: string; connections?: number };
  /** the consumers' identity flows: SMS provider, WeChat endpoint, one-time code limits (default THROUGHLINE_*) */
  consumers?: ConsumersOptions & { smsSender?: SmsSender };
  /** the demo brand's history job (server.ts queues it on the demo's first start); it plays on a connection of its own */
  demoHistory?: { databaseUrl: string };
  /** the job runner (default on), its timings, and kinds of job beyond the modules' own (tests) */
  jobs?: { worker?: boolean; runner?: Partial<RunnerOptions>; kinds?: JobKind[] };
}

export interface App {
  app: FastifyInstance;
  routes: DeclaredRoute[];
  jobs: { registry: JobRegistry; runner: JobRunner | null };
}

export async function buildApp(opts: AppOptions): Promise<App> {
  const config = loadConfig();
  const app = Fastify({
    logger: opts.logger ? loggerOptions(opts.logger === true ? {} : opts.logger) : false,
    // every body has a limit: 1 MiB unless a route says more (EPCIS capture and imports 64 MiB, scans 8 MiB)
    bodyLimit: 1024 * 1024,
    // X-Forwarded-* is believed only from the proxies named in THROUGHLINE_TRUST_PROXY (default: loopback):
    // trusting every sender let a client pick its own address and so its own login rate-limit bucket
    trustProxy: config.trustProxy,
    genReqId: requestIdOf,
    // one access line per request (observability.ts) instead of Fastify's two; it carries no query string or headers
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    ajv: undefined,
    // errors the router raises before any route runs (a URL that does not decode, a path parameter over 100
    // characters) are answered as problem+json like every other refusal, not with Fastify's own JSON (route fuzzer)
    frameworkErrors: (err, req, reply) => {
      const appErr =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new AppError(414, 'request.uri_too_long') : new AppError(400, 'request.bad_url');
      (reply as unknown as FastifyReply)
        .status(appErr.status)
        .type('application/problem+json; charset=utf-8')
        .send(toProblem(appErr, pickLocale(req.headers['accept-language']), req.url));
    },
    // a request Node's HTTP parser refuses (raw non-ASCII bytes in the URL, oversized headers) never reaches a route:
    // answer it as problem+json too, and close the connection (the parser cannot continue on it)
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const appErr =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new AppError(408, 'request.timeout')
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? new AppError(431, 'request.headers_too_large')
            : new AppError(400, 'request.bad_http');
      const body = JSON.stringify(toProblem(appErr, 'zh-CN'));
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${appErr.status} ${http.STATUS_CODES[appErr.status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(err);
    },
  });
  installValidators(app);
  await installSecurityHeaders(app);
  // the cookie plugin must parse cookies before the access gate reads the session cookie
  await app.register(cookie);
  const availability = new DatabaseAvailability(opts.sql, {
    probeMs: opts.databaseProbeMs,
    onChange: (up, reason) =>
      up ? app.log.warn({ reason }, 'database reachable again') : app.log.error({ reason }, 'database unreachable: answering 503'),
  });
  app.addHook('onClose', async () => availability.close());
  // before the access gate, which reads sessions from the database: while the database is marked down, a
  // request that needs it is answered 503 at once instead of waiting for a connection attempt
  app.addHook('onRequest', async (req, reply) => {
    // first of all, so every answer (a refusal by a later hook too) names its request
    reply.header('x-request-id', req.id);
    if (!availability.down) return;
    const url = req.routeOptions.url;
    const cfg = req.routeOptions.config;
    if (!url || cfg?.database === false) return;
    if (url.startsWith('/api/v1') || url.startsWith('/epcis') || (cfg?.access && cfg.access !== 'public')) throw outage(availability);
  });
  const routes = installAccessControl(app, opts.sql);
  const observabilityRoutes = installObservability(app, {
    sql: opts.sql,
    availability,
    metricsToken: opts.metricsToken ?? config.metricsToken,
    slowQueryMs: opts.slowQueryMs ?? config.slowQueryMs,
  });
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
    // every operation's refusals as problem+json (openapi.ts)
    transformObject: (doc) => ('openapiObject' in doc ? withProblems(doc.openapiObject) : doc.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const masterKey = opts.masterKey ?? loadMasterKey(config.dataDir);
  const keystore = new Keystore(masterKey);
  app.addHook('onReady', async () => {
    await keystore.provisionAll(opts.sql);
  });
  const webhooks = webhookSettings(opts.webhooks);
  if (opts.webhooks?.worker !== false) {
    // webhook deliveries are sent from this process while it serves (webhooks/worker.ts)
    const worker = new WebhookWorker(opts.sql, masterKey, webhooks, (level, msg, err) => app.log[level]({ err }, msg));
    app.addHook('onReady', () => worker.start());
    app.addHook('onClose', () => worker.stop());
  }
  if (opts.waitingOrders?.worker !== false) {
    const waiting = new WaitingOrdersWorker(opts.sql, (level, msg, err) => app.log[level]({ err }, msg), opts.waitingOrders?.intervalMs);
    app.addHook('onReady', async () => waiting.start());
    app.addHook('onClose', () => waiting.stop());
  }
  const jobRegistry = new JobRegistry();
  for (const kind of opts.jobs?.kinds ?? []) jobRegistry.register(kind);
  registerPlanningJobs(jobRegistry);
  jobRegistry.register(consumerSegmentsJob(masterKey));
  if (opts.demoHistory) jobRegistry.register(demoHistoryJob(opts.demoHistory.databaseUrl, masterKey));
  let jobRunner: JobRunner | null = null;
  if (opts.jobs?.worker !== false) {
    const runner = new JobRunner(opts.sql, jobRegistry, opts.jobs?.runner, (level, msg, err) => app.log[level]({ err }, msg));
    app.addHook('onReady', () => runner.start());
    app.addHook('onClose', () => runner.stop());
    jobRunner = runner;
  }
  if (opts.analytics?.projector !== false) {
    // the fact projector adds queued changes to the analytics facts every few seconds (analytics/projector.ts)
    const projector = new FactProjector(opts.sql, (level, msg, err) => app.log[level]({ err }, msg), opts.analytics?.intervalMs);
    app.addHook('onReady', async () => projector.start());
    app.addHook('onClose', () => projector.stop());
  }
  const readCache = new ReadCache();
  await readCache.listen(opts.sql);
  app.addHook('onClose', () => readCache.close());

  app.addHook('onSend', async (req, reply, payload) => {
    // before the answer leaves, so the writer's next read on this node cannot get the old page
    const stale = req.routeOptions.config?.invalidates;
    if (stale && reply.statusCode < 400) for (const topic of stale) readCache.invalidate(topic);
    return payload;
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
    } else if (availability.observe(err)) {
      req.log.warn({ code: err.code }, 'database unreachable');
      appErr = outage(availability);
    } else {
      req.log.error({ err }, 'unhandled error');
      appErr = new AppError(500, 'internal');
    }
    for (const [name, value] of Object.entries(appErr.headers)) reply.header(name, value);
    reply
      .status(appErr.status)
      .type('application/problem+json; charset=utf-8')
      .send(toProblem(appErr, req.locale ?? 'zh-CN', req.url));
  });

  // liveness only: the process answers. Whether it can serve (database, migrations) is /readyz's question, so a
  // database outage does not make an orchestrator restart healthy app nodes
  app.get('/healthz', { config: { access: 'public', database: false }, schema: { hide: true } }, async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );
  // /metrics and /readyz: after the access gate (declared routes like any other) and the error handler (problem+json)
  observabilityRoutes();

  await app.register(
    async (api) => {
      await authRoutes(api, opts.sql, { loginRateLimit: opts.loginRateLimit ?? 20 });
      await partiesRoutes(api, opts.sql, readCache);
      await catalogRoutes(api, opts.sql);
      await auditRoutes(api, opts.sql);
      await ioRoutes(api, opts.sql);
      await traceControlRoutes(api, opts.sql);
      await ordersRoutes(api, opts.sql);
      await pricingRoutes(api, opts.sql);
      await fundsRoutes(api, opts.sql);
      await inventoryRoutes(api, opts.sql);
      await draftRoutes(api, opts.sql);
      await orderRulesRoutes(api, opts.sql);
      await replenishmentRoutes(api, opts.sql);
      await reportRoutes(api, opts.sql);
      await analyticsRoutes(api, opts.sql);
      await codesRoutes(api, opts.sql, keystore, opts.resolverHost ?? config.resolverHost);
      await webhooksRoutes(api, opts.sql, masterKey, webhooks);
      await consumersStaffRoutes(api, opts.sql, masterKey);
      await meRoutes(api, { sql: opts.sql, masterKey, settings: consumersSettings(opts.consumers), sms: opts.consumers?.smsSender });
      await segmentsRoutes(api, opts.sql, jobRegistry);
      await channelIncentiveRoutes(api, opts.sql);
      await fraudRoutes(api, opts.sql);
      await campaignsRoutes(api, opts.sql);
      await jobsRoutes(api, opts.sql, jobRegistry);
      await planningRoutes(api, opts.sql, jobRegistry);
      await forecastRoutes(api, opts.sql);
      await simulationRoutes(api, opts.sql, jobRegistry);
    },
    { prefix: '/api/v1' },
  );

  await traceRoutes(app, opts.sql, keystore, scanAgainstOrder);
  await consumerRoutes(app, opts.sql, keystore, masterKey, opts.consumer);
  await accountPageRoutes(app, consumersSettings(opts.consumers).perMinute);
  await claimRoutes(app, opts.sql, keystore, masterKey, { ...opts.consumer, thread: opts.claimThread });

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
  return { app, routes, jobs: { registry: jobRegistry, runner: jobRunner } };
}

function outage(availability: DatabaseAvailability): AppError {
  return new AppError(503, 'service.database_unavailable').withHeader('retry-after', String(availability.retryAfterSeconds));
}
