// Per-peer endpoint selection (kubespan-node §7, §14): the Talos state machine
// with what makes it slow taken out. The daemon feeds one observation of the
// WireGuard device per peer and acts on the decision; this module only decides.
//
// Differences from Talos, all in the fast (default) mode:
// - candidates are screened and ranked (candidates.ts) instead of dialled in
//   advertisement order; an up peer is never moved to a better-ranked one;
// - every endpoint change kicks a handshake, so a candidate gets 4 s, not the
//   ~30 s a 15 s window checked on a 30 s tick amounts to;
// - the daemon is told when to look again (1 s while trying or probing);
// - a dead path on an established peer is noticed from missed probes or from
//   tx growing without rx, not only after 275 s without a handshake;
// - a session the kernel already has at start-up is adopted, not overwritten;
// - full cycles that keep failing back off.
// `talosCompatible` reproduces Talos exactly, for comparison and interop.
import type { Endpoint, Prefix } from "../net/ip.js";
import {
  type CandidateRules,
  type Cycle,
  nextCandidate,
  type Rejection,
  rankCandidates,
  screenCandidates,
} from "./candidates.js";
import {
  type Attempt,
  closeAttempt,
  describe,
  markHandshake,
  openAttempt,
  recordRejections,
} from "./peer-history.js";
import {
  calculateState,
  newPeerStatus,
  type PeerState,
  type PeerStatus,
  updateEndpoint,
} from "./peer-state.js";
import {
  type Counters,
  checkTimers,
  FAST_TIMERS,
  freshLiveness,
  type Liveness,
  observeLiveness,
  pathVerdict,
  probing,
  type Timers,
  upCheckAt,
  wantsProbe,
} from "./probe-policy.js";
import { observeDevice, stepTalos } from "./talos-step.js";

export interface PeerTracker {
  readonly publicKey: string;
  /** The Talos-shaped status: device endpoint, state, counters, handshake, last used endpoint and change. */
  readonly status: PeerStatus;
  /** One line saying why the peer is not up; empty when it is. */
  readonly reason: string;
  /** The endpoint the last handshake came from; the daemon persists it across restarts. */
  readonly lastGood: Endpoint | undefined;
  readonly history: readonly Attempt[];
  readonly rejected: readonly Rejection[];
  readonly cycle: Cycle;
  readonly liveness: Liveness;
  /** When the device was last observed; undefined before the first step. */
  readonly observedAt: number | undefined;
  /** Our local prefixes at the last step, as text: a change resets the backoff. */
  readonly localNetwork: string;
}

export interface Observation {
  /** The endpoint WireGuard reports; undefined when it has none. */
  readonly endpoint?: Endpoint;
  /** Last handshake, ms; undefined or 0 when never. */
  readonly lastHandshake?: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  /** Probe facts; absent for peers the daemon does not probe. */
  readonly probe?: {
    /** The peer is expected to run the echo responder. */
    readonly capable: boolean;
    /** The probe asked for earlier: true answered, false unanswered, undefined nothing to report. */
    readonly ok?: boolean;
  };
}

export interface StepContext {
  /** The peer spec's merged endpoints, in the peer's order. */
  readonly candidates: readonly Endpoint[];
  /** Our underlay address prefixes (not the KubeSpan address). */
  readonly localPrefixes: readonly Prefix[];
  readonly rules?: CandidateRules;
  readonly talosCompatible?: boolean;
  /** Overrides FAST_TIMERS; checked, throws TimerError. */
  readonly timers?: Timers;
  /** Probes the daemon may still send in this second across all peers; each probeDue uses one. */
  readonly probeBudget?: number;
}

export interface Decision {
  /** The endpoint to program now; undefined leaves the kernel's endpoint alone (roaming). */
  readonly setEndpoint: Endpoint | undefined;
  /** Start a handshake now (the daemon re-creates the peer on the device). */
  readonly kick: boolean;
  /** Step this peer again no later than this (ms). */
  readonly nextCheckAt: number;
  /** Send one probe through the tunnel now. */
  readonly probeDue: boolean;
  readonly stateChanged: boolean;
}

export class ObservationError extends Error {
  override name = "ObservationError";
}

export function createPeerTracker(init: {
  publicKey: string;
  label?: string;
  lastGood?: Endpoint;
  now: number;
}): PeerTracker {
  return {
    publicKey: init.publicKey,
    status: newPeerStatus(init.label ?? ""),
    reason: "not observed yet",
    lastGood: init.lastGood,
    history: [],
    rejected: [],
    cycle: { tried: [], failed: 0, resumeAt: undefined },
    liveness: freshLiveness(init.now, 0),
    observedAt: undefined,
    localNetwork: "",
  };
}

