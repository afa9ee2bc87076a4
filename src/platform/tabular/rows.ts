import { columnLetter, TabularError } from './errors.ts';

export type TableRow = {
  /** 1-based spreadsheet row number as the user sees it; the header is row 1 when it is the first row. */
  row: number;
  /** header name (trimmed) -> cell text (trimmed); '' for an empty cell. */
  values: Record<string, string>;
};

export type ReadOptions = {
  /** Most data rows accepted (header not counted); more gives 'tabular.too_many_rows'. Default 1,048,576. */
  maxRows?: number;
};

export const DEFAULT_MAX_ROWS = 1_048_576;

/**
 * Turns raw rows (cells by 0-based column) into TableRows: first non-empty row is the header, empty rows are
 * skipped, header names are checked. Shared by the CSV and XLSX readers.
 */
export class RowShaper {
  private headers: string[] | null = null;
  /** 0-based column of the first header; columns to the left of it must stay empty. */
  private start = 0;
  private dataRows = 0;
  private readonly maxRows: number;

  constructor(opts: ReadOptions | undefined) {
    this.maxRows = opts?.maxRows ?? DEFAULT_MAX_ROWS;
  }

  /** `cells` may be sparse (xlsx) and untrimmed. Returns null for the header row and for empty rows. */
  accept(row: number, cells: readonly (string | undefined)[]): TableRow | null {
    const headers = this.headers;
    if (headers === null) {
      this.setHeader(row, cells);
      return null;
    }
    const values: Record<string, string> = {};
    let any = false;
    const start = this.start;
    const width = headers.length;
    for (let i = 0; i < width; i++) {
      const raw = cells[start + i];
      const v = raw === undefined ? '' : raw.trim();
      // a NUL is no text: PostgreSQL cannot store it in text or jsonb, so the file is refused where it holds one
      if (v.includes('\u0000'))
        throw new TabularError('tabular.bad_encoding', `row ${row}, column ${columnLetter(start + i)} holds a NUL character`, {
          row,
          column: columnLetter(start + i),
        });
      if (v !== '') any = true;
      values[headers[i] as string] = v;
    }
    const len = cells.length;
    for (let i = 0; i < start && i < len; i++) this.mustBeEmpty(row, cells[i], i);
    for (let i = start + width; i < len; i++) this.mustBeEmpty(row, cells[i], i);
    if (!any) return null;
    this.dataRows++;
    if (this.dataRows > this.maxRows) {
      throw new TabularError('tabular.too_many_rows', `more than ${this.maxRows} data rows`, { row });
    }
    return { row, values };
  }

  private mustBeEmpty(row: number, raw: string | undefined, i: number): void {
    if (raw !== undefined && raw.trim() !== '') {
      throw new TabularError('tabular.extra_value', `row ${row} has a value in column ${columnLetter(i)}, which has no header`, {
        row,
        column: columnLetter(i),
      });
    }
  }

  /** Call at the end: a file without any non-empty row is an error. */
  finish(): void {
    if (this.headers === null) throw new TabularError('tabular.empty', 'the file has no header row');
  }

  private setHeader(row: number, cells: readonly (string | undefined)[]): void {
    let last = -1;
    for (let i = cells.length - 1; i >= 0; i--) {
      const c = cells[i];
      if (c !== undefined && c.trim() !== '') {
        last = i;
        break;
      }
    }
    if (last < 0) return; // empty row before the header
    let first = 0;
    while ((cells[first] ?? '').trim() === '') first++;
    const names: string[] = [];
    const seen = new Map<string, number>();
    for (let i = first; i <= last; i++) {
      const name = (cells[i] ?? '').trim();
      const column = columnLetter(i);
      if (name === '') throw new TabularError('tabular.empty_header', `column ${column} has no header name`, { row, column });
      if (name === '__proto__') throw new TabularError('tabular.bad_header', `header name "${name}" is not allowed`, { row, column });
      const before = seen.get(name);
      if (before !== undefined) {
        throw new TabularError('tabular.duplicate_header', `header "${name}" appears in columns ${columnLetter(before)} and ${column}`, {
          row,
          column,
        });
      }
      seen.set(name, i);
      names.push(name);
    }
    this.start = first;
    this.headers = names;
  }
}
