// The Talos-compatible step (kubespan-node §7.3–§7.5), kept to the letter so
// the daemon can offer it and tests can compare time-to-up with the fast mode:
// advertisement order, 15 s / 275 s, no kick, no probes, a 30 s tick.
import { screenCandidates } from "./candidates.js";
import { closeAttempt, describe, markHandshake, openAttempt, recordRejections } from "./peer-history.js";
import { calculateState, type PeerStatus, pickNewEndpoint, updateEndpoint } from "./peer-state.js";
import type { Decision, Observation, PeerTracker, StepContext } from "./peer-tracker.js";

/** Talos's reconcile interval, the only cadence this mode has. */
export const TALOS_RECONCILE_INTERVAL_MS = 30_000;

export function stepTalos(
  tracker: PeerTracker,
  observation: Observation,
  context: StepContext,
  now: number,
): { tracker: PeerTracker; decision: Decision } {
  const screened = screenCandidates(context.candidates, context.rules);
  let history = recordRejections(tracker.history, tracker.rejected, screened.rejected, now);
  let status = observeDevice(tracker.status, observation);
  status = { ...status, state: calculateState(status, now) };
  if (status.state === "down") history = closeAttempt(history, "timeout", now);
  if (status.state === "down" || status.lastUsedEndpoint === undefined) {
    const pick = pickNewEndpoint(status, screened.usable);
    if (pick !== undefined) {
      history = openAttempt(closeAttempt(history, "superseded", now), pick, now);
      status = updateEndpoint(status, pick, now);
    }
  }
  let lastGood = tracker.lastGood;
  if (status.state === "up") {
    history = markHandshake(history, status.lastHandshakeTime ?? now);
    lastGood = status.endpoint ?? status.lastUsedEndpoint;
  }
  const ours = status.lastUsedEndpoint;
  const reassert = ours !== undefined && (status.endpoint === undefined || status.endpoint.equals(ours));
  const ranked = screened.usable;
  const reason = describe({ status, now, candidates: context.candidates.length, ranked, screened });
  return {
    tracker: {
      ...tracker,
      status,
      reason,
      lastGood,
      history,
      rejected: screened.rejected,
      observedAt: now,
    },
    decision: {
      setEndpoint: reassert ? ours : undefined,
      kick: false,
      nextCheckAt: now + TALOS_RECONCILE_INTERVAL_MS,
      probeDue: false,
      stateChanged: status.state !== tracker.status.state,
    },
  };
}

export function observeDevice(status: PeerStatus, observation: Observation): PeerStatus {
  return {
    ...status,
    endpoint: observation.endpoint,
    lastHandshakeTime: observation.lastHandshake || undefined,
    receiveBytes: observation.rxBytes,
    transmitBytes: observation.txBytes,
  };
}
