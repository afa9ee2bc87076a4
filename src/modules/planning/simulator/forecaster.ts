/**
 * The forecast the demand-driven policy orders from, behind an interface so a better model can replace it
 * (planning/forecast's models fit per series; a per-day call for two million store x SKU series needs this
 * incremental shape). The default: the mean and standard deviation of the last `window` days (a moving average),
 * kept as running sums over a ring of the last days' values, so one observation costs O(1).
 */
export interface Forecaster {
  /** records day `day`'s value of series `i` (call once per series per day, days in order) */
  observe(i: number, day: number, value: number): void;
  /** the mean daily value expected ahead */
  mean(i: number): number;
  /** the standard deviation of one day's value */
  sigma(i: number): number;
}

export class MovingAverageForecaster implements Forecaster {
  private readonly ring: Float32Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;

  constructor(
    readonly size: number,
    readonly window: number,
  ) {
    this.ring = new Float32Array(size * window);
    this.sum = new Float64Array(size);
    this.sumSq = new Float64Array(size);
  }

  observe(i: number, day: number, value: number): void {
    const at = (((day % this.window) + this.window) % this.window) * this.size + i;
    const old = this.ring[at] as number;
    this.ring[at] = value;
    this.sum[i] = (this.sum[i] as number) + value - old;
    this.sumSq[i] = (this.sumSq[i] as number) + value * value - old * old;
  }

  mean(i: number): number {
    return (this.sum[i] as number) / this.window;
  }

  sigma(i: number): number {
    const n = this.window;
    if (n < 2) return 0;
    const s = this.sum[i] as number;
    // rounding leaves a hair below zero when every day had the same value
    return Math.sqrt(Math.max(0, ((this.sumSq[i] as number) - (s * s) / n) / (n - 1)));
  }
}
