/**
 * CSV records with their line numbers, fast: a line without a quote is split on commas (RFC 4180 gives it no other
 * reading); a line with quotes, joined with the following lines while its quotes are unbalanced (a quoted field may
 * hold a line break), is parsed by csv-parse. Most lines of a transactions file have no quote, and csv-parse alone
 * costs more than the whole RFM (its per-record line bookkeeping is half of it).
 */
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse/sync';

export class CsvLineError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvLineError';
  }
}

function quotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/**
 * Calls onRecord(fields, line) for each non-empty record, line being the 1-based line it starts on; a UTF-8 BOM is
 * skipped, CRLF and LF both end lines. Returns the number of lines read. Errors carry the line.
 */
export async function forEachCsvRecord(
  input: AsyncIterable<Buffer | string>,
  onRecord: (fields: string[], line: number) => void,
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let line = 0;
  let pending = '';
  let pendingLine = 0;
  let pendingQuotes = 0;
  let first = true;

  const quoted = (text: string, at: number) => {
    let records: string[][];
    try {
      records = parse(text, { relax_column_count: true });
    } catch (e) {
      throw new CsvLineError(`not a readable CSV record: ${(e as Error).message}`, at);
    }
    if (records.length !== 1) throw new CsvLineError('not a readable CSV record', at);
    onRecord(records[0]!, at);
  };
  const take = (raw: string) => {
    line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (pending) {
      pending += `\n${text}`;
      pendingQuotes += quotes(text);
      if (pendingQuotes % 2 === 0) {
        const t = pending;
        pending = '';
        quoted(t, pendingLine);
      }
      return;
    }
    if (!text) return;
    if (text.indexOf('"') === -1) return onRecord(text.split(','), line);
    const n = quotes(text);
    if (n % 2 === 0) return quoted(text, line);
    pending = text;
    pendingLine = line;
    pendingQuotes = n;
  };

  for await (const chunk of input) {
    let s = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (first && s.length) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    let start = 0;
    for (let nl = s.indexOf('\n'); nl !== -1; nl = s.indexOf('\n', start)) {
      take(s.slice(start, nl));
      start = nl + 1;
    }
    rest = s.slice(start);
  }
  rest += decoder.end();
  if (rest) take(rest);
  if (pending) throw new CsvLineError('a quoted field is never closed', pendingLine);
  return line;
}
