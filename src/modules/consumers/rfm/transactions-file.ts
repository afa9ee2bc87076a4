/**
 * RFM of a transactions file, streamed: gzip or plain CSV in, one scored row per customer out. The file is read once,
 * row by row (the 45 MB Online Retail II file is never held in memory), folded into one entry per customer.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { stringify } from 'csv-stringify';
import { CsvLineError, forEachCsvRecord } from './csv-lines.ts';
import {
  type CustomerRfm,
  type DropReason,
  formatScaled,
  onlineRetailColumns,
  parseOnlineRetailRow,
  RfmAggregator,
  TransactionsFormatError,
} from './online-retail.ts';
import { type OnDuplicateEdges, type RfmScores, scoreRfm } from './score.ts';

export const TRANSACTION_FORMATS = ['online-retail-ii'] as const;
export type TransactionFormat = (typeof TRANSACTION_FORMATS)[number];

export interface TransactionsRfm {
  /** lines of the file, the header included */
  linesRead: number;
  purchases: number;
  dropped: Record<DropReason, number>;
  /** midnight two days after the last purchase (ms since the epoch, UTC), null without purchases */
  snapshot: number | null;
  rows: (CustomerRfm & RfmScores)[];
  rankedInstead: ('recency' | 'monetary')[];
}

async function openInput(file: string): Promise<AsyncIterable<Buffer>> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TransactionsFormatError(`no such file: ${file}`);
    if (code === 'EISDIR') throw new TransactionsFormatError(`${file} is a directory, not a transactions file`);
    throw new TransactionsFormatError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new TransactionsFormatError(`${file} is a directory, not a transactions file`);
  }
  const magic = Buffer.alloc(2);
  const { bytesRead } = await handle.read(magic, 0, 2, 0);
  const raw = handle.createReadStream({ start: 0, highWaterMark: 1 << 20 });
  if (!(bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b)) return raw;
  const gunzip = zlib.createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/**
 * Reads, cleans and aggregates the file, then scores the customers. Refuses a missing file, a file whose header is
 * not the format's, a malformed row (with its line number), and a file that is not gzip although it says so.
 */
export async function rfmOfTransactionsFile(
  file: string,
  format: TransactionFormat,
  opts: { onDuplicateEdges?: OnDuplicateEdges } = {},
): Promise<TransactionsRfm> {
  if (!TRANSACTION_FORMATS.includes(format))
    throw new TransactionsFormatError(`unknown format "${format}": the formats are ${TRANSACTION_FORMATS.join(', ')}`);
  const input = await openInput(file);
  const agg = new RfmAggregator();
  const dropped: Record<DropReason, number> = { cancellation: 0, no_customer: 0, non_positive: 0 };
  let purchases = 0;
  let lines = 0;
  let cols: ReturnType<typeof onlineRetailColumns> | undefined;
  let width = 0;
  try {
    lines = await forEachCsvRecord(input, (record, line) => {
      if (!cols) {
        cols = onlineRetailColumns(record);
        width = record.length;
        return;
      }
      if (record.length !== width)
        throw new TransactionsFormatError(
          `${record.length} fields where the header has ${width} (a comma inside an unquoted field?)`,
          line,
        );
      const r = parseOnlineRetailRow(record, cols, line);
      if (r.kept) {
        purchases++;
        agg.add(r.purchase);
      } else dropped[r.reason]++;
    });
  } catch (e) {
    if (e instanceof CsvLineError) throw new TransactionsFormatError(e.message, e.line);
    if ((e as NodeJS.ErrnoException).code?.startsWith('Z_'))
      throw new TransactionsFormatError(`${file} is not a valid gzip file (or is cut short): ${(e as Error).message}`);
    throw e;
  }
  if (!cols) throw new TransactionsFormatError(`${file} is empty: an online-retail-ii file starts with its header`);
  const { snapshot, rows } = agg.finish();
  const scored = scoreRfm(rows, opts.onDuplicateEdges ?? 'raise');
  return { linesRead: lines, purchases, dropped, snapshot, rows: scored.rows, rankedInstead: scored.rankedInstead };
}

export const RFM_CSV_COLUMNS = ['customer_id', 'recency', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'segment'];

/** One line per customer, the header first; monetary as an exact decimal. */
export async function writeRfmCsv(rows: TransactionsRfm['rows'], out: NodeJS.WritableStream): Promise<void> {
  const s = stringify({ header: true, columns: RFM_CSV_COLUMNS });
  const done = pipeline(s, out);
  // a failing output (a missing folder) rejects `done` while rows are still being written: it is awaited below
  done.catch(() => {});
  for (const r of rows) {
    if (s.destroyed) break;
    if (
      !s.write([
        r.customer,
        r.recency,
        r.frequency,
        formatScaled(r.monetary),
        r.rScore ?? '',
        r.fScore ?? '',
        r.mScore ?? '',
        r.segment ?? '',
      ])
    )
      await new Promise((resolve) => {
        s.once('drain', resolve);
        s.once('close', resolve);
      });
  }
  s.end();
  await done;
}
