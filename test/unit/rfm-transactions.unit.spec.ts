import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvLineError, forEachCsvRecord } from '../../src/modules/consumers/rfm/csv-lines.ts';
import { rfmOfTransactionsFile, TransactionsFormatError, writeRfmCsv } from '../../src/modules/consumers/rfm/index.ts';
import { formatScaled, onlineRetailColumns, parseOnlineRetailRow, RfmAggregator } from '../../src/modules/consumers/rfm/online-retail.ts';

const HEADER = 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country';
const cols = onlineRetailColumns(HEADER.split(','));
const row = (s: string, line = 2) => parseOnlineRetailRow(s.split(','), cols, line);

async function records(text: string | string[]) {
  const out: [string[], number][] = [];
  const lines = await forEachCsvRecord(
    (async function* () {
      for (const t of Array.isArray(text) ? text : [text]) yield Buffer.from(t);
    })(),
    (f, l) => out.push([f, l]),
  );
  return { out, lines };
}

describe('CSV records with their line numbers', () => {
  it('splits plain lines, parses quoted ones (commas, doubled quotes), skips a BOM and CRLF', async () => {
    const r = await records(['\ufeffa,b,c\r\n1,"x, y",3\r\n', '2,"RECORD FRAME 7"" SINGLE",4\n\n5,,6']);
    expect(r.out).toEqual([
      [['a', 'b', 'c'], 1],
      [['1', 'x, y', '3'], 2],
      [['2', 'RECORD FRAME 7" SINGLE', '4'], 3],
      [['5', '', '6'], 5],
    ]);
    expect(r.lines).toBe(5);
  });

  it('joins a quoted field over a line break, and counts lines after it right', async () => {
    const r = await records('a,b\n1,"two\nlines"\n2,3\n');
    expect(r.out).toEqual([
      [['a', 'b'], 1],
      [['1', 'two\nlines'], 2],
      [['2', '3'], 4],
    ]);
  });

  it('handles a line cut between two chunks, and a multi-byte character cut in two', async () => {
    const bytes = Buffer.from('a,b\n1,é\n');
    const r = await forEachCsvRecord(
      (async function* () {
        yield bytes.subarray(0, 7);
        yield bytes.subarray(7);
      })(),
      () => {},
    );
    expect(r).toBe(2);
    expect((await records(['a,b\n1,', 'x\n'])).out[1]).toEqual([['1', 'x'], 2]);
  });

  it('refuses a quote that never closes, with the line it opens on', async () => {
    await expect(records('a,b\n1,2\n3,"open\n4,5\n')).rejects.toMatchObject({ name: 'CsvLineError', line: 3 });
    await expect(records('a,b\n1,"x"y,2\n')).rejects.toBeInstanceOf(CsvLineError);
  });
});

describe('an Online Retail II row', () => {
  it('is a purchase with quantity x price in ten-thousandths', () => {
    expect(row('489434,85048,GLASS BALL,12,2009-12-01 07:45:00,6.95,13085,United Kingdom')).toEqual({
      kept: true,
      purchase: { invoice: '489434', customer: '13085', at: Date.UTC(2009, 11, 1, 7, 45), amount: 12 * 69_500 },
    });
  });

  it('drops cancellations, rows without a customer, and quantities or prices not positive', () => {
    expect(row('C489449,22087,PAPER BUNTING,-12,2009-12-01 10:33:00,2.95,16321,Australia')).toEqual({
      kept: false,
      reason: 'cancellation',
    });
    expect(row('489464,21733,85123a mixed,-96,2009-12-01 10:52:00,0,,United Kingdom')).toEqual({ kept: false, reason: 'no_customer' });
    expect(row('489464,21733,x,0,2009-12-01 10:52:00,1.5,13085,United Kingdom')).toEqual({ kept: false, reason: 'non_positive' });
    expect(row('A506401,B,Adjust bad debt,1,2010-04-29 13:36:00,-53594.36,17399,United Kingdom')).toEqual({
      kept: false,
      reason: 'non_positive',
    });
    expect(row('489464,21733,x,3,2009-12-01 10:52:00,0.00,13085,United Kingdom')).toEqual({ kept: false, reason: 'non_positive' });
  });

  it('reads a customer id written as a float (13085.0) as the same customer', () => {
    const r = row('1,s,d,1,2009-12-01 10:52:00,1,13085.0,UK');
    expect(r.kept && r.purchase.customer).toBe('13085');
  });

  it('refuses a malformed quantity, price or date with its line, even on a row that would be dropped', () => {
    expect(() => row('1,s,d,1.5,2009-12-01 10:52:00,1,13085,UK', 7)).toThrow(/^line 7: Quantity "1.5"/);
    expect(() => row('1,s,d,2,2009-12-01 10:52:00,abc,13085,UK', 8)).toThrow(/^line 8: Price "abc"/);
    expect(() => row('C1,s,d,2,2010-02-30 10:52:00,1,,UK', 9)).toThrow(/^line 9: InvoiceDate "2010-02-30 10:52:00"/);
    expect(() => row('1,s,d,2,01/12/2009 10:52,1,13085,UK', 10)).toThrow(TransactionsFormatError);
    expect(() => row(',s,d,2,2009-12-01 10:52:00,1,13085,UK', 11)).toThrow(/^line 11: Invoice is empty/);
  });

  it('refuses a header of another format, naming what it lacks', () => {
    expect(() =>
      onlineRetailColumns('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'.split(',')),
    ).toThrow(/not an online-retail-ii file: the header lacks "Invoice", "Price", "Customer ID"/);
  });
});

