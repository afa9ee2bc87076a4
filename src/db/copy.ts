import type { Db } from '../context.ts';

type Cell = string | number | boolean | null | undefined | Date | readonly (string | number)[];

/** COPY text-format escaping: backslash, tab, newline, carriage return; null is \N. Arrays as {a,b}. */
function encode(v: Cell): string {
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v))
    return `{${v.map((x) => (typeof x === 'number' ? String(x) : `"${String(x).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`.replace(
      /\\/g,
      '\\\\',
    );
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

export interface CopyStream {
  /** Queues one row; resolves at once unless the buffer is full and PostgreSQL has not caught up. */
  write(row: Cell[]): Promise<void> | undefined;
  /** Sends the rest and waits until PostgreSQL has taken every row (or rejects with its error). */
  end(): Promise<number>;
  /** Abandons the COPY (nothing of it is written); the transaction must then roll back. */
  abort(reason: string): void;
}

export interface RawCopy {
  /** Sends a chunk of COPY text; resolves at once unless PostgreSQL has not caught up. */
  write(chunk: string | Buffer): Promise<void> | undefined;
  /** Waits until PostgreSQL has taken everything (or rejects with its error). */
  end(): Promise<void>;
  /** Abandons the COPY (nothing of it is written); the transaction must then roll back. */
  abort(reason: string): void;
}

/** Opens `statement` (a COPY ... FROM STDIN) inside the caller's transaction and hands over its input stream. */
export async function openRawCopy(db: Db, statement: string): Promise<RawCopy> {
  const query = db.unsafe(statement);
  const stream = await query.writable();
  let failure: Error | null = null;
  let onFailure: (e: Error) => void = () => {};
  const failed = (e: Error) => {
    failure ??= e;
    onFailure(e);
  };
  stream.on('error', failed);
  // postgres.js 3.4.9 never settles a COPY whose error arrives after the last row was sent
  // (porsager/postgres#1173, fix proposed in #1183): the error only reaches the query's reject, so listen there
  const internal = query as unknown as { reject: (e: Error) => void };
  const reject = internal.reject;
  internal.reject = (e) => {
    failed(e);
    reject(e);
  };
  let ended = false;
  return {
    write(chunk) {
      if (failure) return Promise.reject(failure);
      if (stream.write(chunk)) return undefined;
      return new Promise<void>((resolve, rejectWrite) => {
        onFailure = rejectWrite;
        stream.once('drain', () => resolve());
      });
    },
    async end() {
      ended = true;
      await new Promise<void>((resolve, rejectEnd) => {
        if (failure) return rejectEnd(failure);
        onFailure = rejectEnd;
        stream.once('finish', () => resolve());
        stream.end();
      });
    },
    abort(reason) {
      // once ended the connection has left COPY mode: a CopyFail now would break it
      if (!ended && !stream.destroyed) stream.destroy(new Error(reason));
    },
  };
}

/**
 * Opens a COPY FROM STDIN (the fastest path into PostgreSQL: ~200k rows/s here) inside the caller's
 * transaction, so a failure anywhere leaves nothing written. Rows are sent in 1 MiB chunks while the
 * caller goes on producing them, so PostgreSQL's index maintenance runs on the other core meanwhile.
 */
export async function openCopy(db: Db, table: string, columns: string[]): Promise<CopyStream> {
  if (!/^[a-z_]+$/.test(table) || !columns.every((c) => /^[a-z_]+$/.test(c))) throw new Error('bad identifier');
  const raw = await openRawCopy(db, `copy ${table} (${columns.join(', ')}) from stdin`);
  let n = 0;
  let buf = '';
  const flush = async () => {
    if (!buf) return;
    const chunk = buf;
    buf = '';
    await raw.write(chunk);
  };
  return {
    write(row) {
      buf += `${row.map(encode).join('\t')}\n`;
      n++;
      return buf.length > 1 << 20 ? flush() : undefined;
    },
    async end() {
      await flush();
      await raw.end();
      return n;
    },
    abort(reason) {
      buf = '';
      raw.abort(reason);
    },
  };
}

/** COPYs all `rows` in the caller's transaction. */
export async function copyInto(db: Db, table: string, columns: string[], rows: Iterable<Cell[]>): Promise<number> {
  const copy = await openCopy(db, table, columns);
  for (const row of rows) await copy.write(row);
  return copy.end();
}

/** Reserves `n` ids from a table's identity sequence in one round trip, for rows that reference each other. */
export async function reserveIds(db: Db, table: string, n: number): Promise<number[]> {
  if (n === 0) return [];
  // one row holding all the ids as text: a hundred thousand rows would cost more to receive than to make
  const [r] = await db<{ ids: string }[]>`
    select string_agg(nextval(pg_get_serial_sequence(${table}, 'id'))::text, ',') as ids from generate_series(1, ${n})`;
  return (r?.ids ?? '').split(',').map(Number);
}
