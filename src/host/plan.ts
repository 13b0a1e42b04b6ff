// The desired host state (spec §10) and the settings it is built from. Every
// value is configurable; the defaults are the Talos ones.
import { type Endpoint, IP, Prefix } from "../net/ip.js";
import type { NftPlan } from "./nftables.js";
import type { RouteSpec, RuleSpec } from "./rtnl/types.js";
import type { BackendMode } from "./wireguard/select.js";
import type { DesiredDevice, DesiredPeer } from "./wireguard/types.js";

export interface Marks {
  /** Set by WireGuard on its own encrypted UDP packets. */
  wireguard: number;
  /** "Route via KubeSpan": set by nftables, matched by the rules. */
  route: number;
  /** The bits this project owns in the packet mark. */
  mask: number;
}

export type RpFilterMode = "ignore" | "warn" | "fix";

export interface HostSettings {
  linkName: string;
  listenPort: number;
  mtu: number;
  marks: Marks;
  routingTable: number;
  rulePriority: number;
  routeMetric: number;
  keepaliveSeconds: number;
  nftTable: string;
  /** Also clamp the MSS of forwarded, marked traffic (spec §14). */
  clampForwarded: boolean;
  backend: BackendMode;
  userspaceBinary: string;
  socketDir: string;
  userspaceStartTimeoutMs: number;
  rpFilter: RpFilterMode;
  /** Interfaces whose rp_filter is checked with the link; "auto" = those with a default route. */
  uplinks: "auto" | string[];
}

export const DEFAULT_HOST_SETTINGS: Readonly<HostSettings> = Object.freeze({
  linkName: "kubespan",
  listenPort: 51820,
  mtu: 1420,
  marks: Object.freeze({ wireguard: 0x20, route: 0x40, mask: 0x60 }),
  routingTable: 180,
  rulePriority: 32500,
  routeMetric: 1,
  keepaliveSeconds: 25,
  nftTable: "kubespan",
  clampForwarded: true,
  backend: "auto",
  userspaceBinary: "wireguard-go",
  socketDir: "/var/run/wireguard",
  userspaceStartTimeoutMs: 10_000,
  rpFilter: "warn",
  uplinks: "auto",
});

export interface HostPlan {
  link: { name: string; mtu: number };
  /** The node's KubeSpan address with length 64. */
  address: Prefix;
  wireguard: DesiredDevice;
  device: {
    mode: BackendMode;
    userspaceBinary: string;
    socketDir: string;
    startTimeoutMs: number;
  };
  routes: RouteSpec[];
  rules: RuleSpec[];
  nftables: NftPlan;
  rpFilter: { mode: RpFilterMode; uplinks: "auto" | string[] };
}

export interface PlannedPeer {
  publicKey: string;
  endpoint: Endpoint | undefined;
  allowedIPs: Prefix[];
}

export interface HostPlanInput {
  privateKey: string;
  /** The cluster secret, used as every peer's preshared key. */
  presharedKey: string;
  /** The node's KubeSpan ULA address. */
  address: IP;
  peers: PlannedPeer[];
  /** Destinations marked into the tunnel: the routed set of spec §8. */
  routed: Prefix[];
}

export function buildHostPlan(settings: HostSettings, input: HostPlanInput): HostPlan {
  const peers: DesiredPeer[] = input.peers.map((p) => ({
    publicKey: p.publicKey,
    presharedKey: input.presharedKey,
    endpoint: p.endpoint,
    keepaliveSeconds: settings.keepaliveSeconds,
    allowedIPs: p.allowedIPs,
  }));
  const defaults = [Prefix.of(IP.v4(0n), 0), Prefix.of(IP.v6(0n), 0)];
  return {
    link: { name: settings.linkName, mtu: settings.mtu },
    address: Prefix.of(input.address, 64),
    wireguard: {
      privateKey: input.privateKey,
      listenPort: settings.listenPort,
      fwmark: settings.marks.wireguard,
      peers,
    },
    device: {
      mode: settings.backend,
      userspaceBinary: settings.userspaceBinary,
      socketDir: settings.socketDir,
      startTimeoutMs: settings.userspaceStartTimeoutMs,
    },
    routes: defaults.map((dst) => ({
      dst,
      table: settings.routingTable,
      metric: settings.routeMetric,
      mtu: settings.mtu,
    })),
    rules: ([4, 6] as const).map((family) => ({
      family,
      priority: settings.rulePriority,
      table: settings.routingTable,
      fwmark: settings.marks.route,
      fwmask: settings.marks.mask,
    })),
    nftables: {
      table: settings.nftTable,
      dst4: input.routed.filter((p) => p.family === 4),
      dst6: input.routed.filter((p) => p.family === 6),
      mtu: settings.mtu,
      marks: { ...settings.marks },
      clampForwarded: settings.clampForwarded,
    },
    rpFilter: {
      mode: settings.rpFilter,
      uplinks: settings.uplinks === "auto" ? "auto" : [...settings.uplinks],
    },
  };
}
