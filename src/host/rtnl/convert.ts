// Pure conversions between rtnetlink messages (as the `netlink` package parses
// them) and the states of types.ts.
import type { rt } from "netlink";
import { AttrStream, getString, getU32, parseAttributes, putString, putU32 } from "netlink";
import { type Family, IP, Prefix } from "../../net/ip.js";
import type { AddressState, LinkState, RouteState, RuleState } from "./types.js";

export const AF_INET = 2;
export const AF_INET6 = 10;
/** Table ids above 255 do not fit the header byte, which then says RT_TABLE_COMPAT. */
export const RT_TABLE_COMPAT = 252;
const IFLA_INFO_KIND = 1;

export function familyOf(af: number | undefined): Family | undefined {
  return af === AF_INET ? 4 : af === AF_INET6 ? 6 : undefined;
}

export function afOf(family: Family): number {
  return family === 4 ? AF_INET : AF_INET6;
}

export function headerTable(table: number): number {
  return table < 256 ? table : RT_TABLE_COMPAT;
}

export function linkFromMessage(msg: rt.LinkMessage): LinkState {
  return {
    index: msg.data.index ?? 0,
    name: msg.attrs.ifname ?? "",
    mtu: msg.attrs.mtu ?? 0,
    up: msg.data.flags?.up === true,
    kind: msg.attrs.linkinfo ? linkKind(msg.attrs.linkinfo) : undefined,
  };
}

/** IFLA_LINKINFO is left unparsed by the package: read its IFLA_INFO_KIND string. */
export function linkKind(linkinfo: Buffer): string | undefined {
  let kind: string | undefined;
  parseAttributes(linkinfo, (attr) => {
    if (attr.type === IFLA_INFO_KIND) kind = getString(attr.data);
  });
  return kind;
}

/** IFLA_LINKINFO holding only IFLA_INFO_KIND, for creating a link of that kind. */
export function linkInfoOfKind(kind: string): Buffer {
  const stream = new AttrStream();
  stream.push(IFLA_INFO_KIND, putString(kind));
  return Buffer.concat(stream.bufs);
}

export function addressFromMessage(msg: rt.AddressMessage): AddressState | undefined {
  const raw = msg.attrs.local ?? msg.attrs.address;
  const ip = raw ? IP.fromBytes(raw) : undefined;
  if (!ip || msg.data.prefixlen === undefined) return undefined;
  return {
    linkIndex: msg.data.index ?? 0,
    prefix: Prefix.of(ip, msg.data.prefixlen),
    scope: msg.data.scope ?? 0,
  };
}

export function routeFromMessage(msg: rt.RouteMessage): RouteState | undefined {
  const family = familyOf(msg.data.family);
  if (family === undefined) return undefined;
  const dstIP = msg.attrs.dst ? IP.fromBytes(msg.attrs.dst) : IP.of(family, 0n);
  if (!dstIP) return undefined;
  return {
    dst: Prefix.of(dstIP, msg.data.dstLen ?? 0),
    table: msg.attrs.table ?? msg.data.table ?? 0,
    metric: msg.attrs.priority ?? 0,
    mtu: msg.attrs.metrics?.mtu ? getU32(msg.attrs.metrics.mtu) : 0,
    oif: msg.attrs.oif ?? 0,
    protocol: String(msg.data.protocol ?? ""),
    type: String(msg.data.type ?? ""),
  };
}

export function routeMetrics(mtu: number): rt.RouteMetrics | undefined {
  return mtu > 0 ? { mtu: putU32(mtu) } : undefined;
}

export function ruleFromMessage(msg: rt.RuleMessage): RuleState | undefined {
  const family = familyOf(msg.data.family);
  if (family === undefined) return undefined;
  const a = msg.attrs;
  const hasSelectors =
    (msg.data.srcLen ?? 0) > 0 ||
    (msg.data.dstLen ?? 0) > 0 ||
    (msg.data.tos ?? 0) > 0 ||
    msg.data.flags?.invert === true ||
    [a.iifname, a.oifname, a.uidRange, a.ipProto, a.sportRange, a.dportRange, a.l3Mdev].some(
      (x) => x !== undefined,
    ) ||
    suppresses(a.suppressPrefixlen);
  return {
    family,
    // The local-table rule at priority 0 carries no FRA_PRIORITY attribute.
    priority: a.priority ?? 0,
    table: a.table ?? msg.data.table ?? 0,
    fwmark: a.fwmark ?? 0,
    fwmask: a.fwmask ?? (a.fwmark !== undefined ? 0xffffffff : 0),
    action: String(msg.data.action ?? ""),
    hasSelectors,
  };
}

/** The kernel reports suppress_prefixlen on every rule; -1 (0xffffffff) means "not set". */
function suppresses(raw: Buffer | undefined): boolean {
  return raw !== undefined && raw.length === 4 && getU32(raw) !== 0xffffffff;
}
