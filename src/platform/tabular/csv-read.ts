import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { columnLetter, TabularError } from './errors.ts';
import { type ReadOptions, RowShaper, type TableRow } from './rows.ts';

/** Values the writer guarded against spreadsheet formula injection start with this and one of =+-@\t\r. */
const GUARDED = /^'[=+\-@\t\r]/;

/** Reads UTF-8 CSV (BOM optional, comma separated, RFC 4180 quoting). Row numbers are record numbers. */
export async function* readCsv(input: Buffer | NodeJS.ReadableStream, opts?: ReadOptions): AsyncGenerator<TableRow> {
  const parser = parse({
    bom: true,
    delimiter: ',',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_empty_values: false,
  });
  const source = Buffer.isBuffer(input) ? Readable.from([input]) : Readable.from(input as AsyncIterable<Buffer | string>);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  const shaper = new RowShaper(opts);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      for (let i = 0; i < record.length; i++) {
        const v = record[i] as string;
        if (v.length > 1 && v.charCodeAt(0) === 39 /* ' */ && GUARDED.test(v)) record[i] = v.slice(1);
        else if (v.includes('\uFFFD')) {
          throw new TabularError(
            'tabular.bad_encoding',
            `row ${row} column ${columnLetter(i)} is not UTF-8 text (save the CSV as "CSV UTF-8")`,
            {
              row,
              column: columnLetter(i),
            },
          );
        }
      }
      const out = shaper.accept(row, record);
      if (out !== null) yield out;
    }
  } catch (err) {
    if (err instanceof TabularError) throw err;
    if (err instanceof CsvError) {
      const at =
        typeof (err as { records?: unknown }).records === 'number' ? (err as unknown as { records: number }).records + 1 : undefined;
      throw new TabularError('tabular.bad_file', `not a readable CSV file: ${err.message}`, { row: at, cause: err });
    }
    throw err;
  } finally {
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
  }
  shaper.finish();
}
