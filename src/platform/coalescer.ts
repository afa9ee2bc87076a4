/**
 * Group commit at the application level. Requests that arrive while earlier batches are in flight wait in a queue,
 * and the next batch takes all of them (up to `maxBatch`): one transaction and one commit then serve many requests.
 * At low load a request runs alone at once, so batching adds no waiting; under load the batches grow by themselves,
 * which is what keeps throughput up and latency flat when hundreds of clients write at the same instant.
 *
 * A batch starts once the code that submitted runs to its end (a microtask later), not at the first submit: requests
 * submitted together (the claims of one message from the HTTP thread) go in one batch. Started at the first submit,
 * a free slot took that one request alone and the rest waited for the next batch: under a rush of claims, every
 * other batch was a batch of one paying a whole transaction's statements and commit.
 *
 * `run` answers every request of a batch, index-aligned; a rejection of `run` rejects the whole batch (callers
 * decide whether to retry requests one by one).
 */
export interface CoalescerOptions {
  /** most requests in one batch */
  maxBatch: number;
  /** most batches running at once */
  maxInFlight: number;
}

interface Waiting<Req, Res> {
  req: Req;
  resolve: (r: Res) => void;
  reject: (e: unknown) => void;
}

export class Coalescer<Req, Res> {
  private readonly queue: Waiting<Req, Res>[] = [];
  private inFlight = 0;
  private pumpScheduled = false;
  /** batches run and requests served since start (average batch size = requests / batches) */
  readonly stats = { batches: 0, requests: 0 };

  constructor(
    private readonly run: (batch: Req[]) => Promise<Res[]>,
    private readonly options: CoalescerOptions,
  ) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        queueMicrotask(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Requests waiting for a batch (for metrics and tests). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.stats.batches++;
      this.stats.requests += batch.length;
      this.run(batch.map((w) => w.req))
        .then(
          (results) => {
            batch.forEach((w, i) => {
              w.resolve(results[i] as Res);
            });
          },
          (e: unknown) => {
            for (const w of batch) w.reject(e);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
