// Keyed token buckets: the discovery server limits each client IP with them
// (discovery protocol §7.6) and the client stays inside that budget. Like a classic
// reservation-based limiter, a bucket may go negative: each caller reserves
// its token at once and learns how long to wait, so waiting callers are
// served in arrival order. Time is passed in (milliseconds).

export interface RateLimit {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: how many calls may arrive at once. */
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 15, burst: 60 };

export interface Reservation {
  /** How long the caller must wait before proceeding, in milliseconds. */
  readonly waitMs: number;
  /** Gives the token back, for a caller that gave up waiting. */
  cancel(now: number): void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit = DEFAULT_RATE_LIMIT) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(
        `rate limit needs perSecond > 0 and burst >= 1, got perSecond=${limit.perSecond} burst=${limit.burst}`,
      );
    }
  }

  /** Number of buckets currently held (one per recently seen client). */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Reserves one token for `key`. Returns undefined, consuming nothing, when
   * the caller would have to wait `maxWaitMs` or longer: a wait that ends at
   * the deadline leaves no time to serve the call.
   */
  reserve(key: string, now: number, maxWaitMs = Number.POSITIVE_INFINITY): Reservation | undefined {
    const bucket = this.refill(key, now);
    const after = bucket.tokens - 1;
    const waitMs = after < 0 ? (-after / this.limit.perSecond) * 1000 : 0;
    if (waitMs > 0 && waitMs >= maxWaitMs) return undefined;
    bucket.tokens = after;
    return {
      waitMs,
      cancel: (cancelAt: number) => {
        const current = this.refill(key, cancelAt);
        current.tokens = Math.min(this.limit.burst, current.tokens + 1);
      },
    };
  }

  /** Drops buckets that have refilled completely; returns how many were dropped. */
  collect(now: number): number {
    let dropped = 0;
    for (const [key, bucket] of this.buckets) {
      if (this.advance(bucket, now) >= this.limit.burst) {
        this.buckets.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.limit.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    this.advance(bucket, now);
    return bucket;
  }

  private advance(bucket: Bucket, now: number): number {
    // A clock step backwards must not drain the bucket.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (elapsed / 1000) * this.limit.perSecond);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
    return bucket.tokens;
  }
}
