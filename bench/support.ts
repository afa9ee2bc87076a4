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
 * BENCH_LOG_MS=N only the duration and text of each (N=0: every statement, to see where a request's time goes).
 */
export async function freshDatabase(port = 54349): Promise<BenchDb> {
  const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'tl-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const explainMs = process.env.BENCH_EXPLAIN_MS;
  const logMs = process.env.BENCH_LOG_MS;
  const server = await startEmbeddedPostgres({
    dataDir,
    port,
    log: explainMs || logMs ? (m) => m.includes('duration') && console.error(m) : undefined,
  });
  const settings = [
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
  const sql = createSql(server.url, { max: 20 });
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

export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === new URL(`file://${path.resolve(process.argv[1])}`).href;
}
