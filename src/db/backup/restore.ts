/**
 * Restore into an empty database: the schema as of the backup (its migrations), then every table loaded by
 * COPY in one transaction with triggers off (session_replication_role = replica), the sequences set, the
 * foreign keys checked afterwards, and only then committed: a damaged or truncated file, or rows that do not
 * hold together, leave no data behind (the schema stays, so the restore can simply be run again).
 * After the commit the rest of the migrations bring the schema up to this version of Throughline.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { loadDivisions } from '../../modules/parties/index.ts';
import { ensureMonthlyPartitions } from '../../modules/trace/partitions.ts';
import type { Sql, Tx } from '../connection.ts';
import { openRawCopy } from '../copy.ts';
import { listMigrations, migrate } from '../migrate.ts';
import type { BackupHeader, BackupTrailer, TableFigures } from './backup.ts';
import { ident, tablesWithRows } from './catalog.ts';
import { BackupFileError, countLines, type Frame, json, readFrames } from './frames.ts';

export class RestoreRefused extends Error {}

/** Reference data the code loads itself at start-up: present in an otherwise empty database, replaced by the backup's. */
const REFERENCE_TABLES = new Set(['divisions']);

export interface RestoreProgress {
  table: string;
  rows: number;
  bytes: number;
}

export interface RestoreResult {
  header: BackupHeader;
  trailer: BackupTrailer;
  /** migrations applied after the load, to reach this version's schema */
  upgraded: string[];
  /** false when the server refused session_replication_role (not a superuser): triggers ran during the load */
  triggersOff: boolean;
  seconds: number;
}

