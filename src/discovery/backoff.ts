// Exponential backoff with the cenkalti/backoff v4 defaults that the Go
// discovery client uses: 500 ms initial, ×1.5, ±50 % jitter, 60 s cap, no
// overall limit. Matching them keeps a fleet of our nodes from hammering a
// recovering server harder than Talos nodes would.
export interface BackoffOptions {
  initialMs?: number;
  multiplier?: number;
  randomization?: number;
  maxIntervalMs?: number;
  /** Returns a number in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly multiplier: number;
  private readonly randomization: number;
  private readonly maxIntervalMs: number;
  private readonly random: () => number;
  private currentMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.multiplier = options.multiplier ?? 1.5;
    this.randomization = options.randomization ?? 0.5;
    this.maxIntervalMs = options.maxIntervalMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.currentMs = this.initialMs;
  }

  /** The next wait: the current interval ± randomization, then grow the interval. */
  next(): number {
    const delta = this.randomization * this.currentMs;
    const low = this.currentMs - delta;
    const wait = low + this.random() * (2 * delta);
    this.currentMs = Math.min(this.currentMs * this.multiplier, this.maxIntervalMs);
    return Math.round(wait);
  }

  reset(): void {
    this.currentMs = this.initialMs;
  }
}
