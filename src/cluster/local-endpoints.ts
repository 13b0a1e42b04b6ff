// The endpoint list a node publishes (kubespan-node §4.4).
//
// Peers try endpoints[0] first and rotate in order (§7.5), so the order built
// here is the order in which every peer dials this node.
import { Endpoint, type IP } from "../net/ip.js";
import { type FilterRule, filterIPs } from "./filter-ips.js";
import { isSideroLinkULA } from "./local-addresses.js";

/** Talos announces every discovered IP on this port. */
export const DEFAULT_WIREGUARD_PORT = 51820;

/** The discovery service refuses a 65th distinct endpoint (discovery-protocol §6.11). */
export const MAX_LOCAL_ENDPOINTS = 64;

export interface LocalEndpointInputs {
  /** Current node addresses (cloud public addresses included), in order. */
  addresses: readonly IP[];
  /** This node's KubeSpan address: never an underlay endpoint. */
  kubespanAddress?: IP;
  /** Addresses discovery services saw this node connect from (kubespand uses at most one). */
  publicIPs?: readonly IP[];
  /** Endpoint filter rules; undefined means no filtering. */
  filters?: readonly FilterRule[];
  /** Defaults to DEFAULT_WIREGUARD_PORT. */
  port?: number;
  /** Configured `ip:port` entries, appended verbatim and never filtered. */
  extraEndpoints?: readonly Endpoint[];
}

export interface LocalEndpoints {
  /** At most MAX_LOCAL_ENDPOINTS, highest priority first. */
  endpoints: Endpoint[];
  /** Lowest-priority endpoints dropped to respect the cap, for a log line. */
  trimmed: Endpoint[];
}

export function localEndpoints(inputs: LocalEndpointInputs): LocalEndpoints {
  const port = inputs.port ?? DEFAULT_WIREGUARD_PORT;
  const ips: IP[] = [];
  const addUnique = (ip: IP) => {
    if (!ips.some((seen) => seen.equals(ip))) ips.push(ip);
  };
  for (const ip of inputs.addresses) {
    if (inputs.kubespanAddress?.equals(ip) || isSideroLinkULA(ip)) continue;
    addUnique(ip);
  }
  for (const ip of inputs.publicIPs ?? []) addUnique(ip);

  const endpoints = filterIPs(ips, inputs.filters).map((ip) => Endpoint.of(ip, port));
  for (const extra of inputs.extraEndpoints ?? []) {
    if (!endpoints.some((seen) => seen.equals(extra))) endpoints.push(extra);
  }
  return capEndpoints(endpoints);
}

/** Keeps the first `max` distinct endpoints; later ones have the lowest priority. */
export function capEndpoints(endpoints: readonly Endpoint[], max = MAX_LOCAL_ENDPOINTS): LocalEndpoints {
  const kept: Endpoint[] = [];
  const trimmed: Endpoint[] = [];
  for (const endpoint of endpoints) {
    const seen = (other: Endpoint) => other.equals(endpoint);
    if (kept.some(seen) || trimmed.some(seen)) continue;
    (kept.length < max ? kept : trimmed).push(endpoint);
  }
  return { endpoints: kept, trimmed };
}
