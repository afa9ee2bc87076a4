/**
 * Claim batches decided on a thread of their own. A batch makes four round trips to the database; on the thread that
 * also serves HTTP, each answer waited behind the requests parsed and answered in the same turn of the event loop
 * (4-9 ms a round trip under a rush of claims, against well under 1 ms of work in the database), and the batches took
 * 20-25 ms. On their own thread the round trips wait only for the database. The HTTP thread checks the hidden code
 * and posts the claim; the answer comes back by message (claim-worker.ts).
 */
import type { Worker } from 'node:worker_threads';
import { recordClaimBatchRedecided } from '../../platform/metrics.ts';
import { perTurn } from '../../platform/per-turn.ts';
import { startWorker, workerModule } from '../../platform/threads.ts';
import type { ThrottleLimits } from '../resolver/throttle.ts';
import type { ClaimDesk, ClaimRequest, DeskAnswer } from './claim-desk.ts';

export interface ClaimThreadInit {
  databaseUrl: string;
  /** the thread's own pool */
  connections: number;
  limits: ThrottleLimits;
  /** the server's master key: the brands' code keys are sealed with it, and the hashes of devices and addresses keyed */
  masterKey: Uint8Array;
}

/** Claims cross in batches: the claims parsed in one turn of the HTTP thread's event loop go over as one message. */
export type ToClaimThread = { kind: 'claims'; claims: { id: number; claim: ClaimRequest }[] } | { kind: 'close' };

export type ClaimOutcome = { id: number; answer: DeskAnswer } | { id: number; failed: { message: string; code?: string } };

export type FromClaimThread =
  | { kind: 'ready' }
  /** the answers ready in one turn of the claim thread's event loop */
  | { kind: 'outcomes'; outcomes: ClaimOutcome[] }
  | { kind: 'redecided' }
  | { kind: 'closed' };

const workerUrl = workerModule(import.meta.url, 'claim-worker');

export class ClaimThread implements ClaimDesk {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(a: DeskAnswer): void; reject(e: Error): void }>();
  private next = 0;
  private failure: Error | null = null;
  private closed: Promise<void> | null = null;
  /** the claims of one turn of the event loop cross in one message */
  private readonly post = perTurn<{ id: number; claim: ClaimRequest }>((claims) =>
    this.worker.postMessage({ kind: 'claims', claims } satisfies ToClaimThread),
  );
  readonly ready: Promise<void>;

  constructor(init: ClaimThreadInit) {
    this.worker = startWorker(workerUrl, init);
    let started: () => void = () => {};
    this.ready = new Promise((resolve) => {
      started = resolve;
    });
    this.worker.on('message', (m: FromClaimThread) => {
      if (m.kind === 'ready') started();
      else if (m.kind === 'redecided') recordClaimBatchRedecided();
      else if (m.kind === 'outcomes') {
        for (const o of m.outcomes) {
          const w = this.waiting.get(o.id);
          this.waiting.delete(o.id);
          if ('answer' in o) w?.resolve(o.answer);
          else w?.reject(Object.assign(new Error(o.failed.message), { code: o.failed.code }));
        }
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the claim thread stopped (exit code ${code})`)));
  }

  claim(claim: ClaimRequest): Promise<DeskAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ id, claim });
    });
  }

  /** Ends the thread once its connections are closed (the claims it holds are answered first: a batch is a transaction). */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const done = () => {
        void this.worker.terminate().then(() => resolve());
      };
      this.worker.on('message', (m: FromClaimThread) => {
        if (m.kind === 'closed') done();
      });
      const drained = () =>
        this.waiting.size === 0 ? this.worker.postMessage({ kind: 'close' } satisfies ToClaimThread) : setTimeout(drained, 10);
      drained();
      setTimeout(done, 10_000).unref();
    });
    return this.closed;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
