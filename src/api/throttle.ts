// Coalesces bursts of change notifications: the first call fires at once,
// later calls within the interval collapse into a single call at its end.
// Watch streams use it so a reconcile storm costs a client a few messages a
// second, while a lone change is still delivered without delay.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Throttle {
  private lastFiredAt = Number.NEGATIVE_INFINITY;
  private pending: unknown;
  private stopped = false;

  constructor(
    private readonly fire: () => void,
    private readonly intervalMs: number,
    private readonly timers: Timers = systemTimers,
  ) {}

  trigger(): void {
    if (this.stopped || this.pending !== undefined) return;
    const wait = this.lastFiredAt + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.fireNow();
      return;
    }
    this.pending = this.timers.setTimeout(() => {
      this.pending = undefined;
      this.fireNow();
    }, wait);
  }

  /** Drops a scheduled call; later triggers do nothing. */
  stop(): void {
    this.stopped = true;
    if (this.pending !== undefined) this.timers.clearTimeout(this.pending);
    this.pending = undefined;
  }

  private fireNow(): void {
    if (this.stopped) return;
    this.lastFiredAt = this.timers.now();
    this.fire();
  }
}
