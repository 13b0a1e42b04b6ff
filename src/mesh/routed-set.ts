// The destinations forced into the tunnel by nftables (kubespan-node §8).
//
// WireGuard keeps every peer's allowed IPs whatever its state; this set only
// decides which traffic the firewall marks for table 180. KubeSpan addresses
// never need the mark: the connected /64 on the KubeSpan link reaches them.
import type { Prefix } from "../net/ip.js";
import { IPSet } from "../net/ipset.js";
import type { PeerSpec } from "./peer-spec.js";
import type { PeerState } from "./peer-state.js";

/**
 * The union of the selected peers' allowed IPs minus this cluster's /64.
 * Without bypass every peer is selected, so traffic to a down peer is
 * blackholed rather than sent in clear; with bypass only peers that are up
 * are. Recompute on every state change.
 */
export function routedPrefixes(
  specs: readonly PeerSpec[],
  states: ReadonlyMap<string, { state: PeerState }>,
  allowDownPeerBypass: boolean,
  clusterPrefix: Prefix,
): Prefix[] {
  const selected = allowDownPeerBypass
    ? specs.filter((spec) => states.get(spec.publicKey)?.state === "up")
    : specs;
  return IPSet.of(selected.flatMap((spec) => spec.allowedIPs))
    .remove(clusterPrefix)
    .prefixes();
}
