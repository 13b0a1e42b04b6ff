// Which of a peer's advertised endpoints we may dial, in which order, and
// which one to try next (kubespan-node §14: candidate order, tunnel-in-tunnel,
// peerEndpoints, backoff of long-failing peers).
//
// Talos dials the endpoints in advertisement order, so a LAN peer that lists
// its public address first is reached the long way round. We screen out
// endpoints that can never work, then rank the rest best-first. Ranking only
// orders the attempts: a peer is declared up by a WireGuard handshake alone,
// and an established peer is never moved because another endpoint scores
// higher (that hysteresis lives in peer-tracker.ts).
import type { Endpoint, IP, Prefix } from "../net/ip.js";
import { cycleBackoffMs, type Timers } from "./probe-policy.js";

/** Facts the daemon injects; each one is optional so tests state only what they need. */
export interface CandidateRules {
  /** True when the kernel's route to `ip` egresses our own KubeSpan interface. */
  routesViaKubeSpan?: (ip: IP) => boolean;
  /** The allowed IPs of every peer: an endpoint inside them is only reachable through the mesh. */
  peerAllowedIPs?: readonly Prefix[];
  /**
   * The node-local `filters.peerEndpoints`, FilterIPs semantics: returns the IPs
   * that pass. Absent means no filtering. Only membership is used; the order
   * comes from the ranking below.
   */
  peerEndpointsFilter?: (ips: readonly IP[]) => readonly IP[];
}

export interface Rejection {
  readonly endpoint: Endpoint;
  readonly reason: string;
}

export interface Screened {
  /** Usable endpoints, duplicates removed, advertisement order kept. */
  readonly usable: Endpoint[];
  readonly rejected: Rejection[];
}

/** Splits the advertised endpoints into usable ones and rejected ones with a reason. */
export function screenCandidates(endpoints: readonly Endpoint[], rules: CandidateRules = {}): Screened {
  const unique = endpoints.filter((ep, i) => endpoints.findIndex((other) => other.equals(ep)) === i);
  const passing = rules.peerEndpointsFilter?.(unique.map((ep) => ep.ip));
  const usable: Endpoint[] = [];
  const rejected: Rejection[] = [];
  for (const endpoint of unique) {
    const reason = rejectionReason(endpoint.ip, rules, passing);
    if (reason === undefined) usable.push(endpoint);
    else rejected.push({ endpoint, reason });
  }
  return { usable, rejected };
}

function rejectionReason(
  ip: IP,
  rules: CandidateRules,
  passing: readonly IP[] | undefined,
): string | undefined {
  // Nothing can answer from these, whatever the routing table says.
  if (ip.isZero() || ip.isMulticast()) return "unusable address";
  if (passing !== undefined && !passing.some((p) => p.equals(ip))) return "filtered by peerEndpoints";
  const inside = rules.peerAllowedIPs?.find((prefix) => prefix.contains(ip));
  if (inside !== undefined) return `inside peer allowed IPs ${inside}`;
  if (rules.routesViaKubeSpan?.(ip)) return "routes via kubespan (tunnel in tunnel)";
  return undefined;
}

/**
 * Lower is better. The tiers, best first:
 * 0. the last endpoint that handshook (persisted across restarts): it worked;
 * 1. same subnet as one of our addresses: one hop, no NAT, no firewall between;
 * 2. private (RFC 1918, CGNAT, ULA): likely the same site or a VPC;
 * 3. public;
 * 4. a family we have no address of at all: it cannot leave this host.
 */
export function candidateTier(ep: Endpoint, localPrefixes: readonly Prefix[], lastGood?: Endpoint): number {
  if (lastGood?.equals(ep)) return 0;
  if (localPrefixes.some((prefix) => prefix.contains(ep.ip))) return 1;
  const haveFamily = localPrefixes.length === 0 || localPrefixes.some((p) => p.family === ep.ip.family);
  if (!haveFamily) return 4;
  return ep.ip.isPrivate() ? 2 : 3;
}

/**
 * Orders usable endpoints best-first: by tier, then IPv6 before IPv4 (no NAT,
 * so the address a peer advertises is the one that answers), then in the
 * peer's own advertisement order.
 */
export function rankCandidates(
  usable: readonly Endpoint[],
  localPrefixes: readonly Prefix[],
  lastGood?: Endpoint,
): Endpoint[] {
  const keyed = usable.map((ep, index) => ({
    ep,
    index,
    tier: candidateTier(ep, localPrefixes, lastGood),
    v4: ep.ip.family === 4 ? 1 : 0,
  }));
  keyed.sort((a, b) => a.tier - b.tier || a.v4 - b.v4 || a.index - b.index);
  return keyed.map((k) => k.ep);
}

/** Position in the current round of candidates. */
export interface Cycle {
  /** Endpoints (as text) tried in this round. */
  readonly tried: readonly string[];
  /** Rounds in a row in which every candidate failed. */
  readonly failed: number;
  /** Set while backing off: the next round starts then. */
  readonly resumeAt: number | undefined;
}

/** The next candidate to try; undefined pick = hold (nothing usable, or backing off). */
export function nextCandidate(
  ranked: readonly Endpoint[],
  cycle: Cycle,
  now: number,
  timers: Timers,
): { pick: Endpoint | undefined; cycle: Cycle } {
  // A candidate not yet tried this round (new ones included) goes first, even while backing off.
  const untried = ranked.find((ep) => !cycle.tried.includes(ep.toString()));
  if (untried !== undefined) return { pick: untried, cycle: withTried(cycle, untried) };
  const first = ranked[0];
  if (first === undefined) return { pick: undefined, cycle };
  if (cycle.resumeAt === undefined) {
    const failed = cycle.failed + 1;
    const wait = cycleBackoffMs(failed, timers);
    if (wait > 0) return { pick: undefined, cycle: { ...cycle, failed, resumeAt: now + wait } };
    return { pick: first, cycle: { tried: [first.toString()], failed, resumeAt: undefined } };
  }
  if (now < cycle.resumeAt) return { pick: undefined, cycle };
  return { pick: first, cycle: { tried: [first.toString()], failed: cycle.failed, resumeAt: undefined } };
}

function withTried(cycle: Cycle, ep: Endpoint): Cycle {
  return { ...cycle, tried: [...cycle.tried, ep.toString()] };
}
