/**
 * Many series at once, over worker threads: `forecastBatch` is the bulk run (the benchmark, the product's per-store
 * run, and what the job queue will call). The series sit end to end in one SharedArrayBuffer (`offsets` marks where
 * each starts); the workers take chunks of them through an atomic counter, so a slow chunk never leaves a core idle,
 * and write each result straight into shared output arrays: nothing is copied back and forth per series.
 */

import os from 'node:os';
import { startWorker, workerModule } from '../../../platform/threads.ts';
import { type ForecastOptions, forecastSeries, InsufficientHistoryError } from './select.ts';
import { MODEL_NAMES, type ModelName } from './types.ts';

export interface BatchInput {
  /** All series end to end. */
  values: Float64Array;
  /** offsets[i]..offsets[i+1] is series i (length count + 1). */
  offsets: Int32Array;
}

export interface BatchResult {
  count: number;
  horizon: number;
  /** Model chosen per series (index into MODEL_NAMES), -1 when the series could not be forecast. */
  model: Int8Array;
  /** count x horizon, row-major. */
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Per series that could not be forecast: the reason (too little history). */
  failures: Map<number, string>;
}

export interface BatchOptions {
  /** Worker threads; 0 runs in the calling thread. Default: one per core. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/** What a worker gets: shared buffers in, shared buffers out. */
export interface WorkerJob {
  values: SharedArrayBuffer;
  offsets: SharedArrayBuffer;
  counter: SharedArrayBuffer;
  model: SharedArrayBuffer;
  mean: SharedArrayBuffer;
  lower: SharedArrayBuffer;
  upper: SharedArrayBuffer;
  options: ForecastOptions;
  chunk: number;
}

export type WorkerMessage = { done: number; failures: [number, string][] } | { error: string };

const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));

/** The loop a worker (or the calling thread) runs: take a chunk, forecast it, until none is left. */
export function runChunks(job: WorkerJob, report: (m: WorkerMessage) => void): void {
  const values = new Float64Array(job.values);
  const offsets = new Int32Array(job.offsets);
  const counter = new Int32Array(job.counter);
  const model = new Int8Array(job.model);
  const mean = new Float64Array(job.mean);
  const lower = new Float64Array(job.lower);
  const upper = new Float64Array(job.upper);
  const count = offsets.length - 1;
  const h = job.options.horizon;
  for (;;) {
    const from = Atomics.add(counter, 0, job.chunk);
    if (from >= count) return;
    const to = Math.min(count, from + job.chunk);
    const failures: [number, string][] = [];
    for (let i = from; i < to; i++) {
      try {
        const f = forecastSeries(values.subarray(offsets[i]!, offsets[i + 1]!), job.options);
        model[i] = MODEL_NAMES.indexOf(f.model);
        mean.set(f.mean, i * h);
        lower.set(f.lower, i * h);
        upper.set(f.upper, i * h);
      } catch (e) {
        if (!(e instanceof InsufficientHistoryError)) throw e;
        model[i] = -1;
        failures.push([i, e.message]);
      }
    }
    report({ done: to - from, failures });
  }
}

const workerUrl = workerModule(import.meta.url, 'batch-worker');

/** Packs series (arrays of daily or weekly units) end to end for `forecastBatch`. */
export function packSeries(series: ArrayLike<number>[]): BatchInput {
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (series.length + 1)));
  let total = 0;
  series.forEach((s, i) => {
    offsets[i] = total;
    total += s.length;
  });
  offsets[series.length] = total;
  const values = new Float64Array(new SharedArrayBuffer(Math.max(8, 8 * total)));
  for (let i = 0; i < series.length; i++) values.set(series[i]!, offsets[i]!);
  return { values, offsets };
}

/** Forecasts every series with model choice (forecastSeries), over `workers` threads. */
export async function forecastBatch(input: BatchInput, options: ForecastOptions, o: BatchOptions = {}): Promise<BatchResult> {
  const count = input.offsets.length - 1;
  const h = options.horizon;
  const toShared = <T extends Float64Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): SharedArrayBuffer => {
    if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
    const b = shared(a.byteLength);
    make(b).set(a);
    return b;
  };
  const job: WorkerJob = {
    values: toShared(input.values, (b) => new Float64Array(b)),
    offsets: toShared(input.offsets, (b) => new Int32Array(b)),
    counter: shared(4),
    model: shared(count),
    mean: shared(8 * count * h),
    lower: shared(8 * count * h),
    upper: shared(8 * count * h),
    options,
    chunk: Math.max(1, Math.min(64, Math.ceil(count / 64))),
  };
  const failures = new Map<number, string>();
  let done = 0;
  const onMessage = (m: WorkerMessage) => {
    if ('error' in m) throw new Error(m.error);
    done += m.done;
    for (const [i, why] of m.failures) failures.set(i, why);
    o.onProgress?.(done, count);
  };
  const workers = Math.min(o.workers ?? os.availableParallelism(), Math.ceil(count / job.chunk));
  if (workers <= 0 || count === 0) runChunks(job, onMessage);
  else
    await Promise.all(
      Array.from(
        { length: workers },
        () =>
          new Promise<void>((resolve, reject) => {
            const w = startWorker(workerUrl, job);
            w.on('message', (m: WorkerMessage) => {
              try {
                onMessage(m);
              } catch (e) {
                reject(e);
                void w.terminate();
              }
            });
            w.on('error', reject);
            w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`forecast worker exited with code ${code}`))));
          }),
      ),
    );
  return {
    count,
    horizon: h,
    model: new Int8Array(job.model),
    mean: new Float64Array(job.mean),
    lower: new Float64Array(job.lower),
    upper: new Float64Array(job.upper),
    failures,
  };
}

export const modelOf = (r: BatchResult, i: number): ModelName | null => (r.model[i]! >= 0 ? MODEL_NAMES[r.model[i]!]! : null);
