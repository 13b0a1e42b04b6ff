// RawConfig (validated text) → Config (domain types, frozen). Everything
// here was validated before, so the parsers below cannot fail.
import { Endpoint, Prefix } from "../net/ip.js";
import { markValue } from "./cross-checks.js";
import { normalizeDiscoveryEndpoint } from "./discovery-url.js";
import { parseGoDuration } from "./duration.js";
import type { Secret } from "./secret.js";
import type { Config, RawConfig } from "./types.js";

/** Talos's default node name: the lowercased hostname, here without the domain. */
export function defaultNodeName(hostname: string): string {
  return (hostname.split(".")[0] ?? "").toLowerCase();
}

export function buildConfig(raw: RawConfig, clusterSecret: Secret, nodename: string): Config {
  const ks = raw.kubespan;
  const prefixes = (list: readonly string[]) => list.map((text) => Prefix.parse(text));
  const config: Config = {
    clusterID: raw.clusterID,
    clusterSecret,
    discovery: {
      endpoints: raw.discovery.endpoints.map((url) => ({ url, ...normalizeDiscoveryEndpoint(url) })),
      caFile: raw.discovery.caFile,
      deleteOnStop: raw.discovery.deleteOnStop,
    },
    node: {
      nodename,
      machineType: raw.node.machineType,
      apiServerPort: raw.node.apiServerPort,
      podCIDRs: prefixes(raw.node.podCIDRs),
      serviceCIDRs: prefixes(raw.node.serviceCIDRs),
      excludeAddresses: prefixes(raw.node.excludeAddresses),
      interfaceDenyList: [...raw.node.interfaceDenyList],
    },
    kubespan: {
      enabled: ks.enabled,
      interface: ks.interface,
      port: ks.port,
      mtu: ks.mtu,
      advertiseKubernetesNetworks: ks.advertiseKubernetesNetworks,
      allowDownPeerBypass: ks.allowDownPeerBypass,
      harvestExtraEndpoints: ks.harvestExtraEndpoints,
      persistentKeepaliveSeconds: keepaliveSeconds(ks.persistentKeepalive),
      firewallMark: markValue(ks.firewallMark),
      routeMark: markValue(ks.routeMark),
      markMask: markValue(ks.markMask),
      table: ks.table,
      rulePriority: ks.rulePriority,
      acceptedNetworks: ks.acceptedNetworks && prefixes(ks.acceptedNetworks),
      allowDefaultRoutes: ks.allowDefaultRoutes,
      filters: {
        endpoints: ks.filters.endpoints && [...ks.filters.endpoints],
        peerEndpoints: ks.filters.peerEndpoints && [...ks.filters.peerEndpoints],
        excludeAdvertisedNetworks: prefixes(ks.filters.excludeAdvertisedNetworks),
      },
      extraAnnouncedEndpoints: ks.extraAnnouncedEndpoints.map((text) => Endpoint.parse(text)),
      fixRpFilter: ks.fixRpFilter,
      wireguard: { ...ks.wireguard },
    },
    stateDir: raw.stateDir,
    api: { socket: raw.api.socket },
    metrics: { address: raw.metrics.address === "" ? undefined : Endpoint.parse(raw.metrics.address) },
    log: { level: raw.log.level },
  };
  return deepFreeze(config);
}

function keepaliveSeconds(value: number | string): number {
  return typeof value === "number" ? value : (parseGoDuration(value) as number) / 1000;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
