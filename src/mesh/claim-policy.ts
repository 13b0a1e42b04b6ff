// What a peer may claim as its allowed IPs, on top of the Talos rules.
//
// Any cluster member can publish any prefix, and whatever we accept is routed
// into that peer's tunnel. Talos trusts every claim; here the claims that would
// hijack traffic the peer has no business receiving are removed and reported:
// default routes, our own addresses, the KubeSpan /64 (except the peer's own
// /128) and, when configured, anything outside an allowlist.
import type { Affiliate } from "../cluster/affiliate.js";
import { type Family, IP, Prefix } from "../net/ip.js";
import { IPSet } from "../net/ipset.js";

export interface ClaimPolicy {
  /** This cluster's KubeSpan /64: only each peer's own /128 inside it is routed. */
  clusterPrefix: Prefix;
  /** The local node's own addresses and networks: never routed to a peer. */
  localAddresses: readonly (IP | Prefix)[];
  /** Accept claims that cover a whole address family (0.0.0.0/0, ::/0). Default false. */
  allowDefaultRoutes?: boolean;
  /** When set, claims outside these networks are refused. */
  acceptedNetworks?: readonly Prefix[];
}

export type RejectionReason =
  /** The record holds values Talos refuses (see Affiliate.invalid): the whole peer is skipped. */
  | "invalid-affiliate"
  /** Not standard base64 of exactly 32 bytes: the whole peer is skipped. */
  | "invalid-public-key"
  /** An earlier node ID already uses this public key: the whole peer is skipped. */
  | "duplicate-public-key"
  /** The KubeSpan address is outside the cluster /64: the whole peer is skipped. */
  | "address-outside-cluster"
  | "default-route"
  | "cluster-prefix"
  | "local-address"
  | "not-accepted"
  /** An earlier node ID (the winner) already owns these addresses. */
  | "overlap";

export interface Rejection {
  nodeId: string;
  /** The peer's node name. */
  label: string;
  /** What was refused: a prefix, or the value that made the whole peer unusable. */
  claim: string;
  reason: RejectionReason;
  /** For overlaps: the node ID that keeps the addresses. */
  winner?: string;
}

export type Reject = (claim: string, reason: RejectionReason, winner?: string) => void;

/** The policy as sets, computed once per pass. */
export interface CompiledPolicy {
  cluster: IPSet;
  local: IPSet;
  allowDefaultRoutes: boolean;
  /** The complement of the allowlist; empty when there is none. */
  notAccepted: IPSet;
}

const WHOLE: Record<Family, IPSet> = {
  4: IPSet.of([Prefix.of(IP.v4(0n), 0)]),
  6: IPSet.of([Prefix.of(IP.v6(0n), 0)]),
};

export function compilePolicy(policy: ClaimPolicy): CompiledPolicy {
  const accepted = policy.acceptedNetworks;
  return {
    cluster: IPSet.of([policy.clusterPrefix]),
    local: IPSet.of(policy.localAddresses),
    allowDefaultRoutes: policy.allowDefaultRoutes ?? false,
    notAccepted: accepted ? WHOLE[4].add(WHOLE[6]).remove(IPSet.of(accepted)) : IPSet.EMPTY,
  };
}

/**
 * The peer's claims as Talos builds them (masked additional prefixes plus
 * addresses as host prefixes, minus the peer's own exclusions), with the
 * refused parts removed. The peer's KubeSpan /128 is not included.
 */
export function allowedClaims(affiliate: Affiliate, policy: CompiledPolicy, reject: Reject): IPSet {
  const ks = affiliate.kubespan;
  let claims = [
    ...(ks?.additionalAddresses ?? []).map((p) => p.masked()),
    ...affiliate.addresses.map(Prefix.host),
  ];
  if (!policy.allowDefaultRoutes) claims = withoutDefaultRoutes(claims, reject);

  let set = IPSet.of(claims).remove(IPSet.of(ks?.excludedNetworks ?? []));
  // Talos lists its own KubeSpan address among its addresses; that /128 is
  // the peer's anyway, so it is not a refused claim.
  if (ks?.address) set = set.remove(ks.address);
  set = refuse(set, policy.cluster, "cluster-prefix", reject);
  set = refuse(set, policy.local, "local-address", reject);
  return refuse(set, policy.notAccepted, "not-accepted", reject);
}

/** Drops /0 claims, and every claim of a family whose claims together cover it (0.0.0.0/1 + 128.0.0.0/1). */
function withoutDefaultRoutes(claims: Prefix[], reject: Reject): Prefix[] {
  let kept = claims.filter((claim) => {
    if (claim.bits !== 0) return true;
    reject(claim.toString(), "default-route");
    return false;
  });
  for (const family of [4, 6] as const) {
    const ofFamily = kept.filter((claim) => claim.family === family);
    if (!IPSet.of(ofFamily).equals(WHOLE[family])) continue;
    reject(ofFamily.join(","), "default-route");
    kept = kept.filter((claim) => claim.family !== family);
  }
  return kept;
}

function refuse(set: IPSet, forbidden: IPSet, reason: RejectionReason, reject: Reject): IPSet {
  const hit = set.intersect(forbidden);
  if (hit.isEmpty()) return set;
  for (const prefix of hit.prefixes()) reject(prefix.toString(), reason);
  return set.remove(hit);
}
