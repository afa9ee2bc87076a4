import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseAvailability } from '../db/availability.ts';
import { observerOf, type Sql } from '../db/connection.ts';
import { listMigrations } from '../db/migrate.ts';
import { actorLabel } from '../modules/auth/actor.ts';
import { processRegistry, startProcessMetrics } from '../platform/metrics.ts';
import { loggablePath } from './logging.ts';
import { AppError } from './problem.ts';
import { isWarmUpRequest } from './warm-up.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route never touches the database, so it is served during a database outage */
    database?: boolean;
  }
}

export interface ObservabilityOptions {
  sql: Sql;
  availability: DatabaseAvailability;
  /** when set, /metrics wants `Authorization: Bearer <token>`; when not, it answers loopback callers only */
  metricsToken: string | undefined;
  /** statements slower than this are logged (0: none) */
  slowQueryMs: number;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * What an operator sees: one access line per request (bound to the request id, which app.ts also answers in
 * `x-request-id`),
 * Prometheus metrics at /metrics, readiness at /readyz, and a log line for every slow statement.
 */
export function installObservability(app: FastifyInstance, opts: ObservabilityOptions): () => void {
  startProcessMetrics();
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status_class'] as const;
  const requests = new Counter({
    name: 'throughline_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status class',
    labelNames,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'throughline_http_request_duration_seconds',
    help: 'HTTP request duration (first byte in to last byte out), by route pattern, method and status class',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  app.addHook('onResponse', async (req, reply) => {
    // the server's own warm-up before it listens is neither traffic nor a request anyone made
    if (isWarmUpRequest(req)) return;
    // the route's pattern, never the URL: ids and query strings would make a series per request
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
    const actor = req.actor;
    req.log.info(
      {
        method: req.method,
        route,
        path: loggablePath(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(actor ? { tenant: actor.tenantId, actor: actorLabel(actor) } : {}),
      },
      'request',
    );
  });

  const observer = observerOf(opts.sql);
  if (observer) {
    new Gauge({
      name: 'throughline_db_pool_connections',
      help: 'Database connections of the pool: open (or opening, with the LISTEN connection) and busy (a statement in flight)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const s = observer.stats();
        this.set({ state: 'open' }, s.open);
        this.set({ state: 'busy' }, s.busy);
      },
    });
    new Gauge({
      name: 'throughline_db_pool_max_connections',
      help: 'The pool size configured',
      registers: [registry],
      collect() {
        this.set(observer.max);
      },
    });
    const statements = new Histogram({
      name: 'throughline_db_statement_duration_seconds',
      help: 'Database statement duration as the application saw it (sent to ready for the next)',
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    const slow = new Counter({
      name: 'throughline_db_slow_statements_total',
      help: 'Statements slower than THROUGHLINE_SLOW_QUERY_MS (each is logged)',
      registers: [registry],
    });
    const stop = observer.onStatement((t) => {
      statements.observe(t.ms / 1000);
      if (opts.slowQueryMs > 0 && t.ms >= opts.slowQueryMs) {
        slow.inc();
        app.log.warn({ statement: t.statement, ms: Math.round(t.ms) }, 'slow statement');
      }
    });
    app.addHook('onClose', async () => {
      stop();
    });
  }
  new Gauge({
    name: 'throughline_db_up',
    help: '1 while the database answers, 0 while it is marked unreachable (requests get 503)',
    registers: [registry],
    collect() {
      this.set(opts.availability.down ? 0 : 1);
    },
  });

  // the routes are declared when the caller says so: a route takes the error handler in force when it is declared
  return () => declareRoutes(app, opts, registry);
}

function declareRoutes(app: FastifyInstance, opts: ObservabilityOptions, registry: Registry): void {
  app.get('/metrics', { config: { access: 'public', database: false }, schema: { hide: true } }, async (req, reply) => {
    if (!metricsAllowed(req, opts.metricsToken)) throw new AppError(403, 'metrics.forbidden');
    const body = `${await processRegistry.metrics()}\n${await registry.metrics()}`;
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(body);
  });

  const expected = listMigrations().map((m) => ({ version: m.version, name: m.name }));
  app.get('/readyz', { config: { access: 'public', database: false }, schema: { hide: true } }, async (_req, reply) => {
    const unreachable = (reason: string) =>
      new AppError(503, 'ready.database_unreachable', { reason }, [], { reason }).withHeader(
        'retry-after',
        String(opts.availability.retryAfterSeconds),
      );
    if (opts.availability.down) throw unreachable(opts.availability.reason);
    let applied: Set<number>;
    try {
      const rows = await withTimeout(
        opts.sql<{ version: number }[]>`select version from schema_migrations`.catch((e: { code?: string }) =>
          e?.code === '42P01' ? [] : Promise.reject(e),
        ),
        2000,
      );
      applied = new Set(rows.map((r) => Number(r.version)));
    } catch (e) {
      opts.availability.observe(e);
      throw unreachable((e as { code?: string }).code ?? 'timeout');
    }
    const pending = expected.filter((m) => !applied.has(m.version)).map((m) => m.name);
    if (pending.length) {
      throw new AppError(503, 'ready.migrations_pending', { pending: pending.join(', ') }, [], { pending }).withHeader('retry-after', '10');
    }
    return reply.header('cache-control', 'no-store').send({ status: 'ready', migrations: expected.length });
  });
}

/**
 * /metrics is never public by default. With a scrape token configured, only `Authorization: Bearer <token>`
 * opens it. Without one, only a caller on this host's loopback that came through no proxy: the socket's
 * address is checked (not `req.ip`, which a trusted proxy's X-Forwarded-For decides), and a request that
 * carries forwarding headers is refused, since a reverse proxy on the same host would otherwise relay the world.
 */
function metricsAllowed(req: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return false;
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(auth.slice(7).trim()), digest(token));
  }
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  const forwarded = req.headers['x-forwarded-for'] ?? req.headers.forwarded ?? req.headers['x-real-ip'];
  return loopback && forwarded === undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('readiness check timed out'), { code: 'timeout' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
