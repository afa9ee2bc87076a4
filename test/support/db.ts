import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/db/connection.ts';
import { withDatabase } from './global-setup.ts';

export interface TestDb {
  sql: Sql;
  url: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, cloned from the migrated template with the demo brand in it. */
export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `tl_${randomBytes(6).toString('hex')}`;
  const admin = createSql(adminUrl, { max: 1 });
  await admin.unsafe(`create database "${name}" template tl_template`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const sql = createSql(url, { max: 10 });
  return {
    sql,
    url,
    drop: async () => {
      await sql.end();
      const a = createSql(adminUrl, { max: 1 });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}
