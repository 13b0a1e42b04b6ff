// What the local API serves, as the daemon sees it. The daemon implements
// this interface over its live state; tests use a fake. Every getter returns
// a snapshot in the generated message types so the API layer only encodes.
import type {
  Affiliate,
  EndpointRecord,
  Identity,
  Member,
  PeerSpec,
  PeerStatus,
  Status,
} from "../gen/kubespan/v1/api.js";

export interface ApiSource {
  status(): Status;
  identity(): Identity;
  /** Merged affiliates, or with `raw` the per-registry records they were merged from. */
  affiliates(raw: boolean): Affiliate[];
  members(): Member[];
  peerSpecs(): PeerSpec[];
  peerStatuses(): PeerStatus[];
  endpoints(): EndpointRecord[];
  /** Calls `listener` after any change to what the getters return; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Deletes the local affiliate from every discovery service and tears the mesh down. */
  leave(): Promise<void>;
}
