/**
 * Long computations on the server's own thread (a job's forecasts, say) give the event loop back every few
 * milliseconds, so that the requests arriving meanwhile (consumers' scans among them) wait a slice, not the whole
 * computation: `if (slice.over) await slice.pause();` inside the loop.
 */
export class TimeSlice {
  private started = performance.now();

  constructor(private readonly ms = 5) {}

  /** this slice has had its time */
  get over(): boolean {
    return performance.now() - this.started >= this.ms;
  }

  /**
   * Lets everything that is waiting run (I/O, timers, other requests), then starts the next slice. One setImmediate
   * would resume in the same turn of the event loop when called from its check phase, before timers and I/O had theirs;
   * an immediate scheduled from an immediate runs in the next turn, after them (and without the 1 ms of a timer).
   */
  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    this.started = performance.now();
  }
}
