// Peer specs and their allowed IPs (kubespan-node §6).
//
// Interop rests on one rule: peers are walked in byte-wise ascending node-ID
// order and an address claimed by several peers goes to the earliest one.
// Every node must pick the same winner, or two nodes route the same prefix to
// different peers. The claim policy (claim-policy.ts) is applied per peer
// before overlaps are resolved, so a refused claim never takes anything away
// from a later peer.
import type { Affiliate } from "../cluster/affiliate.js";
import { compareUtf8 } from "../cluster/order.js";
import { type Endpoint, type IP, Prefix } from "../net/ip.js";
import { ClaimIndex } from "./claim-index.js";
import {
  allowedClaims,
  type ClaimPolicy,
  type CompiledPolicy,
  compilePolicy,
  type Reject,
  type Rejection,
} from "./claim-policy.js";

export type { ClaimPolicy, Rejection, RejectionReason } from "./claim-policy.js";

export interface PeerSpec {
  /** WireGuard public key, standard base64. */
  publicKey: string;
  nodeId: string;
  /** The peer's node name. */
  label: string;
  /** The peer's KubeSpan address. */
  address: IP;
  /** Minimal CIDR cover, IPv4 first, ascending. */
  allowedIPs: Prefix[];
  /** The peer's endpoints in its priority order. */
  endpoints: Endpoint[];
}

export interface PeerSpecs {
  /** Sorted by public key. */
  specs: PeerSpec[];
  /** In node-ID order, as found. */
  rejections: Rejection[];
}

export function computePeerSpecs(
  affiliates: readonly Affiliate[],
  localNodeId: string,
  policy: ClaimPolicy,
): PeerSpecs {
  const compiled = compilePolicy(policy);
  const owners = new ClaimIndex();
  const keyOwners = new Map<string, string>();
  const specs: PeerSpec[] = [];
  const rejections: Rejection[] = [];

  for (const affiliate of [...affiliates].sort((a, b) => compareUtf8(a.nodeId, b.nodeId))) {
    const ks = affiliate.kubespan;
    if (affiliate.nodeId === localNodeId || !ks || ks.publicKey === "") continue;
    const reject: Reject = (claim, reason, winner) =>
      rejections.push({
        nodeId: affiliate.nodeId,
        label: affiliate.nodename,
        claim,
        reason,
        ...(winner === undefined ? {} : { winner }),
      });

    const address = usablePeerAddress(affiliate, compiled, keyOwners, reject);
    if (!address) continue;
    keyOwners.set(ks.publicKey, affiliate.nodeId);

    let set = allowedClaims(affiliate, compiled, reject).add(address);
    for (const [winner, taken] of owners.ownersOf(set)) {
      for (const prefix of taken.prefixes()) reject(prefix.toString(), "overlap", winner);
      set = set.remove(taken);
    }
    owners.claim(affiliate.nodeId, set);
    specs.push({
      publicKey: ks.publicKey,
      nodeId: affiliate.nodeId,
      label: affiliate.nodename,
      address,
      allowedIPs: set.prefixes(),
      endpoints: [...ks.endpoints],
    });
  }
  specs.sort((a, b) => compareUtf8(a.publicKey, b.publicKey));
  return { specs, rejections };
}

/** True for standard, canonical base64 of exactly 32 bytes (a WireGuard key). */
export function isValidPublicKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(key) && Buffer.from(key, "base64").toString("base64") === key;
}

/**
 * The peer's KubeSpan address, or undefined when the whole peer must be
 * skipped. Talos skips only invalid records; the other checks are ours and
 * keep a misconfigured or hostile peer from being programmed at all.
 */
function usablePeerAddress(
  affiliate: Affiliate,
  policy: CompiledPolicy,
  keyOwners: ReadonlyMap<string, string>,
  reject: Reject,
): IP | undefined {
  const ks = affiliate.kubespan!;
  if (affiliate.invalid.length > 0) {
    for (const reason of affiliate.invalid) reject(reason, "invalid-affiliate");
    return undefined;
  }
  if (!isValidPublicKey(ks.publicKey)) {
    reject(ks.publicKey.slice(0, 64), "invalid-public-key");
    return undefined;
  }
  const address = ks.address;
  if (!address) {
    reject("missing KubeSpan address", "invalid-affiliate");
    return undefined;
  }
  if (!policy.cluster.contains(address)) {
    reject(Prefix.host(address).toString(), "address-outside-cluster");
    return undefined;
  }
  if (policy.local.contains(address)) {
    reject(Prefix.host(address).toString(), "local-address");
    return undefined;
  }
  const keyOwner = keyOwners.get(ks.publicKey);
  if (keyOwner !== undefined) {
    reject(ks.publicKey, "duplicate-public-key", keyOwner);
    return undefined;
  }
  return address;
}
