/**
 * RFM of the Online Retail II file (525,461 invoice lines, gzip CSV): the target is under 5 s.
 * - in process: read + clean + aggregate + score + write the CSV, best of RFM_RUNS runs (default 3);
 * - the command as a user runs it, `throughline consumers rfm ...` in a process of its own (start-up included), once.
 * Prints one JSON line per figure (lines read, customers, seconds). The file: RFM_FILE, or
 * ../shared/data/online-retail-ii/online_retail_ii_2009_2010.csv.gz beside the repository.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rfmOfTransactionsFile, writeRfmCsv } from '../src/modules/consumers/rfm/index.ts';
import { emit, isMain } from './support.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILE = process.env.RFM_FILE ?? path.resolve(repo, '../shared/data/online-retail-ii/online_retail_ii_2009_2010.csv.gz');

export async function run(): Promise<void> {
  if (!fs.existsSync(FILE)) {
    console.log(JSON.stringify({ bench: 'rfm', skipped: `no file ${FILE}` }));
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rfm-bench-'));
  try {
    const out = path.join(dir, 'rfm.csv');
    const runs = Number(process.env.RFM_RUNS ?? 3);
    let best = Number.POSITIVE_INFINITY;
    let r: Awaited<ReturnType<typeof rfmOfTransactionsFile>> | undefined;
    for (let k = 0; k < runs; k++) {
      const started = performance.now();
      r = await rfmOfTransactionsFile(FILE, 'online-retail-ii');
      await writeRfmCsv(r.rows, fs.createWriteStream(out));
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    emit('rfm', 'lines_read', r!.linesRead, 'lines');
    emit('rfm', 'customers', r!.rows.length, 'customers');
    emit('rfm', 'seconds_in_process', best, 's');
    emit('rfm', 'lines_per_s', r!.linesRead / best, 'lines/s');

    const started = performance.now();
    const cli = spawnSync(
      process.execPath,
      [path.join(repo, 'bin/throughline.js'), 'consumers', 'rfm', '--transactions', FILE, '--format', 'online-retail-ii', '--out', out],
      { encoding: 'utf8' },
    );
    const seconds = (performance.now() - started) / 1000;
    if (cli.status !== 0) throw new Error(`throughline consumers rfm failed (${cli.status}): ${cli.stderr}`);
    emit('rfm', 'seconds_cli_process', seconds, 's');
    emit('rfm', 'cli_rows_written', fs.readFileSync(out, 'utf8').trimEnd().split('\n').length - 1, 'customers');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
