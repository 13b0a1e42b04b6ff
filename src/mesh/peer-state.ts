// The Talos peer state machine (kubespan-node §7.4, §7.5).
//
// Kept bit-for-bit compatible with Talos: nodes agree on nothing here over the
// wire, but a user comparing `kubespanctl` with `talosctl get kubespanpeerstatus`
// should see the same state for the same facts. Times are milliseconds since
// an arbitrary epoch; 0 or undefined means "never".
import type { Endpoint } from "../net/ip.js";

export type PeerState = "unknown" | "up" | "down";

/** The window for a first handshake after an endpoint change. */
export const ENDPOINT_CONNECTION_TIMEOUT_MS = 15_000;
/** 180 s reject-after + 5 s rekey timeout + 90 s rekey-attempt time, from the WireGuard paper. */
export const PEER_DOWN_INTERVAL_MS = 275_000;

export interface StateTimings {
  endpointConnectionTimeoutMs: number;
  peerDownIntervalMs: number;
}

export const DEFAULT_STATE_TIMINGS: StateTimings = Object.freeze({
  endpointConnectionTimeoutMs: ENDPOINT_CONNECTION_TIMEOUT_MS,
  peerDownIntervalMs: PEER_DOWN_INTERVAL_MS,
});

export interface PeerStatus {
  /** The endpoint WireGuard reports; undefined when it has none. */
  endpoint: Endpoint | undefined;
  label: string;
  state: PeerState;
  receiveBytes: number;
  transmitBytes: number;
  lastHandshakeTime: number | undefined;
  lastUsedEndpoint: Endpoint | undefined;
  lastEndpointChange: number | undefined;
}

export function newPeerStatus(label: string): PeerStatus {
  return {
    endpoint: undefined,
    label,
    state: "unknown",
    receiveBytes: 0,
    transmitBytes: 0,
    lastHandshakeTime: undefined,
    lastUsedEndpoint: undefined,
    lastEndpointChange: undefined,
  };
}

export function calculateState(
  status: PeerStatus,
  now: number,
  timings: StateTimings = DEFAULT_STATE_TIMINGS,
): PeerState {
  const handshake = status.lastHandshakeTime || undefined;
  const change = status.lastEndpointChange || undefined;
  const sinceHandshake = handshake === undefined ? Number.POSITIVE_INFINITY : now - handshake;
  const sinceChange = change === undefined ? Number.POSITIVE_INFINITY : now - change;
  // "Never" is the earliest possible time, as Go's zero time.Time is.
  const handshakeAfterChange = (handshake ?? Number.NEGATIVE_INFINITY) > (change ?? Number.NEGATIVE_INFINITY);

  let state: PeerState;
  if (sinceChange > timings.peerDownIntervalMs) {
    state = sinceHandshake < timings.peerDownIntervalMs ? "up" : "down";
  } else if (sinceChange < timings.endpointConnectionTimeoutMs) {
    state = handshakeAfterChange ? "up" : "unknown";
  } else {
    state = handshakeAfterChange ? "up" : "down";
  }
  // A peer never given an endpoint cannot be down, only not yet tried.
  if (state === "down" && status.lastUsedEndpoint === undefined) state = "unknown";
  return state;
}

/** The next endpoint to try, or undefined for "no change". */
export function pickNewEndpoint(status: PeerStatus, endpoints: readonly Endpoint[]): Endpoint | undefined {
  if (endpoints.length === 0) return undefined;
  const last = status.lastUsedEndpoint;
  if (last === undefined) return endpoints[0];
  const index = endpoints.findIndex((candidate) => candidate.equals(last));
  // A single endpoint that is already in use cannot rotate.
  if (endpoints.length === 1 && index === 0 && status.endpoint?.equals(last)) return undefined;
  // A list without the last endpoint (index -1) restarts at its first element.
  return endpoints[(index + 1) % endpoints.length];
}

/** Points the peer at `endpoint` from `now` on; the state restarts as unknown. */
export function updateEndpoint(status: PeerStatus, endpoint: Endpoint, now: number): PeerStatus {
  return { ...status, endpoint, lastUsedEndpoint: endpoint, lastEndpointChange: now, state: "unknown" };
}
