/**
 * A simulation run played on a worker thread of its own. In the server's thread a run at the console's largest size
 * (2,000 stores x 50 SKUs x 365 days, both policies) delayed the event loop ~11 ms a simulated day at the median and
 * up to 0.3 s while it built its demand plan, so every request of the server, consumers' scans included, waited behind
 * a planner's what-if run (docs/BENCHMARKS.md, "A console run beside the server's other work").
 */
import { startWorker, workerModule } from '../../../platform/threads.ts';
import type { SimulationParams } from './params.ts';
import type { SimulationResult } from './result.ts';

export type FromSimulationThread =
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'done'; result: SimulationResult }
  | { kind: 'failed'; message: string };

const workerUrl = workerModule(import.meta.url, 'simulate-worker');

/**
 * Plays the run (the fast mode) on its own thread. `onProgress` is called with the latest day done, one call at a
 * time (days that pass while a call is running are folded into the next); when it throws, the thread is stopped and
 * the run rejects with that error (a cancelled job).
 */
export function simulateInThread(
  params: SimulationParams,
  opts: { onProgress?: (done: number, total: number) => void | Promise<void> } = {},
): Promise<SimulationResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(workerUrl, params);
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      f();
    };
    let result: SimulationResult | null = null;
    let latest: { done: number; total: number } | null = null;
    let reporting: Promise<void> | null = null;
    const report = async () => {
      try {
        while (latest && !settled) {
          const p: { done: number; total: number } = latest;
          latest = null;
          await opts.onProgress?.(p.done, p.total);
        }
      } catch (e) {
        settle(() => reject(e));
      } finally {
        reporting = null;
      }
    };
    worker.on('message', (m: FromSimulationThread) => {
      if (m.kind === 'progress') {
        latest = { done: m.done, total: m.total };
        if (!reporting) reporting = report();
      } else if (m.kind === 'done') {
        result = m.result;
        // the last report first: the caller's progress is written before the run is done
        void (reporting ?? Promise.resolve()).then(() => settle(() => resolve(m.result)));
      } else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    // the thread ends by itself once it has sent the result: that is an error only before it
    worker.on('exit', (code) => {
      if (!result) settle(() => reject(new Error(`the simulation thread stopped (exit code ${code})`)));
    });
  });
}
