// Which peer owns an address: peers' allowed IPs are disjoint after overlap
// resolution, so a sorted list of ranges answers with a binary search. Used to
// refuse a candidate endpoint that only another peer's tunnel can reach
// (tunnel-in-tunnel). A peer's own addresses are its normal endpoints: its
// WireGuard packets carry the WireGuard mark and skip the KubeSpan table.
import type { IP } from "../net/ip.js";
import type { PeerSpec } from "./peer-spec.js";

interface Owned {
  first: bigint;
  last: bigint;
  owner: string;
}

export class PrefixOwners {
  private readonly byFamily: Record<4 | 6, Owned[]> = { 4: [], 6: [] };

  constructor(specs: readonly PeerSpec[]) {
    for (const spec of specs) {
      for (const prefix of spec.allowedIPs) {
        this.byFamily[prefix.family].push({
          first: prefix.first(),
          last: prefix.last(),
          owner: spec.publicKey,
        });
      }
    }
    for (const list of Object.values(this.byFamily)) list.sort((a, b) => (a.first < b.first ? -1 : 1));
  }

  /** The public key of the peer whose allowed IPs hold `ip`, if any. */
  ownerOf(ip: IP): string | undefined {
    const list = this.byFamily[ip.family];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = list[mid]!;
      if (ip.value < r.first) hi = mid - 1;
      else if (ip.value > r.last) lo = mid + 1;
      else return r.owner;
    }
    return undefined;
  }
}
