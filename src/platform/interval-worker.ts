/**
 * A background pass run every `intervalMs` while the app serves, never two at once on this node: a pass still running
 * when the next interval comes makes that interval skip. `stop` waits for the pass in flight. Subclasses write `tick`.
 */
export abstract class IntervalWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly intervalMs: number) {}

  abstract tick(): Promise<unknown>;

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
