// The per-peer record of candidates tried and the one-line reason a peer is
// not up: what `kubespanctl status` shows so a user can tell why a path was
// chosen (talos#13299, netbird#4793).
import type { Endpoint } from "../net/ip.js";
import type { Rejection, Screened } from "./candidates.js";
import type { PeerStatus } from "./peer-state.js";

export type Outcome = "trying" | "handshake" | "timeout" | "superseded" | "path-dead" | `rejected:${string}`;

export interface Attempt {
  readonly endpoint: Endpoint;
  readonly startedAt: number;
  /** Undefined while the endpoint is still in use. */
  readonly endedAt: number | undefined;
  /** The first handshake on this endpoint, for "time to first handshake". */
  readonly firstHandshakeAt: number | undefined;
  readonly outcome: Outcome;
}

/** Enough to show a full cycle of a well-connected peer plus its rejections. */
export const HISTORY_LIMIT = 16;

function append(history: readonly Attempt[], attempt: Attempt): Attempt[] {
  return [...history, attempt].slice(-HISTORY_LIMIT);
}

export function openAttempt(history: readonly Attempt[], endpoint: Endpoint, now: number): Attempt[] {
  return append(history, {
    endpoint,
    startedAt: now,
    endedAt: undefined,
    firstHandshakeAt: undefined,
    outcome: "trying",
  });
}

function updateOpen(history: readonly Attempt[], change: (open: Attempt) => Attempt): readonly Attempt[] {
  const index = history.findLastIndex((a) => a.endedAt === undefined);
  const open = history[index];
  if (open === undefined) return history;
  return history.with(index, change(open));
}

/** Ends the attempt in use, if any, with `outcome`. */
export function closeAttempt(history: readonly Attempt[], outcome: Outcome, now: number): readonly Attempt[] {
  return updateOpen(history, (open) => ({ ...open, endedAt: now, outcome }));
}

/** Marks the attempt in use as having handshaken (once: the first handshake time is kept). */
export function markHandshake(history: readonly Attempt[], at: number): readonly Attempt[] {
  return updateOpen(history, (open) =>
    open.outcome === "handshake" ? open : { ...open, outcome: "handshake", firstHandshakeAt: at },
  );
}

/** Appends one entry per endpoint that became rejected (or changed reason) since the last step. */
export function recordRejections(
  history: readonly Attempt[],
  before: readonly Rejection[],
  now: readonly Rejection[],
  at: number,
): readonly Attempt[] {
  let out = history;
  for (const r of now) {
    if (before.some((b) => b.endpoint.equals(r.endpoint) && b.reason === r.reason)) continue;
    out = append(out, {
      endpoint: r.endpoint,
      startedAt: at,
      endedAt: at,
      firstHandshakeAt: undefined,
      outcome: `rejected:${r.reason}`,
    });
  }
  return out;
}

export interface ReasonFacts {
  readonly status: PeerStatus;
  readonly now: number;
  /** How many endpoints the peer advertises. */
  readonly candidates: number;
  readonly ranked: readonly Endpoint[];
  readonly screened: Screened;
  /** The fast mode's round; absent in the Talos mode, which has none. */
  readonly cycle?: { tried: readonly string[]; failed: number; resumeAt: number | undefined };
}

/** One line: why the peer is not up. Empty when it is. */
export function describe(facts: ReasonFacts): string {
  const { status, now, screened } = facts;
  if (status.state === "up") return "";
  const ours = status.lastUsedEndpoint;
  if (ours === undefined) {
    if (facts.candidates === 0) return "peer advertises no endpoints";
    const first = screened.rejected[0];
    if (facts.ranked.length > 0 || first === undefined) return "no endpoint chosen yet";
    return `no usable endpoint: ${screened.rejected.length} rejected, e.g. ${first.endpoint} ${first.reason}`;
  }
  const change = status.lastEndpointChange;
  const handshake = status.lastHandshakeTime;
  const parts: string[] = [];
  if (handshake !== undefined && handshake > (change ?? -1)) {
    parts.push(`path via ${ours} went silent; last handshake ${seconds(now - handshake)} ago`);
  } else if (status.state === "unknown") {
    parts.push(`waiting for a handshake on ${ours} for ${seconds(now - (change ?? now))}`);
  } else {
    parts.push(`no handshake on ${ours} after ${seconds(now - (change ?? now))}`);
  }
  const cycle = facts.cycle;
  if (cycle !== undefined) {
    parts.push(`${cycle.tried.length} of ${facts.ranked.length} candidates tried`);
    if (cycle.resumeAt !== undefined) {
      parts.push(
        `all failed ${cycle.failed} rounds in a row, next round in ${seconds(cycle.resumeAt - now)}`,
      );
    }
  }
  if (screened.rejected.length > 0) parts.push(`${screened.rejected.length} rejected`);
  return parts.join("; ");
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))}s`;
}
