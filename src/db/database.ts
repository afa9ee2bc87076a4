import type { Config } from '../config.ts';
import { loadDivisions } from '../modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../modules/trace/partitions.ts';
import { createSql, type Sql } from './connection.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';

export interface Database {
  sql: Sql;
  url: string;
  embedded: EmbeddedServer | undefined;
  close(): Promise<void>;
}

/**
 * Opens the system of record: DATABASE_URL when set (any PostgreSQL >= 15), otherwise the embedded
 * server in the data directory (`attach`: the one already running there, if any, left running on close).
 * Applies pending migrations and the shipped reference data.
 */
export async function openDatabase(
  config: Config,
  opts: { log?: (m: string) => void; migrate?: boolean; poolSize?: number; attach?: boolean; idleSeconds?: number } = {},
): Promise<Database> {
  const log = opts.log ?? (() => {});
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      attach: opts.attach,
      log: process.env.THROUGHLINE_PG_LOG ? (m) => log(`[pg] ${m}`) : undefined,
    });
    url = embedded.url;
  }
  const sql = createSql(url, { max: opts.poolSize ?? 20, idleSeconds: opts.idleSeconds });
  const close = async () => {
    await sql.end({ timeout: 5 });
    await embedded?.stop();
  };
  try {
    const [v] = await sql<{ server_version_num: string }[]>`show server_version_num`;
    if (Number(v?.server_version_num) < 150000) throw new Error('Throughline needs PostgreSQL 15 or newer');
    if (opts.migrate !== false) {
      for (const name of await migrate(sql, { log })) log(`migration ${name} applied`);
      await loadDivisions(sql);
      await ensureMonthlyPartitions(sql, { log });
    }
  } catch (e) {
    await close().catch(() => {});
    throw e;
  }
  return { sql, url, embedded, close };
}
