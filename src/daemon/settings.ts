// Derives what each layer needs from the validated configuration. Pure.
import { type FilterRule, filterIPs, parseFilterRules } from "../cluster/filter-ips.js";
import type { Config } from "../config/index.js";
import { DEFAULT_HOST_SETTINGS, type HostSettings } from "../host/plan.js";
import type { ClaimPolicy } from "../mesh/claim-policy.js";
import type { IP, Prefix } from "../net/ip.js";

export function hostSettings(config: Config): HostSettings {
  const ks = config.kubespan;
  return {
    ...DEFAULT_HOST_SETTINGS,
    linkName: ks.interface,
    listenPort: ks.port,
    mtu: ks.mtu,
    marks: { wireguard: ks.firewallMark, route: ks.routeMark, mask: ks.markMask },
    routingTable: ks.table,
    rulePriority: ks.rulePriority,
    keepaliveSeconds: ks.persistentKeepaliveSeconds,
    backend: ks.wireguard.backend,
    userspaceBinary: ks.wireguard.userspaceBinary,
    rpFilter: ks.fixRpFilter ? "fix" : "warn",
  };
}

export function claimPolicy(
  config: Config,
  clusterPrefix: Prefix,
  localAddresses: readonly IP[],
): ClaimPolicy {
  return {
    clusterPrefix,
    localAddresses,
    allowDefaultRoutes: config.kubespan.allowDefaultRoutes,
    ...(config.kubespan.acceptedNetworks ? { acceptedNetworks: config.kubespan.acceptedNetworks } : {}),
  };
}

/** Networks whose addresses are never published: pod and service CIDRs and VIPs. */
export function excludedFromPublishing(config: Config): Prefix[] {
  return [...config.node.podCIDRs, ...config.node.serviceCIDRs, ...config.node.excludeAddresses];
}

export function endpointFilterRules(config: Config): FilterRule[] | undefined {
  const rules = config.kubespan.filters.endpoints;
  return rules === undefined ? undefined : parseFilterRules(rules);
}

/** The node-local filter on peers' endpoints (Talos `filters.peerEndpoints`), FilterIPs semantics. */
export function peerEndpointsFilter(config: Config): ((ips: readonly IP[]) => readonly IP[]) | undefined {
  const rules = config.kubespan.filters.peerEndpoints;
  if (rules === undefined) return undefined;
  const parsed = parseFilterRules(rules);
  return (ips) => filterIPs(ips, parsed);
}
