// The validated daemon configuration. Every field is filled in (defaults
// applied) and already parsed into its domain type; the object is frozen.
import type { Endpoint, Prefix } from "../net/ip.js";
import type { DiscoveryTarget } from "./discovery-url.js";
import type { Secret } from "./secret.js";

export type NodeMachineType = "controlplane" | "worker" | "init";
export type WireGuardBackend = "auto" | "kernel" | "userspace";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

export interface DiscoveryEndpoint extends DiscoveryTarget {
  /** The URL as written in the file. */
  readonly url: string;
}

export interface Config {
  readonly clusterID: string;
  readonly clusterSecret: Secret;
  readonly discovery: {
    readonly endpoints: readonly DiscoveryEndpoint[];
    readonly caFile: string | undefined;
    readonly deleteOnStop: boolean;
  };
  readonly node: {
    readonly nodename: string;
    readonly machineType: NodeMachineType;
    readonly apiServerPort: number | undefined;
    readonly podCIDRs: readonly Prefix[];
    readonly serviceCIDRs: readonly Prefix[];
    readonly excludeAddresses: readonly Prefix[];
    readonly interfaceDenyList: readonly string[];
  };
  readonly kubespan: {
    readonly enabled: boolean;
    readonly interface: string;
    readonly port: number;
    readonly mtu: number;
    readonly advertiseKubernetesNetworks: boolean;
    readonly allowDownPeerBypass: boolean;
    readonly harvestExtraEndpoints: boolean;
    readonly persistentKeepaliveSeconds: number;
    readonly firewallMark: number;
    readonly routeMark: number;
    readonly markMask: number;
    readonly table: number;
    readonly rulePriority: number;
    /** undefined: any prefix a peer claims is accepted. */
    readonly acceptedNetworks: readonly Prefix[] | undefined;
    readonly allowDefaultRoutes: boolean;
    readonly filters: {
      /** FilterIPs rules; undefined means no filtering, [] means publish nothing. */
      readonly endpoints: readonly string[] | undefined;
      /** FilterIPs rules for endpoints received from peers; undefined means no filtering. */
      readonly peerEndpoints: readonly string[] | undefined;
      readonly excludeAdvertisedNetworks: readonly Prefix[];
    };
    readonly extraAnnouncedEndpoints: readonly Endpoint[];
    readonly fixRpFilter: boolean;
    readonly wireguard: {
      readonly backend: WireGuardBackend;
      readonly userspaceBinary: string;
    };
  };
  readonly stateDir: string;
  readonly api: { readonly socket: string };
  /** undefined when metrics are disabled (address ""). */
  readonly metrics: { readonly address: Endpoint | undefined };
  readonly log: { readonly level: LogLevel };
}

/**
 * The file's content after schema validation and defaults, before parsing
 * into domain types. Only the schema guarantees this shape.
 */
export interface RawConfig {
  clusterID: string;
  clusterSecret?: string;
  clusterSecretFile?: string;
  discovery: { endpoints: string[]; caFile?: string; deleteOnStop: boolean };
  node: {
    nodename?: string;
    machineType: NodeMachineType;
    apiServerPort?: number;
    podCIDRs: string[];
    serviceCIDRs: string[];
    excludeAddresses: string[];
    interfaceDenyList: string[];
  };
  kubespan: {
    enabled: boolean;
    interface: string;
    port: number;
    mtu: number;
    advertiseKubernetesNetworks: boolean;
    allowDownPeerBypass: boolean;
    harvestExtraEndpoints: boolean;
    persistentKeepalive: number | string;
    firewallMark: number | string;
    routeMark: number | string;
    markMask: number | string;
    table: number;
    rulePriority: number;
    acceptedNetworks?: string[];
    allowDefaultRoutes: boolean;
    filters: { endpoints?: string[]; peerEndpoints?: string[]; excludeAdvertisedNetworks: string[] };
    extraAnnouncedEndpoints: string[];
    fixRpFilter: boolean;
    wireguard: { backend: WireGuardBackend; userspaceBinary: string };
  };
  stateDir: string;
  api: { socket: string };
  metrics: { address: string };
  log: { level: LogLevel };
}
