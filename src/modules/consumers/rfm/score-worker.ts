/** The thread a population is scored on (score-thread.ts): one message in, its scores out. */
import { parentPort } from 'node:worker_threads';
import { type PopulationColumns, type ScoredPopulation, scoredPopulation } from './segment-report.ts';

const port = parentPort;
if (!port) throw new Error('score-worker.ts runs as a worker thread');
port.once('message', (c: PopulationColumns) => {
  try {
    const s: ScoredPopulation = scoredPopulation(c);
    port.postMessage({ ok: true, scored: s }, [
      s.recency.buffer,
      s.rScore.buffer,
      s.fScore.buffer,
      s.mScore.buffer,
      s.segment.buffer,
    ] as ArrayBuffer[]);
  } catch (e) {
    port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
