/**
 * Tabular read/write throughput on a 100,000-row x 12-column store master (deterministic content).
 * Prints one JSON line per figure. Run: node --import tsx bench/tabular.bench.ts
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { readTable, writeTable } from '../src/platform/tabular/index.ts';

const ROWS = 100_000;

const columns = [
  'code',
  'name',
  'gln',
  'kind',
  'tier',
  'parent_code',
  'province_code',
  'city_code',
  'district_code',
  'address',
  'lat',
  'lng',
].map((k) => ({ key: k, header: k }));

const PROVINCES = ['110000', '310000', '440000', '510000', '330000'];
const KINDS = ['store', 'distributor', 'warehouse'];

function store(i: number): Record<string, string | number> {
  const p = PROVINCES[i % PROVINCES.length] as string;
  const city = `${p.slice(0, 2)}${String((i % 20) + 1).padStart(2, '0')}00`;
  return {
    code: `S${String(i).padStart(8, '0')}`,
    name: `第${i}号便利店（${['朝阳', '浦东', '南山', '锦江', '西湖'][i % 5]}店）`,
    gln: `069${String(1_000_000_000 + i)}`,
    kind: KINDS[i % 3] as string,
    tier: String((i % 3) + 1),
    parent_code: `D${String(i % 500).padStart(5, '0')}`,
    province_code: p,
    city_code: city,
    district_code: `${city.slice(0, 4)}${String((i % 15) + 1).padStart(2, '0')}`,
    address: `${['北京市', '上海市', '广东省深圳市', '四川省成都市', '浙江省杭州市'][i % 5]}某某路${i % 3000}号${i % 40}栋`,
    lat: Math.round((22 + ((i * 7919) % 18_000) / 1000) * 1e6) / 1e6,
    lng: Math.round((103 + ((i * 104_729) % 19_000) / 1000) * 1e6) / 1e6,
  };
}

function* stores(): Generator<Record<string, string | number>> {
  for (let i = 0; i < ROWS; i++) yield store(i);
}

/** Writes the store master the way Excel stores it: shared strings. */
async function generateExcelLike(path: string): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('stores');
  ws.addRow(columns.map((c) => c.header)).commit();
  for (const r of stores()) ws.addRow(columns.map((c) => r[c.key])).commit();
  ws.commit();
  await wb.commit();
}

async function countRows(path: string, format: 'xlsx' | 'csv'): Promise<number> {
  let n = 0;
  for await (const _ of readTable(createReadStream(path), format)) n++;
  if (n !== ROWS) throw new Error(`read ${n} rows, expected ${ROWS}`);
  return n;
}

function emit(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'tabular', metric, value: Math.round(value), unit }));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tabular-bench-'));
  try {
    const master = join(dir, 'stores.xlsx');
    await generateExcelLike(master);
    // first read is cold (JIT warm-up included); the figure is the best of three
    const reads: number[] = [];
    for (let k = 0; k < 3; k++) reads.push(ROWS / (await timed(() => countRows(master, 'xlsx'))));
    emit('xlsx_read_rows_per_s', Math.max(...reads), 'rows/s');
    emit('xlsx_read_cold_rows_per_s', reads[0] as number, 'rows/s');

    const written = join(dir, 'written.xlsx');
    emit(
      'xlsx_write_rows_per_s',
      ROWS / (await timed(() => pipeline(writeTable('xlsx', columns, stores()), createWriteStream(written)))),
      'rows/s',
    );
    emit('xlsx_read_inline_strings_rows_per_s', ROWS / (await timed(() => countRows(written, 'xlsx'))), 'rows/s');

    const csv = join(dir, 'stores.csv');
    emit(
      'csv_write_rows_per_s',
      ROWS / (await timed(() => pipeline(writeTable('csv', columns, stores()), createWriteStream(csv)))),
      'rows/s',
    );
    const csvReads: number[] = [];
    for (let k = 0; k < 2; k++) csvReads.push(ROWS / (await timed(() => countRows(csv, 'csv'))));
    emit('csv_read_rows_per_s', Math.max(...csvReads), 'rows/s');
    emit('xlsx_file_bytes', (await readFile(master)).length, 'bytes');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
