// The one level-triggered loop: any trigger schedules a pass (at once when
// none ran in the last debounce interval), passes never overlap (a trigger
// during a pass queues exactly one more), a slow tick
// repairs drift, peers can ask for an earlier look (1 s polling while a
// handshake is pending), and a failed pass is retried with backoff.
export interface LoopStatus {
  passes: number;
  lastPassAt: number;
  lastDurationMs: number;
  lastError: string;
  consecutiveFailures: number;
}

export interface ReconcileLoopOptions {
  /** Drift repair cadence when nothing else happens (Talos: 30 s). */
  slowTickMs?: number;
  /**
   * Coalesces bursts of triggers (address events, watch messages) into one
   * pass: a trigger starts a pass at once unless one started less than this
   * long ago, in which case it waits for the rest of that interval.
   */
  debounceMs?: number;
  /** Retry delays after failures double from min to max. */
  minRetryMs?: number;
  maxRetryMs?: number;
  onError?: (error: unknown) => void;
}

export class ReconcileLoop {
  private readonly slowTickMs: number;
  private readonly debounceMs: number;
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  /** Set before the pass starts: a pass may trigger synchronously, before `running` is assigned. */
  private busy = false;
  private rerun = false;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly info: LoopStatus = {
    passes: 0,
    lastPassAt: 0,
    lastDurationMs: 0,
    lastError: "",
    consecutiveFailures: 0,
  };

  /** `pass` returns the time (ms since epoch) it wants to be called again at the latest, if any. */
  constructor(
    private readonly pass: () => Promise<number | undefined>,
    private readonly options: ReconcileLoopOptions = {},
  ) {
    this.slowTickMs = options.slowTickMs ?? 30_000;
    this.debounceMs = options.debounceMs ?? 20;
    this.minRetryMs = options.minRetryMs ?? 1_000;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
  }

  status(): LoopStatus {
    return { ...this.info };
  }

  /** Requests a pass soon. Safe to call at any rate. */
  trigger(): void {
    if (this.busy) {
      this.rerun = true;
      return;
    }
    // Leading edge: an isolated change (one watch message) is acted on without delay.
    this.schedule(Math.max(Date.now(), this.lastStartedAt + this.debounceMs));
  }

  /** Runs one pass now and resolves when it (and any queued rerun) is done. */
  async runNow(): Promise<void> {
    this.trigger();
    this.schedule(Date.now());
    while (this.running || this.timerAt <= Date.now()) {
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(at: number): void {
    if (this.stopped || this.busy || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - Date.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.busy = true;
    this.running = this.execute().then((next) => {
      this.busy = false;
      this.running = undefined;
      this.schedule(this.rerun ? Date.now() : next);
      this.rerun = false;
    });
  }

  /** Runs the pass; resolves with when the next one is due. Never rejects. */
  private async execute(): Promise<number> {
    const started = Date.now();
    this.lastStartedAt = started;
    let next = started + this.slowTickMs;
    try {
      const wanted = await this.pass();
      if (wanted !== undefined) next = Math.min(next, wanted);
      this.info.consecutiveFailures = 0;
      this.info.lastError = "";
    } catch (error) {
      this.info.consecutiveFailures++;
      this.info.lastError = error instanceof Error ? error.message : String(error);
      const retry = Math.min(this.maxRetryMs, this.minRetryMs * 2 ** (this.info.consecutiveFailures - 1));
      next = Math.min(next, Date.now() + retry);
      this.options.onError?.(error);
    }
    this.info.passes++;
    this.info.lastPassAt = started;
    this.info.lastDurationMs = Date.now() - started;
    return next;
  }
}
