// Timing policy for endpoint selection: how long a candidate gets, how often
// the daemon looks, when an established path counts as dead, when to probe and
// how a long-failing peer backs off. Pure: every function takes `now` (ms).
//
// WireGuard timer names below are from the WireGuard paper (§6.1) and the
// Linux implementation (drivers/net/wireguard/messages.h).

/** WireGuard REKEY_TIMEOUT: an unanswered handshake initiation is retransmitted after 5 s. */
export const REKEY_TIMEOUT_MS = 5_000;

export interface Timers {
  /** A fresh endpoint's window for its first handshake. */
  readonly firstHandshakeMs: number;
  /** An established peer without a handshake for this long is down. */
  readonly peerDownMs: number;
  /** A failing candidate is never left sooner than this after it was set. */
  readonly minDwellMs: number;
  /** Device poll cadence while a peer is not up or is being probed. */
  readonly fastPollMs: number;
  /** Cadence when a peer is up and quiet. */
  readonly slowTickMs: number;
  /** How often an up peer's counters are read, so traffic that starts on it turns probing on quickly. */
  readonly upPollMs: number;
  /** At most one probe per peer per interval. */
  readonly probeIntervalMs: number;
  /** Consecutive missed probes that, with tx growing and rx frozen, mean a dead path. */
  readonly probeMissesForDead: number;
  /** For peers that do not answer probes: tx growing with rx frozen this long means a dead path. */
  readonly txWithoutRxMs: number;
  /** Bytes moved between two observations that count as real traffic. */
  readonly activeBytes: number;
  /** Probing continues this long after the last real traffic. */
  readonly activeWindowMs: number;
  /** Full candidate cycles that may fail before cycles back off. */
  readonly freeCycles: number;
  /** First pause between cycles once backing off; doubles per further failed cycle. */
  readonly cycleBackoffBaseMs: number;
  readonly cycleBackoffMaxMs: number;
}

export const FAST_TIMERS: Timers = Object.freeze({
  // Every endpoint change sends a fresh initiation at once (the daemon
  // re-creates a peer it was already dialling, which also resets WireGuard's
  // 5 s initiation rate limit), and a live path answers within one RTT. Four
  // seconds leave that RTT, the 1 s poll and a loaded host a wide margin,
  // while a dead first candidate costs 4 s instead of Talos's ~30 s. A lost
  // initiation on a live path is retried when the cycle comes back to it.
  firstHandshakeMs: 4_000,
  // Talos's PeerDownInterval (180 s reject-after + 5 s rekey timeout + 90 s
  // rekey-attempt time). Kept: the faster rules below catch dead paths sooner,
  // and this one is the backstop every Talos node applies too.
  peerDownMs: 275_000,
  // Leaving a candidate sooner would abandon a handshake WireGuard has not
  // even retransmitted yet.
  minDwellMs: REKEY_TIMEOUT_MS,
  // A kicked handshake completes within an RTT, so a 1 s look bounds the time
  // to notice it; the cost is one device dump, shared by all peers.
  fastPollMs: 1_000,
  // Talos's reconcile interval: repairs drift when nothing is happening.
  slowTickMs: 30_000,
  // Probing starts only once traffic is seen, and traffic is only seen when
  // the counters are read: 5 s bounds that delay for a flow that starts on a
  // quiet peer, at the cost of one device dump per 5 s (about 20 ms for 1 000
  // peers).
  upPollMs: 5_000,
  // One echo per second per peer is ~128 bytes each way on the wire (a
  // 40-byte probe in IPv6/UDP plus WireGuard's 32 bytes), negligible next to
  // the traffic that made the peer worth probing.
  probeIntervalMs: 1_000,
  // Three seconds of silence: one lost echo is ordinary packet loss, three in
  // a row while we keep sending is a path that has gone away.
  probeMissesForDead: 3,
  // A healthy peer sends us something at least every 25 s (persistent
  // keepalive, set by Talos and by us), and answers our data within 10 s
  // (WireGuard's passive KEEPALIVE_TIMEOUT). 25 s + one REKEY_TIMEOUT + 5 s of
  // scheduling slack before silence is taken as a dead path.
  txWithoutRxMs: 35_000,
  // Probes (≤ 2 × 128 B per observation) and keepalives (≤ 2 × 32 B each way
  // between observations) stay below this, so probing cannot keep itself going.
  activeBytes: 1_024,
  // Long enough to span a pause in request/response traffic, short enough
  // that idle peers stop being probed quickly.
  activeWindowMs: 10_000,
  // Two free cycles ride out a peer that restarts while we cycle.
  freeCycles: 2,
  // 5 s, 10 s, 20 s, then every 30 s: a dead peer in a large mesh costs one
  // short attempt per 30 s instead of one per first-handshake window.
  cycleBackoffBaseMs: 5_000,
  cycleBackoffMaxMs: 30_000,
});

export class TimerError extends Error {
  override name = "TimerError";
}

/** Throws TimerError naming the first field that is out of range. */
export function checkTimers(timers: Timers): void {
  for (const [field, value] of Object.entries(timers)) {
    const min = field === "freeCycles" ? 0 : field === "probeMissesForDead" ? 1 : Number.MIN_VALUE;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
      throw new TimerError(`timers.${field}: expected a finite number ≥ ${min}, found ${String(value)}`);
    }
  }
  if (timers.minDwellMs < REKEY_TIMEOUT_MS) {
    throw new TimerError(
      `timers.minDwellMs: expected ≥ ${REKEY_TIMEOUT_MS} (WireGuard's rekey timeout), found ${timers.minDwellMs}`,
    );
  }
  if (timers.firstHandshakeMs < timers.fastPollMs) {
    // A window shorter than the poll cadence would end before a handshake could be seen.
    throw new TimerError(
      `timers.firstHandshakeMs: expected ≥ fastPollMs (${timers.fastPollMs}), found ${timers.firstHandshakeMs}`,
    );
  }
}

