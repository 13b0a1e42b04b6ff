// After a reconnect, affiliates missing from the new snapshot are kept for a
// while instead of dropped: a discovery service that restarted empty is
// refilled only as every node reconnects (each after up to 90 s of backoff),
// and dropping the missing ones at once would tear down working peers.
// Pure: time is passed in; the client owns the timer.

/** Long enough for every node's backoff (at most 90 s) plus its republish. */
export const RECONNECT_GRACE_MS = 120_000;

export class ReconnectGrace {
  private readonly until = new Map<string, number>();

  /** Starts the grace period of records a reconnect snapshot did not list (not extended if running). */
  hold(ids: readonly string[], now: number, graceMs = RECONNECT_GRACE_MS): void {
    for (const id of ids) if (!this.until.has(id)) this.until.set(id, now + graceMs);
  }

  /** A record was listed again with data, or deleted explicitly: its fate is settled. */
  settle(id: string): void {
    this.until.delete(id);
  }

  /** Removes and returns the IDs whose grace has run out. */
  expired(now: number): string[] {
    const out: string[] = [];
    for (const [id, until] of this.until) {
      if (until > now) continue;
      this.until.delete(id);
      out.push(id);
    }
    return out;
  }

  /** When the next grace period ends; undefined when none is running. */
  nextExpiry(): number | undefined {
    return this.until.size === 0 ? undefined : Math.min(...this.until.values());
  }
}
