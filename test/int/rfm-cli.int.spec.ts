import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `throughline consumers rfm` on the real Online Retail II file, checked against a plain, separate implementation of
 * the recipe written here (whole file in memory, floats, textbook quantiles): the same customers, the same recency,
 * frequency and monetary for each, the same totals and the same number of customers per score.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const FILE = path.resolve(repo, '../shared/data/online-retail-ii/online_retail_ii_2009_2010.csv.gz');
const present = fs.existsSync(FILE);
if (!present) console.warn(`rfm-cli: ${FILE} is not here; the test on the real file is skipped`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rfm-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repo, 'bin/throughline.js'), 'consumers', 'rfm', ...args], { encoding: 'utf8' });
}

/** The recipe the simple way. */
function reference() {
  const rows: string[][] = parse(zlib.gunzipSync(fs.readFileSync(FILE)), { from_line: 2 });
  const customers = new Map<string, { last: number; invoices: Set<string>; monetary: number }>();
  let lastPurchase = 0;
  for (const [invoice, , , quantity, date, price, customer] of rows as string[][]) {
    if (invoice!.startsWith('C') || !customer || Number(quantity) <= 0 || Number(price) <= 0) continue;
    const at = new Date(`${date!.replace(' ', 'T')}Z`).getTime();
    const c = customers.get(customer) ?? { last: 0, invoices: new Set<string>(), monetary: 0 };
    c.last = Math.max(c.last, at);
    c.invoices.add(invoice!);
    c.monetary += Number(quantity) * Number(price);
    customers.set(customer, c);
    lastPurchase = Math.max(lastPurchase, at);
  }
  const day = 86_400_000;
  const snapshot = new Date(lastPurchase);
  snapshot.setUTCHours(0, 0, 0, 0);
  const snap = snapshot.getTime() + 2 * day;
  const ids = [...customers.keys()].sort((a, b) => Number(a) - Number(b));
  return {
    lines: rows.length + 1,
    ids,
    recency: ids.map((id) => Math.floor((snap - customers.get(id)!.last) / day)),
    frequency: ids.map((id) => customers.get(id)!.invoices.size),
    monetary: ids.map((id) => customers.get(id)!.monetary),
  };
}

/** Scores 1-5 the textbook way: edges at the 0/20/.../100th percentiles, value in (e[k-1], e[k]], lowest included. */
function scores(values: number[]): number[] {
  const s = [...values].sort((a, b) => a - b);
  const pct = (p: number) => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return lo + 1 < s.length ? s[lo]! + (s[lo + 1]! - s[lo]!) * (h - lo) : s[lo]!;
  };
  const edges = [0.2, 0.4, 0.6, 0.8].map(pct);
  return values.map((v) => 1 + edges.filter((e) => v > e).length);
}

describe.skipIf(!present)('throughline consumers rfm on online_retail_ii_2009_2010.csv.gz', () => {
  const out = path.join(dir, 'rfm.csv');
  const run = present ? cli('--transactions', FILE, '--format', 'online-retail-ii', '--out', out) : undefined;
  const ref = present ? reference() : undefined;

  it('writes one row per customer with the columns of the issue', () => {
    expect(run?.status, run?.stderr).toBe(0);
    expect(run?.stderr).toContain('read 525,462 lines');
    const rows: Record<string, string>[] = parse(fs.readFileSync(out), { columns: true });
    expect(Object.keys(rows[0]!)).toEqual(['customer_id', 'recency', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'segment']);
    expect(rows.map((r) => r.customer_id)).toEqual(ref!.ids);
    expect(ref!.lines).toBe(525_462);
  });

  it('has the same recency, frequency and monetary for every customer, and the same totals', () => {
    const rows: Record<string, string>[] = parse(fs.readFileSync(out), { columns: true });
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(rows.map((r) => Number(r.recency))).toEqual(ref!.recency);
    expect(rows.map((r) => Number(r.frequency))).toEqual(ref!.frequency);
    rows.forEach((r, i) => {
      expect(Number(r.monetary)).toBeCloseTo(ref!.monetary[i]!, 6);
    });
    expect(rows.length).toBe(ref!.ids.length);
    expect(sum(rows.map((r) => Number(r.frequency)))).toBe(sum(ref!.frequency));
    expect(sum(rows.map((r) => Number(r.monetary)))).toBeCloseTo(sum(ref!.monetary), 2);
    expect(sum(rows.map((r) => Number(r.recency)))).toBe(sum(ref!.recency));
  });

  it('scores as the textbook quintiles do (frequency on its rank, ties in customer order), and names each segment', () => {
    const rows: Record<string, string>[] = parse(fs.readFileSync(out), { columns: true });
    const rank = ref!.frequency
      .map((f, i) => [f, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .reduce((acc, [, i], pos) => {
        acc[i] = pos + 1;
        return acc;
      }, [] as number[]);
    expect(rows.map((r) => Number(r.r_score))).toEqual(scores(ref!.recency).map((s) => 6 - s));
    expect(rows.map((r) => Number(r.f_score))).toEqual(scores(rank));
    expect(rows.map((r) => Number(r.m_score))).toEqual(scores(ref!.monetary));
    const champions = rows.filter((r) => r.segment === 'champions');
    expect(champions.length).toBeGreaterThan(0);
    expect(champions.every((r) => r.r_score === '5' && Number(r.f_score) >= 4)).toBe(true);
    expect(rows.every((r) => r.segment !== '')).toBe(true);
  });
});

describe('throughline consumers rfm refuses bad input with a clear message and exit code 2', () => {
  it('a missing file, a wrong format, a malformed row with its line number, an output it cannot write', () => {
    const missing = cli('--transactions', path.join(dir, 'none.csv.gz'), '--format', 'online-retail-ii', '--out', path.join(dir, 'o.csv'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error: no such file: .*none\.csv\.gz/);

    const format = cli('--transactions', path.join(dir, 'none.csv.gz'), '--format', 'excel', '--out', path.join(dir, 'o.csv'));
    expect(format.status).not.toBe(0);
    expect(format.stderr).toContain('one of online-retail-ii');

    const other = path.join(dir, 'other.csv');
    fs.writeFileSync(other, 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n');
    const wrong = cli('--transactions', other, '--format', 'online-retail-ii', '--out', path.join(dir, 'o.csv'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('line 1: not an online-retail-ii file');

    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(
      bad,
      [
        'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country',
        '1,s,"A, B",1,2010-01-01 10:00:00,10,101,UK',
        '2,s,d,2,2010-13-05 10:00:00,5,102,UK',
      ].join('\n'),
    );
    const malformed = cli('--transactions', bad, '--format', 'online-retail-ii', '--out', path.join(dir, 'o.csv'));
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain('error: line 3: InvoiceDate "2010-13-05 10:00:00"');
    expect(fs.existsSync(path.join(dir, 'o.csv'))).toBe(false);

    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(
      good,
      ['Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country', '1,s,d,1,2010-01-01 10:00:00,10,101,UK'].join('\n'),
    );
    const nowhere = cli('--transactions', good, '--format', 'online-retail-ii', '--out', path.join(dir, 'no', 'such', 'o.csv'));
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toMatch(/error: cannot write .*o\.csv/);
    // one customer has no quintiles: written unscored
    const one = cli('--transactions', good, '--format', 'online-retail-ii', '--out', path.join(dir, 'one.csv'));
    expect(one.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'one.csv'), 'utf8').trim().split('\n')[1]).toBe('101,1,1,10.00,,,,');
  });
});
