import { once } from 'node:events';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';

export type TableColumn = { key: string; header: string };
export type WriteValue = string | number | null | undefined;
export type WriteRows = AsyncIterable<Record<string, WriteValue>> | Iterable<Record<string, WriteValue>>;

/** Text that a spreadsheet would run as a formula: =, +, -, @, tab or CR first, and not a plain number. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

export function guardFormula(v: string): string {
  return FORMULA_START.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v;
}

function csvOut(columns: TableColumn[], rows: WriteRows): NodeJS.ReadableStream {
  const stringifier = stringify({
    bom: true,
    header: true,
    columns: columns.map((c) => ({ key: c.key, header: c.header })),
    cast: {
      string: (v) => guardFormula(v),
      number: (v) => String(v),
    },
  });
  const source = Readable.from(rows as AsyncIterable<Record<string, WriteValue>>, { objectMode: true });
  const out = new PassThrough();
  pipeline(source, stringifier, out, () => {
    // errors are forwarded to `out` by pipeline (it destroys every stream with the error)
  });
  return out;
}

function xlsxOut(columns: TableColumn[], rows: WriteRows): NodeJS.ReadableStream {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('Sheet1');
  ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: Math.min(60, Math.max(10, c.header.length * 2 + 2)) }));
  const keys = columns.map((c) => c.key);
  void (async () => {
    let n = 0;
    for await (const r of rows) {
      const cells: (string | number | null)[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const v = r[keys[i] as string];
        // strings stay strings (codes keep their leading zeros); numbers are numbers; null/undefined empty
        cells[i] = v === undefined || v === null || v === '' ? null : v;
      }
      ws.addRow(cells).commit();
      if (++n % 1000 === 0 && out.writableNeedDrain) await once(out, 'drain');
    }
    ws.commit();
    await wb.commit();
  })().catch((err: unknown) => {
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return out;
}

/**
 * Streams a table as .xlsx (one sheet, header row then rows) or as UTF-8 CSV with a BOM. Pass codes (GTIN, GLN,
 * phone, division codes) as strings: they are written as text, so leading zeros survive.
 */
export function writeTable(format: 'xlsx' | 'csv', columns: TableColumn[], rows: WriteRows): NodeJS.ReadableStream {
  return format === 'xlsx' ? xlsxOut(columns, rows) : csvOut(columns, rows);
}
