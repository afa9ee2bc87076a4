/**
 * Code generation throughput, in codes per second: serials, print-file lines, bulk decoding, and the zipped print file
 * (stored or deflated, with and without password, inline and with 1 or 2 worker threads) written to /dev/null.
 * Each print-file figure comes with the CPU time per code of the whole process (all threads), which varies less than
 * the rate when the machine is shared. Run: npm run bench -- codes-generate
 * CODES_BENCH_COUNT sets the codes of the stored print-file runs (default 10,000,000; deflate runs use a fifth).
 */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { decodeSerials, generatePrintFile, generateTenantKeys, type PrintFileOptions, serialsFor } from '../src/modules/codes/index.ts';
import { fillLines, printLayout, templateLines } from '../src/modules/codes/print-lines.ts';
import { codecFor, SERIAL_LENGTH } from '../src/modules/codes/serials.ts';
import { emit, isMain } from './support.ts';

const BENCH = 'codes-generate';
const GTIN = '06901234567892';
const HOST = 'id.example.cn';
const PASSWORD = 'correct horse 42';

function best(runs: number, fn: () => number): number {
  let top = 0;
  for (let k = 0; k < runs; k++) top = Math.max(top, fn());
  return top;
}

function rate(n: number, fn: () => void): number {
  const t = performance.now();
  fn();
  return n / ((performance.now() - t) / 1000);
}

export async function run(): Promise<void> {
  const count = Number(process.env.CODES_BENCH_COUNT ?? 10_000_000);
  const keys = generateTenantKeys();
  const codec = codecFor(keys, 0, GTIN);
  if (!codec) throw new Error('no codec');
  const chunk = 32_768;
  const n = 5_000_000;

  // serials only, packed in a buffer (no verification code), one thread
  const serialBuf = Buffer.alloc(chunk * SERIAL_LENGTH, '0');
  const serialLayout = { lineLength: SERIAL_LENGTH, serialAt: [1], codeAt: -1 };
  const serialsPerS = best(3, () =>
    rate(n, () => {
      for (let first = 0; first < n; first += chunk) codec.writeLines(1, first, Math.min(chunk, n - first), serialBuf, 0, serialLayout);
    }),
  );
  emit(BENCH, 'serials_per_s', serialsPerS, 'codes/s');

  // whole print-file lines (URI, serial, verification code) into fresh buffers, one thread
  const layout = printLayout(HOST, GTIN, 0);
  const template = templateLines(layout, chunk);
  const linesPerS = best(3, () =>
    rate(n, () => {
      for (let first = 0; first < n; first += chunk) fillLines(codec, layout, template, 1, first, Math.min(chunk, n - first));
    }),
  );
  emit(BENCH, 'lines_per_s', linesPerS, 'codes/s');
  emit(BENCH, 'line_bytes', layout.lineLength, 'bytes');

  // bulk decoding (e.g. the codes of an aggregation event), one thread
  const sample = serialsFor(keys, { gtin: GTIN, keyVersion: 0, batchNo: 1 }, 0, 1_000_000);
  emit(
    BENCH,
    'decode_per_s',
    best(2, () => rate(sample.length, () => decodeSerials(keys, GTIN, sample))),
    'codes/s',
  );

  const base: PrintFileOptions = { keys, gtin: GTIN, resolverHost: HOST, batch: { keyVersion: 0, batchNo: 1 }, count };
  const small = Math.max(1, Math.floor(count / 5));
  const cases: [string, Partial<PrintFileOptions>, number][] = [
    ['zip_store', {}, count],
    ['zip_store_aes', { password: PASSWORD }, count],
    ['zip_deflate', { compression: 'deflate' }, small],
    ['zip_deflate_aes', { compression: 'deflate', password: PASSWORD }, small],
  ];
  for (const [name, extra, codes] of cases) {
    for (const workers of [0, 1, 2]) {
      let bytes = 0;
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      const file = generatePrintFile({ ...base, ...extra, count: codes, workers });
      file.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      await pipeline(file, createWriteStream('/dev/null'));
      const s = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      emit(BENCH, `${name}_workers${workers}_per_s`, codes / s, 'codes/s');
      emit(BENCH, `${name}_workers${workers}_cpu_ns_per_code`, ((cpu.user + cpu.system) * 1000) / codes, 'ns');
      if (workers === 0) emit(BENCH, `${name}_bytes_per_code`, bytes / codes, 'bytes');
    }
  }
}

if (isMain(import.meta.url)) await run();