/** The frames of a backup file, with gzip's own errors (bad checksum, early end) reported as a damaged file. */
async function* framesOf(file: string): AsyncGenerator<Frame> {
  if (!fs.existsSync(file)) throw new RestoreRefused(`no backup file ${file}`);
  const gunzip = zlib.createGunzip();
  const input = fs.createReadStream(file);
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    yield* readFrames(gunzip as AsyncIterable<Buffer>);
  } catch (e) {
    if (e instanceof BackupFileError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('Z_') || /unexpected end of file|incorrect header check|invalid/i.test((e as Error).message))
      throw new BackupFileError(`damaged or truncated backup file ${file}: ${(e as Error).message}`, { cause: e });
    throw e;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/** Reads a whole backup file and checks every table's checksum, without a database: the manifest if it is sound. */
export async function verifyBackupFile(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  let header: BackupHeader | null = null;
  let trailer: BackupTrailer | null = null;
  let current: { name: string; hash: ReturnType<typeof createHash>; rows: number; bytes: number } | null = null;
  for await (const f of framesOf(file)) {
    if (!header) header = json<BackupHeader>(f, 'H');
    else if (trailer) throw new BackupFileError('damaged backup file: data after its end');
    else if (f.type === 'T') current = { name: json<{ name: string }>(f, 'T').name, hash: createHash('sha256'), rows: 0, bytes: 0 };
    else if (f.type === 'D' && current) {
      current.hash.update(f.payload);
      current.rows += countLines(f.payload);
      current.bytes += f.payload.length;
    } else if (f.type === 'E' && current) {
      checkFigures(json<TableFigures>(f, 'E'), { ...current, sha256: current.hash.digest('hex') });
      current = null;
    } else if (f.type === 'Z') trailer = json<BackupTrailer>(f, 'Z');
    else throw new BackupFileError(`damaged backup file: unexpected ${f.type} frame`);
  }
  if (!header || !trailer) throw new BackupFileError(`truncated backup file ${file}: it ends before its last table`);
  return { header, trailer };
}

function checkFigures(expected: TableFigures, got: { name: string; rows: number; bytes: number; sha256: string }): void {
  if (expected.name !== got.name || expected.rows !== got.rows || expected.bytes !== got.bytes || expected.sha256 !== got.sha256)
    throw new BackupFileError(
      `damaged backup file: table ${got.name} read ${got.rows} rows, ${got.bytes} bytes (sha256 ${got.sha256.slice(0, 12)}…) ` +
        `but the backup recorded ${expected.rows} rows, ${expected.bytes} bytes (sha256 ${expected.sha256.slice(0, 12)}…)`,
    );
}

/** Refuses a database that holds data, or a schema this backup cannot be loaded into. */
async function checkTarget(sql: Sql, header: BackupHeader): Promise<void> {
  const known = new Map(listMigrations().map((m) => [m.version, m]));
  const unknown = header.migrations.filter((m) => !known.has(m.version));
  if (unknown.length)
    throw new RestoreRefused(
      `the backup's schema (version ${header.schemaVersion}) is newer than this Throughline knows (${[...known.keys()].pop()}): ` +
        'restore it with the version that made it, or a later one',
    );
  const [exists] = await sql<{ t: string | null }[]>`select to_regclass('public.schema_migrations')::text as t`;
  if (exists?.t) {
    const [v] = await sql<{ max: number | null }[]>`select max(version)::int as max from schema_migrations`;
    if ((v?.max ?? 0) > header.schemaVersion)
      throw new RestoreRefused(
        `the database's schema (version ${v?.max}) is newer than the backup's (${header.schemaVersion}): ` +
          'restore into a new database (an empty THROUGHLINE_DATA_DIR, or a database created empty on the server)',
      );
  }
  const full = await tablesWithRows(sql, REFERENCE_TABLES);
  if (full.length)
    throw new RestoreRefused(
      `the database is not empty (${full.slice(0, 5).join(', ')}${full.length > 5 ? ', …' : ''} hold rows): a restore only goes into an ` +
        'empty database, so nothing was changed. Point THROUGHLINE_DATA_DIR at a new directory (or DATABASE_URL at a new, empty database) and run it again.',
    );
}

/** Partitions the backup had that the schema lacks (months of the ledger), so rows land where they were. */
async function createPartitions(sql: Sql, header: BackupHeader): Promise<void> {
  for (const p of header.partitions) {
    if (!/^[a-z0-9_]+$/.test(p.name) || !/^[a-z0-9_]+$/.test(p.parent))
      throw new BackupFileError(`damaged backup file: partition ${p.name}`);
    if (!/^(DEFAULT|FOR VALUES FROM \('[0-9 :+-]+'\) TO \('[0-9 :+-]+'\))$/.test(p.bound))
      throw new BackupFileError(`damaged backup file: bound of partition ${p.name}`);
    await sql.unsafe(`create table if not exists public.${ident(p.name)} partition of public.${ident(p.parent)} ${p.bound}`);
  }
}

export async function restoreBackup(
  sql: Sql,
  file: string,
  opts: { log?: (m: string) => void; onProgress?: (p: RestoreProgress) => void } = {},
): Promise<RestoreResult> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const frames = framesOf(file);
  const first = await frames.next();
  if (first.done) throw new BackupFileError(`empty backup file ${file}`);
  const header = json<BackupHeader>(first.value, 'H');
  if (header.format !== 1) throw new BackupFileError(`backup format ${header.format} is not one this Throughline reads`);
  await checkTarget(sql, header);
  for (const m of await migrate(sql, { until: header.schemaVersion })) log(`migration ${m} applied`);
  await createPartitions(sql, header);
  const columnsOf = new Map(header.tables.map((t) => [t.name, t.columns]));
  let triggersOff = true;
  const trailer = await sql.begin(async (tx) => {
    await tx`set local statement_timeout = 0`;
    try {
      await tx.savepoint((sp) => sp`set local session_replication_role = replica`);
    } catch {
      triggersOff = false;
      log('session_replication_role refused (not a superuser): triggers and foreign keys run during the load');
    }
    for (const t of REFERENCE_TABLES) if (columnsOf.has(t)) await tx.unsafe(`delete from public.${ident(t)}`);
    const loaded = new Set<string>();
    let end: BackupTrailer | null = null;
    let copy: Awaited<ReturnType<typeof openRawCopy>> | null = null;
    let current: RestoreProgress & { hash: ReturnType<typeof createHash> } = { table: '', rows: 0, bytes: 0, hash: createHash('sha256') };
    try {
      for await (const f of frames) {
        if (end) throw new BackupFileError('damaged backup file: data after its end');
        if (f.type === 'T') {
          const { name } = json<{ name: string }>(f, 'T');
          const columns = columnsOf.get(name);
          if (!columns || loaded.has(name)) throw new BackupFileError(`damaged backup file: unexpected table ${name}`);
          current = { table: name, rows: 0, bytes: 0, hash: createHash('sha256') };
          copy = await openRawCopy(tx, `copy public.${ident(name)} (${columns.map(ident).join(', ')}) from stdin`);
        } else if (f.type === 'D' && copy) {
          current.hash.update(f.payload);
          current.rows += countLines(f.payload);
          current.bytes += f.payload.length;
          await copy.write(f.payload);
          opts.onProgress?.(current);
        } else if (f.type === 'E' && copy) {
          const figures = json<TableFigures>(f, 'E');
          const got = { name: current.table, rows: current.rows, bytes: current.bytes, sha256: current.hash.digest('hex') };
          if (got.name !== figures.name || got.sha256 !== figures.sha256) copy.abort('checksum mismatch');
          checkFigures(figures, got);
          await copy.end();
          copy = null;
          loaded.add(current.table);
        } else if (f.type === 'Z') end = json<BackupTrailer>(f, 'Z');
        else throw new BackupFileError(`damaged backup file: unexpected ${f.type} frame`);
      }
    } catch (e) {
      (copy as { abort(r: string): void } | null)?.abort('restore failed');
      throw damagedIfRefused(e, current.table);
    }
    if (!end) throw new BackupFileError(`truncated backup file ${file}: it ends before its last table`);
    const missing = header.tables.filter((t) => !loaded.has(t.name)).map((t) => t.name);
    if (missing.length) throw new BackupFileError(`damaged backup file: no data for ${missing.join(', ')}`);
    for (const s of header.sequences) await tx`select setval(format('public.%I', ${s.name}::text)::regclass, ${s.value}, ${s.isCalled})`;
    await checkForeignKeys(tx);
    return end;
  });
  // the rest of this version's schema, and what start-up adds (divisions shipped later, months ahead)
  const upgraded = await migrate(sql, { log });
  await loadDivisions(sql);
  await ensureMonthlyPartitions(sql, { log });
  // bulk-loaded tables have no statistics yet: without them the first plans are table scans
  await sql`analyze`;
  return { header, trailer, upgraded, triggersOff, seconds: (performance.now() - started) / 1000 };
}

