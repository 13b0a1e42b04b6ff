// A bound on bytes in flight, shared by many senders. When hundreds of
// watchers (re)connect at once, e.g. after a restart, each is owed a
// snapshot of up to ~4.6 MB and gRPC makes a framed copy of every one; the
// budget lets a few go out at a time instead of holding them all in memory.

export class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; start: () => void }[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /**
   * Runs `start` once `bytes` fit in the budget, at once if they do. A
   * request larger than the whole budget runs when nothing else is in flight.
   * Returns a function that withdraws the request if it has not started.
   */
  acquire(bytes: number, start: () => void): () => void {
    const request = { bytes, start };
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.used += bytes;
      start();
      return () => {};
    }
    this.waiting.push(request);
    return () => {
      const index = this.waiting.indexOf(request);
      if (index >= 0) this.waiting.splice(index, 1);
    };
  }

  release(bytes: number): void {
    this.used -= bytes;
    // First come, first served: a large request is not overtaken forever by small ones.
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.start();
    }
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }
}
