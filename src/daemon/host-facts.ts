// The host's addresses as the affiliate builder needs them, read through
// rtnetlink, and a subscription to link and address events so a changed
// address is republished within a second.
import { createRtNetlink, type RtNetlinkSocket } from "netlink";
import type { AddressScope, HostAddress } from "../cluster/local-addresses.js";
import { addressFromMessage, linkFromMessage } from "../host/rtnl/convert.js";

const TIMEOUT = { timeout: 10_000 };

export function scopeName(scope: number): AddressScope {
  if (scope === 0) return "global";
  if (scope === 200) return "site";
  if (scope === 253) return "link";
  if (scope === 254) return "host";
  return "nowhere";
}

export async function readHostAddresses(socket: RtNetlinkSocket): Promise<HostAddress[]> {
  // Sequential on purpose: two dumps in flight on one socket interleave their
  // multipart replies, which the netlink package cannot tell apart.
  const links = await socket.getLinks(undefined, undefined, TIMEOUT);
  const addresses = await socket.getAddresses(undefined, undefined, TIMEOUT);
  const byIndex = new Map(
    links.map((m) => {
      const link = linkFromMessage(m);
      // Admin up and operationally running (carrier), like Talos's "up" links.
      const running = m.data.flags?.running === true;
      return [link.index, { name: link.name, up: link.up && running }] as const;
    }),
  );
  const out: HostAddress[] = [];
  for (const message of addresses) {
    const address = addressFromMessage(message);
    const link = address ? byIndex.get(address.linkIndex) : undefined;
    if (!address || !link) continue;
    out.push({ ifname: link.name, up: link.up, address: address.prefix, scope: scopeName(address.scope) });
  }
  return out;
}

/** Reads addresses on demand and calls `onChange` (debounced) after link or address events. */
export class HostFacts {
  private readonly query: RtNetlinkSocket = createRtNetlink();
  private events: RtNetlinkSocket | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onChange: () => void,
    private readonly debounceMs = 250,
  ) {}

  watch(): void {
    const events = createRtNetlink();
    for (const group of ["LINK", "IPV4_IFADDR", "IPV6_IFADDR"] as const) events.addMembership(group);
    events.on("message", () => {
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.onChange();
      }, this.debounceMs);
    });
    this.events = events;
  }

  addresses(): Promise<HostAddress[]> {
    return readHostAddresses(this.query);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.events?.socket.close();
    this.query.socket.close();
  }
}
