// The decoded, domain-level view of an affiliate (Talos "AffiliateSpec").
//
// Wire decoding (src/discovery/codec.ts) produces these; the registry merge,
// members and peer specs consume them. Values Talos would reject when it
// builds its IP set (a zero address, an empty or invalid KubeSpan address, a
// prefix wider than its family) are not dropped: they are recorded in
// `invalid`, because Talos skips the whole peer for them and overlap
// resolution must match Talos (kubespan-node spec §4.7, §6.2).
import type { Endpoint, IP, Prefix } from "../net/ip.js";

export type MachineType = "controlplane" | "worker" | "init" | "unknown";

export interface KubeSpanInfo {
  /** WireGuard public key, standard base64 (44 characters); "" when absent. */
  publicKey: string;
  /** KubeSpan /128; undefined when empty or invalid (then `invalid` says why). */
  address: IP | undefined;
  additionalAddresses: Prefix[];
  /** Prefixes this peer asks others to subtract from its allowed IPs. */
  excludedNetworks: Prefix[];
  /** Endpoints in priority order: advertised first, then harvested. */
  endpoints: Endpoint[];
}

export interface Affiliate {
  nodeId: string;
  addresses: IP[];
  hostname: string;
  nodename: string;
  machineType: MachineType;
  operatingSystem: string;
  kubespan: KubeSpanInfo | undefined;
  controlPlane: { apiServerPort: number } | undefined;
  /** Reasons Talos would refuse to build this node's IP set (see file comment). */
  invalid: string[];
}

/** Receivers map "", "worker" and "join" to worker; other unknown strings to unknown. */
export function parseMachineType(text: string): MachineType {
  switch (text) {
    case "":
    case "worker":
    case "join":
      return "worker";
    case "controlplane":
    case "init":
      return text;
    default:
      return "unknown";
  }
}

export function emptyAffiliate(nodeId: string): Affiliate {
  return {
    nodeId,
    addresses: [],
    hostname: "",
    nodename: "",
    machineType: "unknown",
    operatingSystem: "",
    kubespan: undefined,
    controlPlane: undefined,
    invalid: [],
  };
}
