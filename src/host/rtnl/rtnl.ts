// rtnetlink through the `netlink` package: links, addresses, routes and rules
// of the network namespace this process runs in.
import { createRtNetlink, FlagsNew, type RtNetlinkSocket, rt } from "netlink";
import type { Prefix } from "../../net/ip.js";
import {
  AF_INET,
  AF_INET6,
  addressFromMessage,
  afOf,
  headerTable,
  linkFromMessage,
  linkInfoOfKind,
  routeFromMessage,
  routeMetrics,
  ruleFromMessage,
} from "./convert.js";
import { attempt } from "./errors.js";
import type { AddressState, LinkState, RouteSpec, RouteState, RuleSpec, RuleState } from "./types.js";

const CREATE_NEW = FlagsNew.CREATE | FlagsNew.EXCL;
const TIMEOUT = { timeout: 10_000 };

export class Rtnl {
  private readonly socket: RtNetlinkSocket = createRtNetlink();

  close(): void {
    this.socket.socket.close();
  }

  async links(): Promise<LinkState[]> {
    const messages = await attempt("listing links", () =>
      this.socket.getLinks(undefined, undefined, TIMEOUT),
    );
    return messages.map(linkFromMessage);
  }

  async findLink(name: string): Promise<LinkState | undefined> {
    return (await this.links()).find((l) => l.name === name);
  }

  /** Creates a link of `kind`; the kernel answers EOPNOTSUPP when it lacks the driver. */
  async createLink(name: string, kind: string): Promise<void> {
    await attempt(`creating ${kind} link ${name}`, () =>
      this.socket.newLink(
        {},
        { ifname: name, linkinfo: linkInfoOfKind(kind) },
        { flags: CREATE_NEW, ...TIMEOUT },
      ),
    );
  }

  async deleteLink(index: number, name: string): Promise<void> {
    await attempt(`deleting link ${name}`, () => this.socket.delLink({ index }, {}, TIMEOUT));
  }

  async setLinkMtuUp(index: number, name: string, mtu: number): Promise<void> {
    await attempt(`setting ${name} up with MTU ${mtu}`, () =>
      this.socket.setLink({ index, flags: { up: true }, change: { up: true } }, { mtu }, TIMEOUT),
    );
  }

  async addresses(linkIndex: number): Promise<AddressState[]> {
    const messages = await attempt("listing addresses", () =>
      this.socket.getAddresses(undefined, undefined, TIMEOUT),
    );
    return messages.flatMap((m) => addressFromMessage(m) ?? []).filter((a) => a.linkIndex === linkIndex);
  }

  /** A permanent, global-scope address (spec §10.2). */
  async addAddress(linkIndex: number, prefix: Prefix): Promise<void> {
    await attempt(`adding address ${prefix}`, () =>
      this.socket.newAddress(
        {
          family: afOf(prefix.family),
          prefixlen: prefix.bits,
          flags: { permanent: true },
          scope: 0,
          index: linkIndex,
        },
        { address: prefix.ip.toBytes(), local: prefix.ip.toBytes() },
        { flags: CREATE_NEW, ...TIMEOUT },
      ),
    );
  }

  async deleteAddress(linkIndex: number, prefix: Prefix): Promise<void> {
    await attempt(`deleting address ${prefix}`, () =>
      this.socket.delAddress(
        { family: afOf(prefix.family), prefixlen: prefix.bits, index: linkIndex },
        { address: prefix.ip.toBytes(), local: prefix.ip.toBytes() },
        TIMEOUT,
      ),
    );
  }

  /** Routes of both families, in one table or in all. */
  async routes(table?: number): Promise<RouteState[]> {
    const out: RouteState[] = [];
    for (const family of [AF_INET, AF_INET6]) {
      const messages = await attempt("listing routes", () =>
        this.socket.getRoutes({ family }, undefined, TIMEOUT),
      );
      for (const m of messages) {
        const route = routeFromMessage(m);
        if (route && (table === undefined || route.table === table)) out.push(route);
      }
    }
    return out;
  }

  /** `<dst> dev <link> table <t> metric <m> mtu <mtu> proto static` (spec §10.3). */
  async addRoute(spec: RouteSpec, oif: number): Promise<void> {
    await attempt(`adding route ${describeRoute(spec)}`, () =>
      this.socket.newRoute(...routeMessage(spec, oif), { flags: CREATE_NEW, ...TIMEOUT }),
    );
  }

  async deleteRoute(spec: RouteSpec, oif: number): Promise<void> {
    await attempt(`deleting route ${describeRoute(spec)}`, () =>
      this.socket.delRoute(...routeMessage(spec, oif), TIMEOUT),
    );
  }

  async rules(): Promise<RuleState[]> {
    const out: RuleState[] = [];
    for (const family of [AF_INET, AF_INET6]) {
      const messages = await attempt("listing rules", () =>
        this.socket.getRules({ family }, undefined, TIMEOUT),
      );
      out.push(...messages.flatMap((m) => ruleFromMessage(m) ?? []));
    }
    return out;
  }

  /** `priority <p> fwmark <mark>/<mask> lookup <table>`, no other selector (spec §10.4). */
  async addRule(spec: RuleSpec): Promise<void> {
    await attempt(`adding rule ${describeRule(spec)}`, () =>
      this.socket.newRule(...ruleMessage(spec), { flags: CREATE_NEW, ...TIMEOUT }),
    );
  }

  async deleteRule(spec: RuleSpec): Promise<void> {
    await attempt(`deleting rule ${describeRule(spec)}`, () =>
      this.socket.delRule(...ruleMessage(spec), TIMEOUT),
    );
  }
}

export function describeRoute(spec: RouteSpec): string {
  const dst = spec.dst.bits === 0 ? `default (IPv${spec.dst.family})` : String(spec.dst);
  return `${dst} table ${spec.table} metric ${spec.metric}${spec.mtu > 0 ? ` mtu ${spec.mtu}` : ""}`;
}

export function describeRule(spec: RuleSpec): string {
  const mark = spec.fwmask === 0 ? "" : ` fwmark 0x${spec.fwmark.toString(16)}/0x${spec.fwmask.toString(16)}`;
  return `IPv${spec.family} priority ${spec.priority}${mark} lookup ${spec.table}`;
}

function routeMessage(spec: RouteSpec, oif: number): [rt.Route, rt.RouteAttrs] {
  const metrics = routeMetrics(spec.mtu);
  return [
    {
      family: afOf(spec.dst.family),
      dstLen: spec.dst.bits,
      table: headerTable(spec.table),
      protocol: rt.RouteProtocol.STATIC,
      scope: rt.RouteScope.UNIVERSE,
      type: rt.RouteType.UNICAST,
    },
    {
      ...(spec.dst.bits > 0 ? { dst: spec.dst.ip.toBytes() } : {}),
      table: spec.table,
      oif,
      priority: spec.metric,
      ...(metrics ? { metrics } : {}),
    },
  ];
}

function ruleMessage(spec: RuleSpec): [rt.Rule, rt.RuleAttrs] {
  return [
    { family: afOf(spec.family), table: headerTable(spec.table), action: rt.RuleAction.toTbl },
    { priority: spec.priority, table: spec.table, fwmark: spec.fwmark, fwmask: spec.fwmask },
  ];
}
