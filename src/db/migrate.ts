import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './connection.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export class MigrationError extends Error {}

/**
 * Applies pending migrations in order, each in its own transaction, recorded in `schema_migrations`.
 * An advisory lock keeps two starting nodes from migrating at once. A failing migration rolls back
 * completely and stops start-up with the file name and the database's reason. `until`: stop after that version
 * (a restore builds the schema its backup was taken with, loads the data, then applies the rest).
 */
export async function migrate(sql: Sql, opts: { dir?: string; log?: (m: string) => void; until?: number } = {}): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`select pg_advisory_lock(7316001)`;
      await conn`create table if not exists schema_migrations (
        version integer primary key, name text not null, checksum text not null,
        applied_at timestamptz not null default now())`;
      const done = new Map(
        (await conn<{ version: number; checksum: string }[]>`select version, checksum from schema_migrations`).map((r) => [
          r.version,
          r.checksum,
        ]),
      );
      for (const m of listMigrations(opts.dir)) {
        if (opts.until !== undefined && m.version > opts.until) break;
        const prior = done.get(m.version);
        if (prior !== undefined) {
          if (prior !== m.checksum) log(`warning: migration ${m.name} changed after it was applied`);
          continue;
        }
        try {
          await conn
            .unsafe(
              `begin;\n${m.sql}\n;insert into schema_migrations(version, name, checksum) values (${m.version}, '${m.name}', '${m.checksum}');\ncommit;`,
            )
            .simple();
        } catch (cause) {
          await conn`rollback`.catch(() => {});
          throw new MigrationError(
            `Migration ${m.name} failed and was rolled back; the schema is as it was before it. ` +
              `Fix the migration and start again. Reason: ${(cause as Error).message}`,
            { cause },
          );
        }
        log(`applied migration ${m.name}`);
        applied.push(m.name);
      }
    } finally {
      await conn`select pg_advisory_unlock(7316001)`.catch(() => {});
      conn.release();
    }
  });
  return applied;
}

export async function pendingMigrations(sql: Sql): Promise<string[]> {
  const [exists] = await sql<{ t: string | null }[]>`select to_regclass('schema_migrations')::text as t`;
  const done = exists?.t
    ? new Set((await sql<{ version: number }[]>`select version from schema_migrations`).map((r) => r.version))
    : new Set<number>();
  return listMigrations()
    .filter((m) => !done.has(m.version))
    .map((m) => m.name);
}
