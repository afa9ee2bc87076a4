/** The thread a simulation run plays in (simulate-thread.ts): each day done as a message, then the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SimulationParams } from './params.ts';
import { simulateFast } from './simulate.ts';
import type { FromSimulationThread } from './simulate-thread.ts';

const port = parentPort;
if (!port) throw new Error('simulate-worker.ts runs as a worker thread');
const post = (m: FromSimulationThread) => port.postMessage(m);

// alone on its thread: no need to yield to an event loop between days
simulateFast(workerData as SimulationParams, {
  onProgress: (done, total) => post({ kind: 'progress', done, total }),
  yieldEvery: 1_000_000,
})
  .then((result) => post({ kind: 'done', result }))
  .catch((e: unknown) => post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) }));
