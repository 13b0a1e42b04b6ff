// The local API's view of a running daemon (src/api/source.ts).
import type { ApiSource } from "../api/source.js";
import type { Status } from "../gen/kubespan/v1/api.js";
import { VERSION } from "../version.js";
import {
  affiliateMessage,
  discoveryMessage,
  endpointRecords,
  identityMessage,
  memberMessage,
  peerSpecMessage,
  peerStatusMessage,
  rawAffiliateMessages,
  rejectionMessage,
} from "./api-view.js";
import type { Daemon } from "./daemon.js";

export function daemonApiSource(daemon: Daemon): ApiSource {
  const peerStatuses = () => {
    const specs = new Map((daemon.last?.specs ?? []).map((s) => [s.publicKey, s]));
    return [...daemon.peerTrackers().values()].map((t) => peerStatusMessage(t, specs.get(t.publicKey)));
  };
  return {
    status(): Status {
      const loop = daemon.loop.status();
      return {
        identity: identityMessage(daemon.identity),
        discovery: daemon.discoveryStatuses().map(discoveryMessage),
        backend: daemon.lastApply?.backend.kind ?? "",
        backendReason: daemon.lastApply?.backend.reason ?? "",
        interface: daemon.currentConfig.kubespan.interface,
        peers: peerStatuses(),
        reconcileError: loop.lastError,
        lastReconcileAt: loop.lastPassAt,
        rejections: (daemon.last?.rejections ?? []).map(rejectionMessage),
        version: VERSION,
      };
    },
    identity: () => identityMessage(daemon.identity),
    affiliates: (raw) =>
      raw
        ? rawAffiliateMessages(daemon.rawRecords())
        : (daemon.last?.merged ?? []).map((a) => affiliateMessage(a, a.nodeId, a.sources.join(","))),
    members: () => daemon.membersList().map(memberMessage),
    peerSpecs: () => (daemon.last?.specs ?? []).map(peerSpecMessage),
    peerStatuses,
    endpoints: () =>
      endpointRecords(
        daemon.last?.merged ?? [],
        new Map((daemon.last?.harvest ?? []).map((h) => [h.affiliateId, h.endpoints.map(String)])),
      ),
    onChange(listener) {
      daemon.on("change", listener);
      return () => daemon.off("change", listener);
    },
    leave: () => daemon.leave(),
  };
}
