import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable, type TableRow, TabularError, writeTable } from '../../src/platform/tabular/index.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabular-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function toFile(stream: NodeJS.ReadableStream, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(chunks));
  return path;
}

async function all(rows: AsyncIterable<TableRow>): Promise<TableRow[]> {
  const out: TableRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

async function failure(rows: AsyncIterable<TableRow>): Promise<TabularError> {
  try {
    await all(rows);
  } catch (err) {
    expect(err).toBeInstanceOf(TabularError);
    return err as TabularError;
  }
  throw new Error('expected a TabularError');
}

/** Builds a workbook with exceljs (the non-streaming writer, shared strings and styles like Excel) and saves it. */
async function workbook(name: string, fill: (ws: ExcelJS.Worksheet) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  fill(wb.addWorksheet('Data'));
  wb.addWorksheet('Other').addRow(['not', 'read']);
  const path = join(dir, name);
  await wb.xlsx.writeFile(path);
  return path;
}

const columns = [
  { key: 'code', header: '门店编码' },
  { key: 'name', header: '名称' },
  { key: 'gln', header: 'GLN' },
  { key: 'gtin', header: 'GTIN' },
  { key: 'phone', header: '电话' },
  { key: 'division', header: '区划代码' },
  { key: 'qty', header: '数量' },
  { key: 'note', header: '备注' },
];

function sampleRows(): Record<string, string | number | null>[] {
  const rows: Record<string, string | number | null>[] = [];
  for (let i = 0; i < 1000; i++) {
    rows.push({
      code: `00${String(i).padStart(5, '0')}`,
      name: `上海市浦东新区第${i}号便利店 "旗舰", 店`,
      gln: `069${String(1_000_000_000 + i)}`,
      gtin: `0690123456${String(i % 10000).padStart(4, '0')}`,
      phone: `0${21_5000_0000 + i}`,
      division: i % 2 === 0 ? '110101' : '010203',
      qty: i * 3,
      note: i % 7 === 0 ? null : i % 5 === 0 ? '=SUM(A1:A2)' : `备注\n第二行 ${i}`,
    });
  }
  return rows;
}

function expectedRows(rows: Record<string, string | number | null>[]): TableRow[] {
  return rows.map((r, i) => ({
    row: i + 2,
    values: Object.fromEntries(columns.map((c) => [c.header, r[c.key] === null ? '' : String(r[c.key]).trim()])),
  }));
}

describe('tabular', () => {
  it('writes 1,000 rows with Chinese text and leading-zero codes to xlsx and reads them back identical', async () => {
    const rows = sampleRows();
    const path = await toFile(writeTable('xlsx', columns, rows), 'roundtrip.xlsx');
    const back = await all(readTable(createReadStream(path), 'xlsx'));
    expect(back).toEqual(expectedRows(rows));
    expect(back[0]?.values.GTIN).toBe('06901234560000');
  });

  it('writes 1,000 rows with Chinese text and leading-zero codes to csv with a BOM and reads them back identical', async () => {
    async function* source(): AsyncGenerator<Record<string, string | number | null>> {
      yield* sampleRows();
    }
    const path = await toFile(writeTable('csv', columns, source()), 'roundtrip.csv');
    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const back = await all(readTable(bytes, 'csv'));
    expect(back).toEqual(expectedRows(sampleRows()));
  });

  it('guards csv text that a spreadsheet would run as a formula, and restores it when read', async () => {
    const path = await toFile(
      writeTable('csv', [{ key: 'v', header: 'v' }], [{ v: '=1+1' }, { v: '-12.5' }, { v: '+8613800138000' }, { v: '@x' }]),
      'formula.csv',
    );
    const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
    expect(text.split('\n').slice(0, 5)).toEqual(['v', "'=1+1", '-12.5', '+8613800138000', "'@x"]);
    const back = await all(readTable(createReadStream(path), 'csv'));
    expect(back.map((r) => r.values.v)).toEqual(['=1+1', '-12.5', '+8613800138000', '@x']);
  });

  it('reads a CSV with a BOM, quoted fields, blank lines and padding, numbering rows as a spreadsheet shows them', async () => {
    const csv = '\uFEFF\n 编码 ,名称,地址\r\n001,"张三, 李四","北京市\n朝阳区"\r\n\r\n,,\n 002 , 王五 ,\n';
    const back = await all(readTable(Buffer.from(csv, 'utf8'), 'csv'));
    expect(back).toEqual([
      { row: 3, values: { 编码: '001', 名称: '张三, 李四', 地址: '北京市\n朝阳区' } },
      { row: 6, values: { 编码: '002', 名称: '王五', 地址: '' } },
    ]);
  });

  it('reads a CSV without a BOM from a stream', async () => {
    const path = join(dir, 'nobom.csv');
    await writeFile(path, 'code,name\n06901234567892,牛奶\n');
    const back = await all(readTable(createReadStream(path), 'csv'));
    expect(back).toEqual([{ row: 2, values: { code: '06901234567892', name: '牛奶' } }]);
  });

  it('rejects a CSV that is not UTF-8 with tabular.bad_encoding at the right row and column', async () => {
    const gbk = Buffer.concat([Buffer.from('code,name\n001,'), Buffer.from([0xc5, 0xa3, 0xc4, 0xcc]), Buffer.from('\n')]);
    const err = await failure(readTable(gbk, 'csv'));
    expect(err.code).toBe('tabular.bad_encoding');
    expect([err.row, err.column]).toEqual([2, 'B']);
  });

  it('rejects a CSV with an unclosed quote as tabular.bad_file', async () => {
    const err = await failure(readTable(Buffer.from('a,b\n1,"open\n'), 'csv'));
    expect(err.code).toBe('tabular.bad_file');
  });

  it('rejects a duplicate header in a CSV and in an xlsx, naming the row and column', async () => {
    const csvErr = await failure(readTable(Buffer.from('\n编码,名称, 编码 \n1,2,3\n'), 'csv'));
    expect([csvErr.code, csvErr.row, csvErr.column]).toEqual(['tabular.duplicate_header', 2, 'C']);
    const path = await workbook('dup.xlsx', (ws) => {
      ws.getCell('B2').value = 'code';
      ws.getCell('C2').value = 'name';
      ws.getCell('D2').value = 'code ';
      ws.getCell('B3').value = 'x';
    });
    const err = await failure(readTable(await readFile(path), 'xlsx'));
    expect([err.code, err.row, err.column]).toEqual(['tabular.duplicate_header', 2, 'D']);
  });

  it('rejects an empty header name between named columns', async () => {
    const err = await failure(readTable(Buffer.from('code,,name\n1,2,3\n'), 'csv'));
    expect([err.code, err.row, err.column]).toEqual(['tabular.empty_header', 1, 'B']);
  });

  it('rejects a value in a column that has no header, left or right of the named columns', async () => {
    const err = await failure(readTable(Buffer.from('code,name\n1,2\n3,4,5\n'), 'csv'));
    expect([err.code, err.row, err.column]).toEqual(['tabular.extra_value', 3, 'C']);
    const left = await failure(readTable(Buffer.from(',code,name\n,1,2\nx\n'), 'csv'));
    expect([left.code, left.row, left.column]).toEqual(['tabular.extra_value', 3, 'A']);
  });

  it('reads a header that starts right of column A', async () => {
    const path = await workbook('offset.xlsx', (ws) => {
      ws.getCell('C3').value = 'code';
      ws.getCell('D3').value = 'name';
      ws.getCell('C4').value = '007';
      ws.getCell('D5').value = '奶粉';
    });
    expect(await all(readTable(await readFile(path), 'xlsx'))).toEqual([
      { row: 4, values: { code: '007', name: '' } },
      { row: 5, values: { code: '', name: '奶粉' } },
    ]);
  });

  it('rejects a file with no header as tabular.empty', async () => {
    expect((await failure(readTable(Buffer.from('\uFEFF\n , \n'), 'csv'))).code).toBe('tabular.empty');
    const path = await workbook('empty.xlsx', () => {});
    expect((await failure(readTable(await readFile(path), 'xlsx'))).code).toBe('tabular.empty');
  });

  it('stops with tabular.too_many_rows past maxRows, counting data rows only', async () => {
    const csv = `a\n${Array.from({ length: 11 }, (_, i) => String(i)).join('\n')}\n`;
    expect(await all(readTable(Buffer.from(csv), 'csv', { maxRows: 11 }))).toHaveLength(11);
    const err = await failure(readTable(Buffer.from(csv), 'csv', { maxRows: 10 }));
    expect([err.code, err.row]).toEqual(['tabular.too_many_rows', 12]);
    const path = await toFile(
      writeTable(
        'xlsx',
        [{ key: 'a', header: 'a' }],
        Array.from({ length: 11 }, (_, i) => ({ a: i })),
      ),
      'many.xlsx',
    );
    const xerr = await failure(readTable(await readFile(path), 'xlsx', { maxRows: 10 }));
    expect([xerr.code, xerr.row]).toEqual(['tabular.too_many_rows', 12]);
  });

  it('rejects corrupt, truncated and non-xlsx files as tabular.bad_file without crashing or hanging', async () => {
    const good = await readFile(await toFile(writeTable('xlsx', columns, sampleRows()), 'good.xlsx'));
    const flipped = Buffer.from(good);
    for (let i = 200; i < flipped.length - 200; i += 97) flipped[i] = (flipped[i] ?? 0) ^ 0x5a;
    const cases: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('code,name\n1,2\n'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      good.subarray(0, Math.floor(good.length / 2)),
      flipped,
      await readFile(await toFile(writeTable('csv', columns, sampleRows()), 'not-a-zip.csv')),
    ];
    for (const input of cases) {
      const err = await failure(readTable(input, 'xlsx'));
      expect(err.code).toBe('tabular.bad_file');
    }
  });

  it('reads Excel-style cells: shared and rich text, numbers without float noise, dates as ISO, booleans', async () => {
    const path = await workbook('cells.xlsx', (ws) => {
      ws.addRow([]);
      ws.addRow(['gtin', 'int', 'float', 'noise', 'date', 'cn_date', 'datetime', 'rich', 'bool', 'formula']);
      ws.addRow([
        '06901234567892',
        6901234567892,
        22.5431,
        0.1 + 0.2,
        new Date(Date.UTC(2024, 1, 29)),
        new Date(Date.UTC(2023, 11, 31)),
        new Date(Date.UTC(2024, 0, 2, 13, 45, 10)),
        { richText: [{ text: '上海' }, { font: { bold: true }, text: '门店' }] },
        true,
        { formula: 'A3&"x"', result: '06901234567892x' },
      ]);
      ws.getCell('F3').numFmt = 'yyyy"年"m"月"d"日"';
      ws.getCell('G3').numFmt = 'yyyy-mm-dd hh:mm:ss';
      ws.addRow([]);
      ws.addRow(['  padded  ']);
    });
    const back = await all(readTable(await readFile(path), 'xlsx'));
    expect(back).toEqual([
      {
        row: 3,
        values: {
          gtin: '06901234567892',
          int: '6901234567892',
          float: '22.5431',
          noise: '0.3',
          date: '2024-02-29',
          cn_date: '2023-12-31',
          datetime: '2024-01-02 13:45:10',
          rich: '上海门店',
          bool: 'TRUE',
          formula: '06901234567892x',
        },
      },
      {
        row: 5,
        values: { gtin: 'padded', int: '', float: '', noise: '', date: '', cn_date: '', datetime: '', rich: '', bool: '', formula: '' },
      },
    ]);
  });

  it('stops reading early without leaking when the caller breaks out of the loop', async () => {
    const path = await toFile(writeTable('xlsx', columns, sampleRows()), 'early.xlsx');
    let n = 0;
    for await (const _ of readTable(createReadStream(path), 'xlsx')) if (++n === 3) break;
    expect(n).toBe(3);
  });
});
