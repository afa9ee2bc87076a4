/**
 * A population's RFM scores computed on a worker thread: a snapshot of a million consumers sorts three columns of a
 * million values (seconds of CPU), which in the server's thread would hold every request behind the refresh job.
 */
import { startWorker, workerModule } from '../../../platform/threads.ts';
import { columnsOf, type Member, type PopulationColumns, type ScoredPopulation, scoredPopulation } from './segment-report.ts';

const workerUrl = workerModule(import.meta.url, 'score-worker');

/** scoredPopulation on a thread of its own; the columns are moved to it, not copied (the caller's are emptied). */
export function scoreInThread(c: PopulationColumns): Promise<ScoredPopulation> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(workerUrl, null);
    let done = false;
    worker.once('message', (m: { ok: true; scored: ScoredPopulation } | { ok: false; message: string }) => {
      done = true;
      void worker.terminate();
      if (m.ok) resolve(m.scored);
      else reject(new Error(m.message));
    });
    worker.once('error', (e) => {
      done = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`the scoring thread stopped (exit code ${code})`));
    });
    worker.postMessage(c, [c.lastAtMs.buffer, c.frequency.buffer, c.monetary.buffer] as ArrayBuffer[]);
  });
}

/**
 * Below this many members a population is scored where it is (a few ms); above it on a thread of its own, whose start
 * costs less than the scoring would hold the server's thread (100,000 stores: ~0.3 s).
 */
export const SCORE_IN_THREAD_FROM = 10_000;

/** Scores members in their canonical order: in the caller's thread for a small population, else on its own. */
export function scoreMembersOffThread(members: readonly Member[]): Promise<ScoredPopulation> {
  const columns = columnsOf(members);
  return members.length < SCORE_IN_THREAD_FROM ? Promise.resolve(scoredPopulation(columns)) : scoreInThread(columns);
}