/** Every foreign key re-checked over the loaded rows (the load ran with triggers, and so foreign-key checks, off). */
export async function checkForeignKeys(tx: Tx): Promise<void> {
  const fks = await tx<{ name: string; child: string; parent: string; cols: string[]; pcols: string[] }[]>`
    select c.conname::text as name, ch.relname::text as child, pa.relname::text as parent,
      array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i)
            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as cols,
      array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i)
            join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as pcols
    from pg_constraint c join pg_class ch on ch.oid = c.conrelid join pg_class pa on pa.oid = c.confrelid
    where c.contype = 'f' and c.connamespace = 'public'::regnamespace and c.conparentid = 0
    order by 2, 1`;
  for (const fk of fks) {
    const notNull = fk.cols.map((c) => `c.${ident(c)} is not null`).join(' and ');
    const match = fk.cols.map((c, i) => `p.${ident(fk.pcols[i] as string)} = c.${ident(c)}`).join(' and ');
    const [r] = await tx.unsafe<{ n: number }[]>(
      `select count(*)::int as n from public.${ident(fk.child)} c where ${notNull}
       and not exists (select 1 from public.${ident(fk.parent)} p where ${match})`,
    );
    if (r?.n)
      throw new BackupFileError(
        `the backup's rows do not hold together: ${r.n} rows of ${fk.child} point to missing rows of ${fk.parent} (${fk.name}); nothing was restored`,
      );
  }
}

/**
 * PostgreSQL refusing a table's rows with a data exception (bytes that are not UTF-8, a malformed COPY line) means the
 * file was changed after it was written: this product wrote those rows from the same schema. Bytes flipped inside the
 * compressed stream can decode into such rows before the table's checksum, or gzip's, is read.
 */
function damagedIfRefused(e: unknown, table: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('22')) return e;
  return new BackupFileError(`damaged backup file: the rows of table ${table} were refused (${(e as Error).message})`, { cause: e });
}
