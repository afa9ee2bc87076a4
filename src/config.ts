import path from 'node:path';

/** Runtime settings, read once from the environment (the stable contract: PORT, DATABASE_URL, THROUGHLINE_DATA_DIR). */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  resolverHost: string;
  logLevel: string;
  /** proxies whose X-Forwarded-For/-Proto are believed: addresses, CIDRs or loopback/linklocal/uniquelocal, comma-separated; true: all; false: none */
  trustProxy: boolean | string;
  /** bearer token a Prometheus scraper sends to /metrics; unset: /metrics answers loopback callers only */
  metricsToken: string | undefined;
  /** statements slower than this (ms) are logged with their normalized text; 0: none */
  slowQueryMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.THROUGHLINE_DATA_DIR ?? '.data'),
    embeddedPgPort: Number(env.THROUGHLINE_PG_PORT ?? 54329),
    resolverHost: env.THROUGHLINE_RESOLVER_HOST ?? 'id.throughline.example',
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: parseTrustProxy(env.THROUGHLINE_TRUST_PROXY),
    metricsToken: env.THROUGHLINE_METRICS_TOKEN || undefined,
    slowQueryMs: nonNegative(env.THROUGHLINE_SLOW_QUERY_MS, 500),
  };
}

function parseTrustProxy(v: string | undefined): boolean | string {
  const s = v?.trim();
  if (!s) return 'loopback';
  if (s === 'true') return true;
  if (s === 'false' || s === 'none') return false;
  return s;
}

function nonNegative(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}