export function step(
  tracker: PeerTracker,
  observation: Observation,
  context: StepContext,
  now: number,
): { tracker: PeerTracker; decision: Decision } {
  checkObservation(tracker.publicKey, observation, now);
  if (context.talosCompatible) return stepTalos(tracker, observation, context, now);
  if (context.timers !== undefined) checkTimers(context.timers);
  const timers = context.timers ?? FAST_TIMERS;
  const screened = screenCandidates(context.candidates, context.rules);
  const ranked = rankCandidates(screened.usable, context.localPrefixes, tracker.lastGood);
  const localNetwork = context.localPrefixes.map(String).sort().join(",");

  let history = recordRejections(tracker.history, tracker.rejected, screened.rejected, now);
  let status = observeDevice(tracker.status, observation);
  let live =
    tracker.observedAt === undefined
      ? freshLiveness(now, observation.txBytes, tracker.liveness)
      : observeLiveness(
          tracker.liveness,
          countersOf(tracker.status),
          observation,
          observation.probe?.ok,
          now,
          timers,
        );
  // New local addresses can make failed candidates reachable (talos#13160): retry at once.
  let cycle =
    localNetwork === tracker.localNetwork ? tracker.cycle : { tried: [], failed: 0, resumeAt: undefined };

  const handshake = status.lastHandshakeTime || undefined;
  if (
    status.lastUsedEndpoint === undefined &&
    observation.endpoint !== undefined &&
    handshake !== undefined
  ) {
    // The kernel kept a session across our restart: adopt it (undefined change = "not ours").
    if (now - handshake < timers.peerDownMs) {
      status = { ...status, lastUsedEndpoint: observation.endpoint };
      history = openAttempt(history, observation.endpoint, now);
    }
  }
  const timings = {
    endpointConnectionTimeoutMs: timers.firstHandshakeMs,
    peerDownIntervalMs: timers.peerDownMs,
  };
  const computed = calculateState(status, now, timings);
  const current = status.lastUsedEndpoint;
  const sinceChange = now - (status.lastEndpointChange ?? Number.NEGATIVE_INFINITY);

  let failure: "timeout" | "path-dead" | undefined;
  if (computed === "up" && current !== undefined) {
    history = markHandshake(history, handshake ?? now);
    cycle = { tried: [current.toString()], failed: 0, resumeAt: undefined };
    if (sinceChange >= timers.minDwellMs && pathVerdict(live, observation.txBytes, now, timers)) {
      failure = "path-dead";
    }
  } else if (computed === "down") {
    failure = "timeout";
  }
  const rejectedNow = current !== undefined && screened.rejected.some((r) => r.endpoint.equals(current));
  const vanished = current !== undefined && computed !== "up" && !ranked.some((ep) => ep.equals(current));

  let kick = false;
  if (current === undefined || failure !== undefined || rejectedNow || vanished) {
    if (failure !== undefined) history = closeAttempt(history, failure, now);
    const next = nextCandidate(ranked, cycle, now, timers);
    cycle = next.cycle;
    if (next.pick !== undefined) {
      history = openAttempt(closeAttempt(history, "superseded", now), next.pick, now);
      status = updateEndpoint(status, next.pick, now);
      live = freshLiveness(now, observation.txBytes, live);
      kick = true;
    }
  }
  const state: PeerState = kick ? "unknown" : failure !== undefined ? "down" : computed;
  status = { ...status, state };
  const lastGood = state === "up" ? (observation.endpoint ?? current) : tracker.lastGood;

  const capable = observation.probe?.capable ?? false;
  const probeDue =
    state === "up" &&
    wantsProbe(live, capable, now, timers) &&
    (context.probeBudget ?? Number.POSITIVE_INFINITY) > 0;
  if (probeDue) live = { ...live, lastProbeAt: now };
  const nextCheckAt =
    state === "up"
      ? upCheckAt(
          live,
          observation.txBytes,
          handshake ?? now,
          probing(live, capable, now, timers),
          now,
          timers,
        )
      : now + timers.fastPollMs;

  const reason = describe({ status, now, candidates: context.candidates.length, ranked, screened, cycle });
  return {
    tracker: {
      ...tracker,
      status,
      reason,
      lastGood,
      history,
      rejected: screened.rejected,
      cycle,
      liveness: live,
      observedAt: now,
      localNetwork,
    },
    decision: {
      setEndpoint: desiredEndpoint(status, kick),
      kick,
      nextCheckAt,
      probeDue,
      stateChanged: state !== tracker.status.state,
    },
  };
}

/**
 * Re-assert our endpoint unless WireGuard roamed: the device reports another
 * endpoint and a handshake arrived after our last change, so the peer is
 * talking to us from there (a NAT mapping, say). Overwriting it would cut a
 * working session (kilo#34); only a failure moves the peer.
 */
function desiredEndpoint(status: PeerStatus, changed: boolean): Endpoint | undefined {
  const ours = status.lastUsedEndpoint;
  if (ours === undefined || changed) return ours;
  const device = status.endpoint;
  const handshake = status.lastHandshakeTime ?? Number.NEGATIVE_INFINITY;
  const roamed =
    device !== undefined && !device.equals(ours) && handshake > (status.lastEndpointChange ?? -1);
  return roamed ? undefined : ours;
}

function countersOf(status: PeerStatus): Counters {
  return { rxBytes: status.receiveBytes, txBytes: status.transmitBytes };
}

function checkObservation(publicKey: string, observation: Observation, now: number): void {
  const fields: [string, number | undefined][] = [
    ["now", now],
    ["lastHandshake", observation.lastHandshake],
    ["rxBytes", observation.rxBytes],
    ["txBytes", observation.txBytes],
  ];
  for (const [name, value] of fields) {
    if (value === undefined && name === "lastHandshake") continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new ObservationError(
        `peer ${publicKey}: ${name}: expected a finite number ≥ 0, found ${String(value)}`,
      );
    }
  }
}

/** Orders trackers so the peers waiting longest for a probe get the global budget first. */
export function probeOrder(trackers: readonly PeerTracker[]): PeerTracker[] {
  const waited = (t: PeerTracker) => t.liveness.lastProbeAt ?? -1;
  return [...trackers].sort((a, b) => waited(a) - waited(b));
}
