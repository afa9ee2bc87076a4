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

/** A fresh embedded PostgreSQL in a temporary directory, migrated, for one benchmark. */
export async function freshDatabase(port = 54349): Promise<BenchDb> {
  const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'tl-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir, port });
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
