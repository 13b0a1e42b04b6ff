// Which host addresses a node publishes (kubespan-node §4.3).
//
// Talos only sees its own, well-known links. A generic Linux host also carries
// container bridges, CNI devices and other overlays whose addresses are the
// same on many machines; publishing them would hand them to the lowest node ID
// through the overlap rule (§6.3), so they are dropped by interface name.
import type { IP, Prefix } from "../net/ip.js";

export type AddressScope = "global" | "site" | "link" | "host" | "nowhere";

/** One address as the host reports it. */
export interface HostAddress {
  ifname: string;
  /** The link is up (operstate up, or unknown with carrier). */
  up: boolean;
  address: Prefix;
  scope: AddressScope;
}

/** Interfaces whose addresses are never published (glob patterns, `*` and `?`). */
export const DEFAULT_INTERFACE_DENY_LIST: readonly string[] = Object.freeze([
  "lo",
  "kubespan",
  "docker*",
  "br-*",
  "veth*",
  "cni*",
  "flannel*",
  "cali*",
  "cilium*",
  "vxlan*",
  "kube-*",
  "tailscale*",
  "wg*",
  "zt*",
  "nebula*",
  "virbr*",
]);

export interface AddressSelectionOptions {
  /** Defaults to DEFAULT_INTERFACE_DENY_LIST. */
  denyInterfaces?: readonly string[];
  /** The KubeSpan link; its addresses come last, as in Talos. Default "kubespan". */
  kubespanInterface?: string;
  /** Pod and service CIDRs, VIPs (as host prefixes): addresses inside them are dropped. */
  excludedNetworks?: readonly Prefix[];
}

/** SideroLink management ULAs: Talos checks only bytes 0 and 7 (fd…:…03). */
export function isSideroLinkULA(ip: IP): boolean {
  return ip.family === 6 && ip.value >> 120n === 0xfdn && ((ip.value >> 64n) & 0xffn) === 0x03n;
}

/** The addresses to publish: IPv4 first, then IPv6, then the KubeSpan link's own; no duplicates. */
export function selectLocalAddresses(
  facts: readonly HostAddress[],
  options: AddressSelectionOptions = {},
): IP[] {
  const kubespanInterface = options.kubespanInterface ?? "kubespan";
  const deny = (options.denyInterfaces ?? DEFAULT_INTERFACE_DENY_LIST).map(globToRegExp);
  const excluded = options.excludedNetworks ?? [];

  const v4: IP[] = [];
  const v6: IP[] = [];
  const kubespan: IP[] = [];
  for (const fact of facts) {
    if (!isPublishable(fact)) continue;
    const ip = fact.address.ip;
    if (fact.ifname === kubespanInterface) {
      kubespan.push(ip);
      continue;
    }
    if (deny.some((re) => re.test(fact.ifname))) continue;
    if (isSideroLinkULA(ip) || excluded.some((net) => net.contains(ip))) continue;
    (ip.family === 4 ? v4 : v6).push(ip);
  }
  const out: IP[] = [];
  for (const ip of [...v4, ...v6, ...kubespan]) {
    if (!out.some((seen) => seen.equals(ip))) out.push(ip);
  }
  return out;
}

function isPublishable(fact: HostAddress): boolean {
  const ip = fact.address.ip;
  return (
    fact.up &&
    fact.scope === "global" &&
    !ip.isZero() &&
    !ip.isLoopback() &&
    !ip.isMulticast() &&
    !ip.isLinkLocal()
  );
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}
