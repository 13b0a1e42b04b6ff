// The routing objects this project reads and writes, in a form independent of
// netlink attribute layouts.
import type { Family, Prefix } from "../../net/ip.js";

export interface LinkState {
  index: number;
  name: string;
  mtu: number;
  up: boolean;
  /** IFLA_INFO_KIND ("wireguard", "tun", "veth" …); undefined for devices without one. */
  kind: string | undefined;
}

export interface AddressState {
  linkIndex: number;
  /** The address with its prefix length (host bits kept). */
  prefix: Prefix;
  /** 0 = global; 253 = link. */
  scope: number;
}

export interface RouteSpec {
  dst: Prefix;
  table: number;
  /** The route's priority (metric). */
  metric: number;
  /** RTAX_MTU; 0 = none. */
  mtu: number;
}

export interface RouteState extends RouteSpec {
  /** Output link index; 0 when the route has none (blackhole, multipath …). */
  oif: number;
  protocol: string;
  type: string;
}

export interface RuleSpec {
  family: Family;
  priority: number;
  table: number;
  fwmark: number;
  fwmask: number;
}

export interface RuleState extends RuleSpec {
  /** "toTbl", "goto", "blackhole" … */
  action: string;
  /** The rule also matches on something else: source, destination, interface, tos, uid, port … */
  hasSelectors: boolean;
}
