/**
 * A population's RFM scores computed on a worker thread: a snapshot of a million consumers sorts three columns of a
 * million values (seconds of CPU), which in the server's thread would hold every request behind the refresh job.
 */
import { startWorker, workerModule } from '../../../platform/threads.ts';
import { type PopulationScores, scorePopulation } from './segment-report.ts';
import { SEGMENTS, segmentOf } from './segments.ts';

export interface PopulationColumns {
  /** each member's last purchase, ms since the epoch, in the canonical order */
  lastAtMs: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

export interface ScoredPopulation {
  snapshot: number | null;
  recency: Int32Array;
  /** 1-5, or 0 where the population has no quintiles (a population of one) */
  rScore: Int8Array;
  fScore: Int8Array;
  mScore: Int8Array;
  /** index into SEGMENTS, or -1 for none */
  segment: Int8Array;
  rankedInstead: ('recency' | 'monetary')[];
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
