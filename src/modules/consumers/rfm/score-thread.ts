/**
 * A population's RFM scores computed on a worker thread: a snapshot of a million consumers sorts three columns of a
 * million values (seconds of CPU), which in the server's thread would hold every request behind the refresh job.
 */
import { startWorker, workerModule } from '../../../platform/threads.ts';
import { type Member, type PopulationScores, type ScoredPopulation, scorePopulation } from './segment-report.ts';

export type { ScoredPopulation };

import { SEGMENTS, segmentOf } from './segments.ts';

export interface PopulationColumns {
  /** each member's last purchase, ms since the epoch, in the canonical order */
  lastAtMs: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

/** The scores as the snapshot stores them (what the worker sends back). */
export function scoredPopulation(c: PopulationColumns): ScoredPopulation {
  const n = c.lastAtMs.length;
  const { snapshot, recency, scores }: PopulationScores = scorePopulation(
    Array.from(c.lastAtMs),
    Array.from(c.frequency),
    Array.from(c.monetary),
  );
  const segment = new Int8Array(n).fill(-1);
  if (scores) for (let i = 0; i < n; i++) segment[i] = SEGMENTS.indexOf(segmentOf(scores.rScore[i] as number, scores.fScore[i] as number));
  return {
    snapshot,
    recency,
    rScore: scores?.rScore ?? new Int8Array(n),
    fScore: scores?.fScore ?? new Int8Array(n),
    mScore: scores?.mScore ?? new Int8Array(n),
    segment,
    rankedInstead: scores?.rankedInstead ?? [],
  };
}

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

/** The columns of members given in their canonical order. */
export function columnsOf(members: readonly Member[]): PopulationColumns {
  const n = members.length;
  const c = { lastAtMs: new Float64Array(n), frequency: new Float64Array(n), monetary: new Float64Array(n) };
  members.forEach((m, i) => {
    c.lastAtMs[i] = m.lastAt.getTime();
    c.frequency[i] = m.frequency;
    c.monetary[i] = m.monetary;
  });
  return c;
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
