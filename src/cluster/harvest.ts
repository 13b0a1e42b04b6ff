// Observed endpoints ("harvest", kubespan-node §9): for every peer that is up,
// the endpoint WireGuard actually sees is reported under that peer's
// affiliate ID, but only when the peer's list does not already hold it. On a
// flat network that costs nothing; only NAT mappings travel. Once reported, an
// endpoint keeps being reported while the peer stays up on it: it is then in
// the list too, and dropping it would make our published data flip back and
// forth (every flip fans out to every node).
import type { Endpoint } from "../net/ip.js";
import type { Affiliate } from "./affiliate.js";

export interface ObservedPeer {
  publicKey: string;
  state: "up" | "down" | "unknown";
  endpoint: Endpoint | undefined;
}

export interface HarvestReport {
  affiliateId: string;
  endpoints: Endpoint[];
}

export function harvestReports(
  peers: readonly ObservedPeer[],
  affiliates: readonly Affiliate[],
  previous: readonly HarvestReport[] = [],
): HarvestReport[] {
  const byKey = new Map<string, Affiliate>();
  for (const a of affiliates) if (a.kubespan?.publicKey) byKey.set(a.kubespan.publicKey, a);
  const reported = new Map(previous.map((r) => [r.affiliateId, r.endpoints]));
  const reports: HarvestReport[] = [];
  for (const peer of peers) {
    if (peer.state !== "up" || !peer.endpoint || peer.endpoint.ip.isZero()) continue;
    const affiliate = byKey.get(peer.publicKey);
    if (!affiliate?.kubespan) continue;
    const seen = peer.endpoint;
    const known = affiliate.kubespan.endpoints.some((e) => e.equals(seen));
    const ours = reported.get(affiliate.nodeId)?.some((e) => e.equals(seen)) ?? false;
    if (known && !ours) continue;
    reports.push({ affiliateId: affiliate.nodeId, endpoints: [seen] });
  }
  return reports.sort((a, b) => (a.affiliateId < b.affiliateId ? -1 : a.affiliateId > b.affiliateId ? 1 : 0));
}
