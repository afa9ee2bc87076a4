import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { TabularError } from './errors.ts';
import { type ReadOptions, RowShaper, type TableRow } from './rows.ts';

/** Largest .xlsx accepted as input, and largest uncompressed part we hold in memory (shared strings, styles...). */
const MAX_INPUT_BYTES = 512 * 1024 * 1024;
const MAX_PART_BYTES = 512 * 1024 * 1024;

function bad(message: string, cause?: unknown): TabularError {
  return new TabularError('tabular.bad_file', `not a readable .xlsx file: ${message}`, { cause });
}

async function collect(input: Buffer | NodeJS.ReadableStream): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_INPUT_BYTES) throw bad(`larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

type Zip = { file: yauzl.ZipFile; entries: Map<string, yauzl.Entry> };

async function openZip(buf: Buffer): Promise<Zip> {
  let file: yauzl.ZipFile;
  try {
    file = await yauzl.fromBufferPromise(buf, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw bad((err as Error).message, err);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of file.eachEntry()) {
      entries.set(entry.fileName.replace(/^\/+/, ''), entry);
      if (entries.size > 100_000) throw bad('too many parts');
    }
  } catch (err) {
    file.close();
    throw err instanceof TabularError ? err : bad((err as Error).message, err);
  }
  return { file, entries };
}

async function openPart(zip: Zip, name: string): Promise<Readable | null> {
  const entry = zip.entries.get(name);
  if (entry === undefined) return null;
  if (entry.uncompressedSize > MAX_PART_BYTES && !name.startsWith('xl/worksheets/')) throw bad(`part ${name} is too large`);
  try {
    const stream = await zip.file.openReadStreamPromise(entry);
    stream.setEncoding('utf8');
    return stream;
  } catch (err) {
    throw bad(`part ${name}: ${(err as Error).message}`, err);
  }
}

function newParser(): SaxesParser {
  return new SaxesParser({ position: false });
}

/** Streams one XML part through a fresh parser set up by `setup`. Parse and inflate errors become bad_file. */
async function parsePart(zip: Zip, name: string, setup: (p: SaxesParser) => void): Promise<boolean> {
  const stream = await openPart(zip, name);
  if (stream === null) return false;
  const p = newParser();
  setup(p);
  try {
    for await (const chunk of stream) p.write(chunk as string);
    p.close();
  } catch (err) {
    throw err instanceof TabularError ? err : bad(`part ${name}: ${(err as Error).message}`, err);
  } finally {
    stream.destroy();
  }
  return true;
}

type Rel = { id: string; type: string; target: string };

async function readRels(zip: Zip, name: string): Promise<Rel[]> {
  const rels: Rel[] = [];
  const base = posix.dirname(posix.dirname(name)); // xl/_rels/workbook.xml.rels -> xl
  await parsePart(zip, name, (p) => {
    p.on('opentag', (t) => {
      if (local(t.name) !== 'Relationship') return;
      const target = t.attributes.Target ?? '';
      const resolved = target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join(base, target));
      rels.push({ id: t.attributes.Id ?? '', type: t.attributes.Type ?? '', target: resolved });
    });
  });
  return rels;
}

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function relsPathOf(part: string): string {
  return posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
}

type Workbook = { sheet: string; sharedStrings: string | null; styles: string | null; date1904: boolean };

async function readWorkbook(zip: Zip): Promise<Workbook> {
  const root = await readRels(zip, '_rels/.rels');
  const wbPath = root.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  let firstSheetRid: string | null = null;
  let date1904 = false;
  const found = await parsePart(zip, wbPath, (p) => {
    p.on('opentag', (t) => {
      const n = local(t.name);
      if (n === 'sheet' && firstSheetRid === null) {
        for (const [k, v] of Object.entries(t.attributes)) if (local(k) === 'id' && k !== 'sheetId') firstSheetRid = v;
      } else if (n === 'workbookPr') {
        const d = t.attributes.date1904;
        date1904 = d === '1' || d === 'true';
      }
    });
  });
  if (!found) throw bad('no workbook part');
  const rels = await readRels(zip, relsPathOf(wbPath));
  const sheet = rels.find((r) => r.id === firstSheetRid)?.target;
  if (sheet === undefined || !zip.entries.has(sheet)) throw bad('the workbook has no worksheet');
  const sharedStrings = rels.find((r) => r.type.endsWith('/sharedStrings'))?.target ?? null;
  const styles = rels.find((r) => r.type.endsWith('/styles'))?.target ?? null;
  return { sheet, sharedStrings, styles, date1904 };
}

async function readSharedStrings(zip: Zip, name: string | null): Promise<string[]> {
  const out: string[] = [];
  if (name === null) return out;
  await parsePart(zip, name, (p) => {
    let inSi = false;
    let inT = false;
    let phonetic = 0;
    let text = '';
    p.on('opentag', (t) => {
      const n = t.name;
      if (n === 'si') {
        inSi = true;
        text = '';
      } else if (n === 't') inT = inSi && phonetic === 0;
      else if (n === 'rPh') phonetic++;
    });
    p.on('text', (s) => {
      if (inT) text += s;
    });
    p.on('cdata', (s) => {
      if (inT) text += s;
    });
    p.on('closetag', (t) => {
      const n = t.name;
      if (n === 't') inT = false;
      else if (n === 'rPh') phonetic--;
      else if (n === 'si') {
        out.push(text);
        inSi = false;
      }
    });
  });
  return out;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A number format shows a date when, outside quoted text, escapes and [brackets], it has a y or d. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[[^\]]*\]/g, '');
  return /[yd]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** For each cellXfs index: does that style show a date? */
async function readDateStyles(zip: Zip, name: string | null): Promise<boolean[]> {
  const out: boolean[] = [];
  if (name === null) return out;
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  await parsePart(zip, name, (p) => {
    let inCellXfs = false;
    p.on('opentag', (t) => {
      const n = local(t.name);
      if (n === 'numFmt') custom.set(Number(t.attributes.numFmtId), t.attributes.formatCode ?? '');
      else if (n === 'cellXfs') inCellXfs = true;
      else if (n === 'xf' && inCellXfs) xfFormats.push(Number(t.attributes.numFmtId ?? 0));
    });
    p.on('closetag', (t) => {
      if (local(t.name) === 'cellXfs') inCellXfs = false;
    });
  });
  for (const id of xfFormats) {
    const code = custom.get(id);
    out.push(code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id));
  }
  return out;
}

/** Excel number text -> plain text without float noise; integers stay integers. */
export function numberText(v: string): string {
  // fast path: short integers print as they are stored
  let i = v.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const len = v.length;
  if (len - i <= 15) {
    for (; i < len; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) break;
    }
    if (i === len && len > 0) return v;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  return String(Number(n.toPrecision(15)));
}

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Excel serial date -> 'yyyy-mm-dd', or 'yyyy-mm-dd hh:mm:ss' when it has a time of day. */
export function serialDateText(v: string, date1904: boolean): string {
  const serial = Number(v);
  if (!Number.isFinite(serial)) return v;
  let days = Math.floor(serial);
  let secs = Math.round((serial - days) * 86_400);
  if (secs >= 86_400) {
    days++;
    secs -= 86_400;
  }
  // 1900 system: serial 1 = 1900-01-01, and Excel counts a 1900-02-29 that never was (serial 60).
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : days < 61 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const d = new Date(epoch + days * DAY_MS);
  if (Number.isNaN(d.getTime())) return v;
  const date = d.toISOString().slice(0, 10);
  if (secs === 0) return date;
  return `${date} ${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor((secs % 3600) / 60))}:${pad2(secs % 60)}`;
}

function isoDateText(v: string): string {
  // t="d" cells hold ISO 8601; midnight prints as a date.
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(v);
  if (m === null) return v;
  const time = m[2];
  return time === undefined || time === '00:00:00' ? (m[1] as string) : `${m[1]} ${time}`;
}

/** 'AB12' -> 27 (0-based column); -1 when there are no letters. */
function refColumn(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return i === 0 ? -1 : n - 1;
}

const MAX_COLUMNS = 16_384;

/** Reads the first worksheet of an .xlsx workbook. */
export async function* readXlsx(input: Buffer | NodeJS.ReadableStream, opts?: ReadOptions): AsyncGenerator<TableRow> {
  const buf = await collect(input);
  const zip = await openZip(buf);
  let stream: Readable | null = null;
  try {
    const wb = await readWorkbook(zip);
    const shared = await readSharedStrings(zip, wb.sharedStrings);
    const dateStyle = await readDateStyles(zip, wb.styles);
    const date1904 = wb.date1904;
    const shaper = new RowShaper(opts);
    const ready: TableRow[] = [];

    let rowNum = 0;
    let cells: (string | undefined)[] = [];
    let col = -1;
    let type = 'n';
    let style = 0;
    let capture = 0; // 1: <v>, 2: inline <t>
    let inIs = false;
    let phonetic = 0;
    let value = '';
    let inline = '';

    const p = newParser();
    p.on('opentag', (t: SaxesTagPlain) => {
      switch (t.name) {
        case 'c': {
          const a = t.attributes;
          const r = a.r;
          const c = r === undefined ? col + 1 : refColumn(r);
          col = c < 0 ? col + 1 : c;
          if (col >= MAX_COLUMNS) throw bad(`column index ${col + 1} out of range`);
          type = a.t ?? 'n';
          const s = a.s;
          style = s === undefined ? 0 : Number(s);
          value = '';
          inline = '';
          break;
        }
        case 'v':
          capture = 1;
          break;
        case 'row': {
          const r = t.attributes.r;
          const n = r === undefined ? rowNum + 1 : Number(r);
          rowNum = Number.isInteger(n) && n > rowNum ? n : rowNum + 1;
          cells = [];
          col = -1;
          break;
        }
        case 'is':
          inIs = true;
          break;
        case 't':
          if (inIs && phonetic === 0) capture = 2;
          break;
        case 'rPh':
          phonetic++;
          break;
      }
    });
    const onText = (s: string): void => {
      if (capture === 1) value += s;
      else if (capture === 2) inline += s;
    };
    p.on('text', onText);
    p.on('cdata', onText);
    p.on('closetag', (t) => {
      switch (t.name) {
        case 'v':
        case 't':
          capture = 0;
          break;
        case 'c': {
          let text: string;
          switch (type) {
            case 's': {
              if (value === '') {
                text = '';
                break;
              }
              const s = shared[Number(value)];
              if (s === undefined) throw bad(`shared string ${value} does not exist`);
              text = s;
              break;
            }
            case 'inlineStr':
              text = inline;
              break;
            case 'str':
            case 'e':
              text = value;
              break;
            case 'b':
              text = value === '1' ? 'TRUE' : value === '0' ? 'FALSE' : value;
              break;
            case 'd':
              text = isoDateText(value);
              break;
            default:
              text = value === '' ? '' : dateStyle[style] === true ? serialDateText(value, date1904) : numberText(value);
          }
          if (text !== '') cells[col] = text;
          break;
        }
        case 'row': {
          const out = shaper.accept(rowNum, cells);
          if (out !== null) ready.push(out);
          break;
        }
        case 'is':
          inIs = false;
          break;
        case 'rPh':
          phonetic--;
          break;
      }
    });

    stream = await openPart(zip, wb.sheet);
    if (stream === null) throw bad('the workbook has no worksheet');
    try {
      for await (const chunk of stream) {
        p.write(chunk as string);
        if (ready.length > 0) {
          for (const r of ready) yield r;
          ready.length = 0;
        }
      }
      p.close();
    } catch (err) {
      throw err instanceof TabularError ? err : bad((err as Error).message, err);
    }
    for (const r of ready) yield r;
    shaper.finish();
  } finally {
    stream?.destroy();
    zip.file.close();
  }
}
