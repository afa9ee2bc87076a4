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
  };
}