/** The pause before the next full candidate cycle after `failedCycles` failed ones. */
export function cycleBackoffMs(failedCycles: number, timers: Timers): number {
  const over = failedCycles - timers.freeCycles;
  if (over < 0) return 0;
  return Math.min(timers.cycleBackoffMaxMs, timers.cycleBackoffBaseMs * 2 ** over);
}

/** Evidence about the current path, rebuilt whenever the endpoint changes. */
export interface Liveness {
  /** When rx was last seen to grow (or when tracking began). */
  readonly rxMovedAt: number;
  /** The tx counter at that moment: tx above it means we sent since. */
  readonly txAtRxMove: number;
  /** Probing is worthwhile until then (recent real traffic). */
  readonly activeUntil: number;
  /** The peer answered a probe on this path: only then do missed probes mean anything. */
  readonly probeAnswered: boolean;
  readonly probeMisses: number;
  readonly firstMissAt: number | undefined;
  /** Kept across paths, for the per-peer rate limit and for status output. */
  readonly lastProbeAt: number | undefined;
  readonly lastProbeOkAt: number | undefined;
}

export function freshLiveness(now: number, txBytes: number, previous?: Liveness): Liveness {
  return {
    rxMovedAt: now,
    txAtRxMove: txBytes,
    activeUntil: previous?.activeUntil ?? 0,
    probeAnswered: false,
    probeMisses: 0,
    firstMissAt: undefined,
    lastProbeAt: previous?.lastProbeAt,
    lastProbeOkAt: previous?.lastProbeOkAt,
  };
}

export interface Counters {
  readonly rxBytes: number;
  readonly txBytes: number;
}

/**
 * Folds one observation in. `probeOk` is the outcome of the probe asked for
 * at an earlier step: true for a reply, false for a probe that went
 * unanswered, undefined when there is nothing to report.
 */
export function observeLiveness(
  live: Liveness,
  before: Counters,
  after: Counters,
  probeOk: boolean | undefined,
  now: number,
  timers: Timers,
): Liveness {
  // The kernel restarts the counters when a peer is re-added: start over.
  if (after.rxBytes < before.rxBytes || after.txBytes < before.txBytes) {
    return { ...freshLiveness(now, after.txBytes, live), probeAnswered: live.probeAnswered };
  }
  const moved = after.rxBytes - before.rxBytes + (after.txBytes - before.txBytes);
  let next: Liveness = {
    ...live,
    activeUntil: moved > timers.activeBytes ? now + timers.activeWindowMs : live.activeUntil,
  };
  if (after.rxBytes > before.rxBytes) next = { ...next, rxMovedAt: now, txAtRxMove: after.txBytes };
  if (probeOk === true) {
    next = { ...next, probeAnswered: true, probeMisses: 0, firstMissAt: undefined, lastProbeOkAt: now };
  } else if (probeOk === false) {
    next = { ...next, probeMisses: next.probeMisses + 1, firstMissAt: next.firstMissAt ?? now };
  }
  return next;
}

export type PathVerdict = "probes-missed" | "tx-without-rx";

/** Whether an established path is dead; undefined while it looks alive. */
export function pathVerdict(
  live: Liveness,
  txBytes: number,
  now: number,
  timers: Timers,
): PathVerdict | undefined {
  const sentSinceRx = txBytes > live.txAtRxMove;
  if (!sentSinceRx) return undefined;
  if (
    live.probeAnswered &&
    live.probeMisses >= timers.probeMissesForDead &&
    live.firstMissAt !== undefined &&
    live.rxMovedAt < live.firstMissAt
  ) {
    return "probes-missed";
  }
  if (now - live.rxMovedAt >= timers.txWithoutRxMs) return "tx-without-rx";
  return undefined;
}

/** Whether an up peer is worth probing at all: a responder, and recent real traffic. */
export function probing(live: Liveness, capable: boolean, now: number, timers: Timers): boolean {
  if (!capable || live.activeUntil <= now) return false;
  // Unanswered from the start on a path that handshook: no responder there after all.
  return live.probeAnswered || live.probeMisses < timers.probeMissesForDead;
}

/** Whether this peer should be probed now, before the global budget is applied. */
export function wantsProbe(live: Liveness, capable: boolean, now: number, timers: Timers): boolean {
  if (!probing(live, capable, now, timers)) return false;
  return live.lastProbeAt === undefined || now - live.lastProbeAt >= timers.probeIntervalMs;
}

/** When an up peer must be looked at again, given what could change its verdict. */
export function upCheckAt(
  live: Liveness,
  txBytes: number,
  lastHandshake: number,
  probing: boolean,
  now: number,
  timers: Timers,
): number {
  let at = Math.min(now + Math.min(timers.slowTickMs, timers.upPollMs), lastHandshake + timers.peerDownMs);
  if (probing) at = Math.min(at, now + timers.fastPollMs);
  if (txBytes > live.txAtRxMove) at = Math.min(at, live.rxMovedAt + timers.txWithoutRxMs);
  return Math.max(at, now + 1);
}
