/** Worker thread of {@link forecastBatch}: runs chunks of series until none is left, then exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { runChunks, type WorkerJob, type WorkerMessage } from './batch.ts';

const port = parentPort;
if (!port) throw new Error('batch-worker must run in a worker thread');
try {
  runChunks(workerData as WorkerJob, (m) => port.postMessage(m));
} catch (e) {
  port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage);
}
