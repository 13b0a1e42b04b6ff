// The public `/stats` figure, recomputed at most once per `maxAgeMs`
// (discovery protocol §7.11) so that a busy landing page cannot make the
// server walk its whole state on every request.

export class CachedCount {
  private cached: { value: number; at: number } | undefined;

  constructor(
    private readonly compute: () => number,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  value(): number {
    const now = this.now();
    if (!this.cached || now - this.cached.at >= this.maxAgeMs) {
      this.cached = { value: this.compute(), at: now };
    }
    return this.cached.value;
  }
}
