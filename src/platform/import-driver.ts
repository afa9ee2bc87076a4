import type { Sql, Tx } from '../db/connection.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { Locale } from '../http/messages.ts';
import { message } from '../http/messages.ts';
import { AppError, type FieldError } from '../http/problem.ts';
import { readTable, type TableRow } from './tabular/index.ts';

/** One row-level reason an import was refused. */
export interface RowError {
  row: number;
  column: string;
  code: string;
  reason: string;
}

export interface Column {
  key: string;
  header: string;
  /** other header spellings accepted on import (e.g. the Chinese header) */
  aliases?: string[];
}

/**
 * What an entity contributes to import/export: its columns, a pure per-row parse and check, and a bulk
 * write inside one transaction. Field errors use pointers `/rows/{index}/{field}`.
 */
export interface ImportSpec<T> {
  entity: string;
  columns: Column[];
  parseRow(values: Record<string, string>, index: number): { value?: T; errors: FieldError[] };
  /** may run async preparation (e.g. password hashing) before the transaction */
  write(tx: Tx, tenantId: number, items: T[]): Promise<{ errors: FieldError[]; count: number }>;
  /**
   * Optional fast path for big files: takes rows while the file is still being read, so the database
   * writes on one core while the file is parsed on the other. `finish` may reject with a unique violation
   * (a key already in the database); the import then runs `write` for the row-by-row report.
   */
  openStream?(tx: Tx, sql: Sql, tenantId: number): Promise<RowStreamWriter<T>>;
}

export interface RowStreamWriter<T> {
  add(item: T, index: number): Promise<FieldError[]>;
  finish(): Promise<{ errors: FieldError[]; count: number }>;
  abort(): void;
}

export interface ImportOutcome {
  imported: number;
  rowsPerSecond: number;
}

const FIELD_TO_KEY = (f: string) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Reads the whole file, checks every row, then writes all rows in one transaction, or nothing:
 * any bad row (or a failure mid-write) rolls everything back and the caller gets every row's reasons.
 */
export async function runImport<T>(
  sql: Sql,
  spec: ImportSpec<T>,
  input: Buffer,
  format: 'xlsx' | 'csv',
  opts: {
    tenantId: number;
    locale: Locale;
    maxRows?: number;
    onProgress?: (done: number) => void;
    audit?: (tx: Tx, count: number) => Promise<void>;
  },
): Promise<ImportOutcome> {
  const started = performance.now();
  const outcome = (count: number) => {
    const seconds = (performance.now() - started) / 1000;
    return { imported: count, rowsPerSecond: Math.round(count / Math.max(seconds, 1e-6)) };
  };
  const items: T[] = [];
  const rowNumbers: number[] = [];
  const errors: FieldError[] = [];
  if (spec.openStream) {
    let streamFailed = false;
    const openStream = spec.openStream;
    const written = await sql
      .begin(async (tx) => {
        const writer = await openStream(tx, sql, opts.tenantId);
        try {
          await readRows(spec, input, format, opts, rowNumbers, errors, async (item, index) => {
            items.push(item);
            if (!errors.length && !streamFailed) streamFailed = (await writer.add(item, index)).length > 0;
          });
          if (errors.length || streamFailed) throw ROLLBACK;
          const r = await writer.finish();
          if (r.errors.length) {
            streamFailed = true;
            throw ROLLBACK;
          }
          await opts.audit?.(tx, r.count);
          return r.count;
        } catch (e) {
          writer.abort();
          throw e;
        }
      })
      .catch((e) => {
        if (e === ROLLBACK) return -1;
        // a code or GLN already in the database: the batch path below says which rows
        if (isUniqueViolation(e)) return -1;
        throw e;
      });
    if (written >= 0) return outcome(written);
    // rows with parse errors are reported as they are; any other problem the stream met (which stops it at
    // the first) is reported row by row by the batch path below
  } else {
    await readRows(spec, input, format, opts, rowNumbers, errors, async (item) => {
      items.push(item);
    });
  }
  if (!errors.length) {
    const count = await sql
      .begin(async (tx) => {
        const r = await spec.write(tx, opts.tenantId, items);
        if (r.errors.length) {
          errors.push(...r.errors);
          throw ROLLBACK;
        }
        await opts.audit?.(tx, r.count);
        return r.count;
      })
      .catch((e) => {
        if (e === ROLLBACK) return -1;
        throw e;
      });
    if (count >= 0) return outcome(count);
  }
  throw new AppError(422, 'import.invalid_rows', { count: new Set(errors.map((e) => e.pointer.split('/')[2])).size }, [], {
    errors: toRowErrors(errors, rowNumbers, spec.columns, opts.locale),
  });
}

/** Reads and checks every row, handing each good one to `take`; row problems go to `errors`. */
async function readRows<T>(
  spec: ImportSpec<T>,
  input: Buffer,
  format: 'xlsx' | 'csv',
  opts: { maxRows?: number; onProgress?: (done: number) => void },
  rowNumbers: number[],
  errors: FieldError[],
  take: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const headerOf = new Map<string, string>();
  for (const c of spec.columns) {
    headerOf.set(c.header, c.key);
    for (const a of c.aliases ?? []) headerOf.set(a, c.key);
  }
  let rows: AsyncIterable<TableRow>;
  try {
    rows = readTable(input, format, { maxRows: opts.maxRows ?? 1_000_000 });
  } catch (e) {
    throw new AppError(400, 'import.bad_file', { reason: (e as Error).message });
  }
  try {
    for await (const r of rows) {
      const isFirstRow = rowNumbers.length === 0;
      const values: Record<string, string> = {};
      for (const [h, v] of Object.entries(r.values)) {
        const key = headerOf.get(h);
        if (key) values[key] = v;
        // every row has every header: report each unknown header once, against the header row
        else if (isFirstRow) errors.push({ pointer: `/rows/-1/${h}`, code: 'field.unknown', params: { field: h } });
      }
      const index = rowNumbers.length;
      rowNumbers.push(r.row);
      const parsed = spec.parseRow(values, index);
      errors.push(...parsed.errors);
      if (parsed.value !== undefined) await take(parsed.value, index);
      if (rowNumbers.length % 10_000 === 0) opts.onProgress?.(rowNumbers.length);
    }
  } catch (e) {
    if (e instanceof AppError || e === ROLLBACK) throw e;
    throw new AppError(400, 'import.bad_file', { reason: (e as Error).message });
  }
}

const ROLLBACK = Symbol('rollback');

export function toRowErrors(errors: FieldError[], rowNumbers: number[], columns: Column[], locale: Locale): RowError[] {
  return errors.map((e) => {
    const [, , index, field = ''] = e.pointer.split('/');
    const key = FIELD_TO_KEY(field);
    const column = columns.find((c) => c.key === key)?.header ?? field;
    const i = Number(index);
    return {
      row: i < 0 ? 1 : (rowNumbers[i] ?? i + 2),
      column,
      code: e.code,
      reason: message(e.code, locale, { field: column, ...e.params }),
    };
  });
}
