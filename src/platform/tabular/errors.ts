/** Stable error codes of the tabular reader/writer. */
export type TabularErrorCode =
  | 'tabular.bad_file'
  | 'tabular.bad_encoding'
  | 'tabular.empty'
  | 'tabular.empty_header'
  | 'tabular.duplicate_header'
  | 'tabular.bad_header'
  | 'tabular.extra_value'
  | 'tabular.too_many_rows';

/**
 * A problem with the file a user gave us. `row` is the 1-based spreadsheet row, `column` the spreadsheet column
 * letter(s) ('A', 'AB'), when known. The message is English for logs; callers map `code` to a localised message.
 */
export class TabularError extends Error {
  override readonly name = 'TabularError';
  readonly code: TabularErrorCode;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(
    code: TabularErrorCode,
    message: string,
    where: { row?: number | undefined; column?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.row = where.row;
    this.column = where.column;
  }
}

/** 0-based column index -> spreadsheet letters (0 -> 'A', 27 -> 'AB'). */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
