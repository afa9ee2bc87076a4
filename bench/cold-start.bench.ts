/** Cold start of `throughline start` with an existing data directory, to /healthz 200. Target: under 5 s. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { emit, isMain } from './support.ts';

function startProcess(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, ['bin/throughline.js', 'start', '--demo-stores', '100000'], {
    env: { ...process.env, THROUGHLINE_DATA_DIR: dataDir, PORT: String(port), THROUGHLINE_PG_PORT: String(port + 1000) },
    stdio: 'ignore',
  });
}

async function waitHealthy(port: number, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) return performance.now() - started;
    } catch {}
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('server did not become healthy');
}

async function stop(p: ChildProcess): Promise<void> {
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGINT');
  await done;
}

export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join('/var/tmp', 'tl-cold-'));
  fs.chmodSync(dataDir, 0o755);
  const port = 3917;
  try {
    const first = startProcess(dataDir, port);
    emit('cold-start', 'first_start_with_demo_load_seconds', (await waitHealthy(port, 180_000)) / 1000, 's');
    await stop(first);
    const second = startProcess(dataDir, port);
    emit('cold-start', 'cold_start_existing_data_seconds', (await waitHealthy(port, 60_000)) / 1000, 's');
    // a crash: SIGKILL leaves postgres running with its pid file; the next start must recover by itself
    second.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const third = startProcess(dataDir, port);
    emit('cold-start', 'start_after_sigkill_seconds', (await waitHealthy(port, 60_000)) / 1000, 's');
    await stop(third);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
