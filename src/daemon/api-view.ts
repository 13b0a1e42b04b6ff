// Domain state → the kubespan.v1 messages kubespanctl reads. Pure.
import type { Affiliate as DomainAffiliate } from "../cluster/affiliate.js";
import type { Member as DomainMember } from "../cluster/members.js";
import type { RawAffiliate } from "../cluster/merge.js";
import type { ClientStatus } from "../discovery/client.js";
import type {
  Affiliate,
  DiscoveryService,
  EndpointRecord,
  Identity,
  Member,
  PeerSpec,
  PeerStatus,
  Rejection,
} from "../gen/kubespan/v1/api.js";
import type { Identity as DomainIdentity } from "../identity/identity.js";
import type { PeerSpec as DomainPeerSpec, Rejection as DomainRejection } from "../mesh/peer-spec.js";
import type { PeerTracker } from "../mesh/peer-tracker.js";

export function identityMessage(identity: DomainIdentity): Identity {
  return {
    nodeId: identity.nodeId,
    publicKey: identity.publicKey,
    address: identity.address.toString(),
    subnet: identity.subnet.toString(),
    macSource: identity.macSource,
    machineId: identity.machineId,
  };
}

export function discoveryMessage(status: ClientStatus): DiscoveryService {
  return {
    endpoint: status.name,
    state: status.state,
    dataUpdatedAt: status.dataUpdatedAt,
    publicIp: status.publicIP?.toString() ?? "",
    lastError: status.lastError,
    affiliates: status.affiliates,
    skippedRecords: status.skippedRecords,
  };
}

export function affiliateMessage(a: DomainAffiliate, id: string, source: string): Affiliate {
  return {
    id,
    nodeId: a.nodeId,
    addresses: a.addresses.map(String),
    hostname: a.hostname,
    nodename: a.nodename,
    machineType: a.machineType,
    operatingSystem: a.operatingSystem,
    kubespanPublicKey: a.kubespan?.publicKey ?? "",
    kubespanAddress: a.kubespan?.address?.toString() ?? "",
    additionalAddresses: a.kubespan?.additionalAddresses.map(String) ?? [],
    endpoints: a.kubespan?.endpoints.map(String) ?? [],
    apiServerPort: a.controlPlane?.apiServerPort ?? 0,
    source,
  };
}

export function rawAffiliateMessages(raw: readonly RawAffiliate[]): Affiliate[] {
  return [...raw]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => affiliateMessage(r.affiliate, r.id, r.source));
}

export function memberMessage(m: DomainMember): Member {
  return {
    id: m.id,
    nodeId: m.nodeId,
    addresses: m.addresses.map(String),
    hostname: m.hostname,
    machineType: m.machineType,
    operatingSystem: m.operatingSystem,
    apiServerPort: m.controlPlane?.apiServerPort ?? 0,
  };
}

export function peerSpecMessage(spec: DomainPeerSpec): PeerSpec {
  return {
    publicKey: spec.publicKey,
    address: spec.address.toString(),
    allowedIps: spec.allowedIPs.map(String),
    endpoints: spec.endpoints.map(String),
    label: spec.label,
    nodeId: spec.nodeId,
  };
}

export function peerStatusMessage(tracker: PeerTracker, spec: DomainPeerSpec | undefined): PeerStatus {
  const s = tracker.status;
  return {
    publicKey: tracker.publicKey,
    label: spec?.label ?? s.label,
    state: s.state,
    endpoint: s.endpoint?.toString() ?? "",
    lastHandshakeAt: s.lastHandshakeTime ?? 0,
    receiveBytes: s.receiveBytes,
    transmitBytes: s.transmitBytes,
    lastEndpointChangeAt: s.lastEndpointChange ?? 0,
    lastUsedEndpoint: s.lastUsedEndpoint?.toString() ?? "",
    candidates: tracker.history.map((a) => ({
      endpoint: a.endpoint.toString(),
      startedAt: a.startedAt,
      endedAt: a.endedAt ?? 0,
      outcome: a.outcome,
    })),
    reason: tracker.reason,
    nodeId: spec?.nodeId ?? "",
  };
}

export function rejectionMessage(r: DomainRejection): Rejection {
  return { nodeId: r.nodeId, label: r.label, claim: r.claim, reason: r.reason, winner: r.winner ?? "" };
}

/** Every endpoint of every affiliate, marking the ones this node reported (harvested). */
export function endpointRecords(
  merged: readonly DomainAffiliate[],
  harvested: ReadonlyMap<string, readonly string[]>,
): EndpointRecord[] {
  return merged.flatMap((a) =>
    (a.kubespan?.endpoints ?? []).map((e) => ({
      affiliateId: a.nodeId,
      endpoint: e.toString(),
      source: harvested.get(a.nodeId)?.includes(e.toString()) ? "harvested" : "advertised",
    })),
  );
}
