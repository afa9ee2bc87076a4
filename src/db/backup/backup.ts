/**
 * An online backup: one REPEATABLE READ READ ONLY transaction, so every table is read as of the same instant
 * (a capture's events, codes and stock are in it together or not at all), while the server goes on writing.
 * Each table is streamed with COPY ... TO STDOUT (text format) into the gzip file as it arrives: no table is
 * ever held in memory. The file is written as FILE.partial and renamed when complete.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Sql, Tx } from '../connection.ts';
import { listMigrations } from '../migrate.ts';
import { ident, listPartitions, listSequences, listTables, type PartitionInfo, type SequenceInfo, type TableInfo } from './catalog.ts';
import { countLines, MAGIC, writeFrame } from './frames.ts';

export interface BackupHeader {
  format: 1;
  createdAt: string;
  /** the PostgreSQL server the backup was read from */
  serverVersion: string;
  /** the snapshot the transaction read (pg_current_snapshot) */
  snapshot: string;
  /** applied migrations: the schema the rows belong to */
  schemaVersion: number;
  migrations: { version: number; name: string; checksum: string }[];
  /** null: every tenant */
  tenant: { id: number; code: string } | null;
  tables: Pick<TableInfo, 'name' | 'columns' | 'scope'>[];
  partitions: PartitionInfo[];
  sequences: SequenceInfo[];
}

export interface TableFigures {
  name: string;
  rows: number;
  /** bytes of COPY text */
  bytes: number;
  sha256: string;
}

export interface BackupManifest extends BackupHeader {
  tables: (BackupHeader['tables'][number] & Partial<TableFigures>)[];
}

export interface BackupTrailer {
  tables: TableFigures[];
  rows: number;
  bytes: number;
  finishedAt: string;
}

export interface BackupProgress {
  table: string;
  rows: number;
  /** the planner's estimate of all rows, for a progress bar */
  estimate: number;
  bytes: number;
}

export interface BackupResult {
  header: BackupHeader;
  trailer: BackupTrailer;
  /** bytes of the compressed file */
  fileBytes: number;
  seconds: number;
}

const FRAME_BYTES = 1 << 20;

export async function writeBackup(
  sql: Sql,
  file: string,
  opts: { tenant?: string; level?: number; onProgress?: (p: BackupProgress) => void } = {},
): Promise<BackupResult> {
  const started = performance.now();
  const partial = `${file}.partial`;
  const gzip = zlib.createGzip({ level: opts.level ?? 1 });
  const written = pipeline(gzip, fs.createWriteStream(partial));
  // the file side failing (disk full) must end the transaction too
  let writeError: Error | null = null;
  written.catch((e: Error) => {
    writeError = e;
  });
  try {
    const result = await sql.begin('isolation level repeatable read read only', async (tx) => {
      await tx`set local statement_timeout = 0`;
      const [now] = await tx<{ snapshot: string; at: Date; version: string }[]>`
        select pg_current_snapshot()::text as snapshot, now() as at, current_setting('server_version') as version`;
      let tenant: BackupHeader['tenant'] = null;
      if (opts.tenant) {
        const [t] = await tx<{ id: number; code: string }[]>`select id, code from tenants where code = ${opts.tenant}`;
        if (!t) throw new Error(`no tenant ${opts.tenant}`);
        tenant = { id: Number(t.id), code: t.code };
      }
      const applied = new Set((await tx<{ version: number }[]>`select version from schema_migrations`).map((r) => Number(r.version)));
      const migrations = listMigrations()
        .filter((m) => applied.has(m.version))
        .map(({ version, name, checksum }) => ({ version, name, checksum }));
      const tables = await listTables(tx);
      const header: BackupHeader = {
        format: 1,
        createdAt: (now?.at ?? new Date()).toISOString(),
        serverVersion: now?.version ?? '',
        snapshot: now?.snapshot ?? '',
        schemaVersion: Math.max(0, ...applied),
        migrations,
        tenant,
        tables: tables.map(({ name, columns, scope }) => ({ name, columns, scope })),
        partitions: await listPartitions(tx),
        // read after the snapshot: at least as high as any id the snapshot's rows use
        sequences: await listSequences(tx),
      };
      gzip.write(MAGIC);
      await writeFrame(gzip, 'H', JSON.stringify(header));
      const estimate = tables.reduce((n, t) => n + t.estimate, 0);
      const progress = { table: '', rows: 0, estimate, bytes: 0 };
      const figures: TableFigures[] = [];
      for (const t of tables) {
        progress.table = t.name;
        figures.push(await copyTable(tx, gzip, t, tenant?.id ?? null, progress, opts.onProgress, () => writeError));
      }
      const trailer: BackupTrailer = {
        tables: figures,
        rows: figures.reduce((n, f) => n + f.rows, 0),
        bytes: figures.reduce((n, f) => n + f.bytes, 0),
        finishedAt: new Date().toISOString(),
      };
      await writeFrame(gzip, 'Z', JSON.stringify(trailer));
      return { header, trailer };
    });
    gzip.end();
    await written;
    fs.renameSync(partial, file);
    return { ...result, fileBytes: fs.statSync(file).size, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    gzip.destroy();
    await written.catch(() => {});
    fs.rmSync(partial, { force: true });
    throw e;
  }
}

function selectOf(t: TableInfo, tenantId: number | null): string {
  const cols = t.columns.map(ident).join(', ');
  const from = `public.${ident(t.name)}`;
  if (tenantId == null || t.scope === 'all') return `select ${cols} from ${from}`;
  if (!Number.isInteger(tenantId)) throw new Error('bad tenant id');
  return `select ${cols} from ${from} where ${t.scope === 'tenant' ? 'tenant_id' : 'id'} = ${tenantId}`;
}

async function copyTable(
  tx: Tx,
  out: zlib.Gzip,
  t: TableInfo,
  tenantId: number | null,
  progress: BackupProgress,
  onProgress: ((p: BackupProgress) => void) | undefined,
  writeError: () => Error | null,
): Promise<TableFigures> {
  await writeFrame(out, 'T', JSON.stringify({ name: t.name }));
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await writeFrame(out, 'D', chunk);
    onProgress?.(progress);
  };
  const stream = await tx.unsafe(`copy (${selectOf(t, tenantId)}) to stdout`).readable();
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const e = writeError();
    if (e) throw e;
    hash.update(chunk);
    const n = countLines(chunk);
    rows += n;
    bytes += chunk.length;
    progress.rows += n;
    progress.bytes += chunk.length;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= FRAME_BYTES) await flush();
  }
  // postgres.js 3.4.9 pauses its socket when a COPY chunk finds the stream's buffer full, and resumes it only
  // from the stream's read(): when that happens on the last chunk, the end arrives while paused and nothing
  // reads again, so the connection hangs with the next statement's answer unread. The stream's read() is the
  // socket's resume: call it once more after the end.
  (stream as unknown as { _read(n: number): void })._read(0);
  await flush();
  const figures = { name: t.name, rows, bytes, sha256: hash.digest('hex') };
  await writeFrame(out, 'E', JSON.stringify(figures));
  onProgress?.(progress);
  return figures;
}
