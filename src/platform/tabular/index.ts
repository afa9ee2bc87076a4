import { readCsv } from './csv-read.ts';
import type { ReadOptions, TableRow } from './rows.ts';
import { readXlsx } from './xlsx-read.ts';

export { columnLetter, TabularError, type TabularErrorCode } from './errors.ts';
export { DEFAULT_MAX_ROWS, type ReadOptions, type TableRow } from './rows.ts';
export { type TableColumn, type WriteRows, type WriteValue, writeTable } from './write.ts';

/** The media type of the .xlsx files written and read here. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Reads a table from .xlsx (first worksheet) or UTF-8 CSV. The first non-empty row is the header; empty rows are
 * skipped; problems with the file raise TabularError ('tabular.*'). Rows come as they are parsed (the .xlsx file
 * itself is held in memory, its sheet is inflated and parsed as a stream).
 */
export function readTable(input: Buffer | NodeJS.ReadableStream, format: 'xlsx' | 'csv', opts?: ReadOptions): AsyncIterable<TableRow> {
  return format === 'xlsx' ? readXlsx(input, opts) : readCsv(input, opts);
}