describe('aggregation per customer', () => {
  const at = (s: string) => Date.parse(`${s}Z`);
  it('snapshots at midnight two days after the last purchase, floors recency, counts distinct invoices, sums amounts exactly', () => {
    const a = new RfmAggregator();
    a.add({ invoice: '1', customer: '20', at: at('2010-12-01T10:00:00'), amount: 1000 }); // 0.1
    a.add({ invoice: '1', customer: '20', at: at('2010-12-01T10:00:00'), amount: 1000 });
    a.add({ invoice: '2', customer: '20', at: at('2010-12-05T23:59:00'), amount: 1000 });
    a.add({ invoice: '3', customer: '3', at: at('2010-12-09T20:01:00'), amount: 5 });
    const { snapshot, rows } = a.finish();
    expect(new Date(snapshot!).toISOString()).toBe('2010-12-11T00:00:00.000Z');
    // customers in numeric order (3 before 20), as pandas' groupby on the id
    expect(rows).toEqual([
      // 1 day 3 h 59 min -> 1
      { customer: '3', recency: 1, frequency: 1, monetary: 5 },
      // 5 days 0 h 1 min -> 5; invoice 1's two lines are one invoice
      { customer: '20', recency: 5, frequency: 2, monetary: 3000 },
    ]);
    expect(formatScaled(3000)).toBe('0.30');
    expect(formatScaled(5)).toBe('0.0005');
    expect(formatScaled(1_234_5670)).toBe('1234.567');
  });
});

describe('a transactions file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rfm-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lines = [
    HEADER,
    '1,s,"A, B",1,2010-01-01 10:00:00,10,101,UK',
    '2,s,d,2,2010-01-05 10:00:00,5.5,102,UK',
    '3,s,d,1,2010-01-09 10:00:00,1,103,UK',
    'C4,s,d,-1,2010-01-09 11:00:00,1,103,UK',
    '5,s,d,3,2010-01-03 10:00:00,2,104,UK',
    '6,s,d,4,2010-01-07 10:00:00,3.25,105,UK',
    '7,s,d,1,2010-01-10 10:00:00,9,,UK',
  ];
  const write = (name: string, text: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('reads gzip and plain CSV alike and scores each customer', async () => {
    const plain = await rfmOfTransactionsFile(write('t.csv', lines.join('\n')), 'online-retail-ii');
    const gz = await rfmOfTransactionsFile(write('t.csv.gz', zlib.gzipSync(lines.join('\n'))), 'online-retail-ii');
    expect(gz).toEqual(plain);
    expect(plain.linesRead).toBe(8);
    expect(plain.purchases).toBe(5);
    expect(plain.dropped).toEqual({ cancellation: 1, no_customer: 1, non_positive: 0 });
    // last purchase kept 2010-01-09 10:00 -> snapshot 2010-01-11 (the row without a customer does not count)
    expect(new Date(plain.snapshot!).toISOString()).toBe('2010-01-11T00:00:00.000Z');
    expect(plain.rows.map((r) => [r.customer, r.recency, r.rScore, r.fScore, r.mScore])).toEqual([
      ['101', 9, 1, 1, 3],
      ['102', 5, 3, 2, 4],
      ['103', 1, 5, 3, 1],
      ['104', 7, 2, 4, 2],
      ['105', 3, 4, 5, 5],
    ]);
    const out = path.join(dir, 'out.csv');
    await writeRfmCsv(plain.rows, fs.createWriteStream(out));
    expect(fs.readFileSync(out, 'utf8').split('\n').slice(0, 3)).toEqual([
      'customer_id,recency,frequency,monetary,r_score,f_score,m_score,segment',
      '101,9,1,10.00,1,1,3,hibernating',
      '102,5,1,11.00,3,2,4,about_to_sleep',
    ]);
  });

  it('refuses a missing file, a directory, another format, a malformed row (with its line), a broken gzip', async () => {
    await expect(rfmOfTransactionsFile(path.join(dir, 'nope.csv'), 'online-retail-ii')).rejects.toThrow(/no such file: .*nope.csv/);
    await expect(rfmOfTransactionsFile(dir, 'online-retail-ii')).rejects.toThrow(/is a directory/);
    await expect(rfmOfTransactionsFile(write('x.csv', lines.join('\n')), 'excel' as 'online-retail-ii')).rejects.toThrow(
      /unknown format "excel"/,
    );
    await expect(rfmOfTransactionsFile(write('i.csv', 'InvoiceNo,UnitPrice\n1,2\n'), 'online-retail-ii')).rejects.toThrow(
      /^line 1: not an online-retail-ii file/,
    );
    const bad = [...lines.slice(0, 4), '9,s,d,two,2010-01-09 10:00:00,1,103,UK'];
    await expect(rfmOfTransactionsFile(write('bad.csv', bad.join('\n')), 'online-retail-ii')).rejects.toThrow(/^line 5: Quantity "two"/);
    const short = [...lines.slice(0, 3), '9,s,d,1,2010-01-09 10:00:00,1,103'];
    await expect(rfmOfTransactionsFile(write('short.csv', short.join('\n')), 'online-retail-ii')).rejects.toThrow(
      /^line 4: 7 fields where the header has 8/,
    );
    const gz = zlib.gzipSync(lines.join('\n'));
    await expect(rfmOfTransactionsFile(write('cut.csv.gz', gz.subarray(0, gz.length - 12)), 'online-retail-ii')).rejects.toThrow(
      TransactionsFormatError,
    );
    await expect(rfmOfTransactionsFile(write('empty.csv', ''), 'online-retail-ii')).rejects.toThrow(/is empty/);
  });
});
