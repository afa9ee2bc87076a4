import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSql, type Sql } from '../src/db/connection.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadDivisions } from '../src/modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../src/modules/trace/partitions.ts';

/** One JSON line per figure, the format every benchmark prints. */
export function emit(bench: string, metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench, metric, value: Math.round(value * 100) / 100, unit }));
}

export interface BenchDb {
  sql: Sql;
  url: string;
  dataDir: string;
  server: EmbeddedServer;
  close(): Promise<void>;
}

/**
 * A fresh embedded PostgreSQL in a temporary directory, migrated, for one benchmark.
 * BENCH_EXPLAIN_MS=N prints to stderr the plan (with actual times) of every statement slower than N ms;
 * BENCH_LOG_MS=N only the duration and text of each (N=0: every statement, to see where a request's time goes);
 * BENCH_PGSS=1 loads pg_stat_statements (a restart), for `serverStatements`.
 */
/** the benchmarks' pool of connections to their database */
export const BENCH_POOL = 20;

export async function freshDatabase(port = 54349): Promise<BenchDb> {
  const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'tl-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const explainMs = process.env.BENCH_EXPLAIN_MS;
  const logMs = process.env.BENCH_LOG_MS;
  let server = await startEmbeddedPostgres({
    dataDir,
    port,
    log: explainMs || logMs ? (m) => m.includes('duration') && console.error(m) : undefined,
  });
  const pgss = Boolean(process.env.BENCH_PGSS);
  const settings = [
    ...(pgss ? [`shared_preload_libraries = 'pg_stat_statements'`, `pg_stat_statements.track = 'all'`] : []),
    ...(logMs ? [`log_min_duration_statement = '${Number(logMs)}ms'`] : []),
    ...(explainMs
      ? [
          `session_preload_libraries = 'auto_explain'`,
          `auto_explain.log_min_duration = '${Number(explainMs)}ms'`,
          'auto_explain.log_analyze = on',
          'auto_explain.log_nested_statements = on',
        ]
      : []),
  ];
  if (settings.length) {
    const admin = createSql(server.url, { max: 1 });
    for (const setting of settings) await admin.unsafe(`alter system set ${setting}`);
    await admin`select pg_reload_conf()`;
    await admin.end();
  }
  if (pgss) {
    await server.stop();
    server = await startEmbeddedPostgres({ dataDir, port });
  }
  const sql = createSql(server.url, { max: BENCH_POOL });
  if (pgss) await sql`create extension if not exists pg_stat_statements`;
  await migrate(sql);
  await loadDivisions(sql);
  await ensureMonthlyPartitions(sql);
  return {
    sql,
    url: server.url,
    dataDir,
    server,
    close: async () => {
      await sql.end();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where the server's time went since `reset` (BENCH_PGSS=1): the statements by total execution time, inside the
 * server (no network, no waiting for Node), top `limit`.
 */
export async function serverStatements(
  sql: Sql,
  limit = 25,
): Promise<{ calls: number; totalMs: number; meanMs: number; rows: number; query: string }[]> {
  const rows = await sql<{ calls: string; total: number; mean: number; rows: string; query: string }[]>`
    select calls, total_exec_time as total, mean_exec_time as mean, rows, query from pg_stat_statements
    order by total_exec_time desc limit ${limit}`;
  return rows.map((r) => ({
    calls: Number(r.calls),
    totalMs: r.total,
    meanMs: r.mean,
    rows: Number(r.rows),
    query: r.query.replace(/\s+/g, ' '),
  }));
}

export async function resetServerStatements(sql: Sql): Promise<void> {
  await sql`select pg_stat_statements_reset()`;
}

export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === new URL(`file://${path.resolve(process.argv[1])}`).href;
}
