// A home-router namespace for the lab: one "wan" leg on the hub bridge (the
// lab's internet, where the discovery server lives) and one "lan" leg to the
// node behind it, with IPv4 forwarding and nftables masquerade on the way out.
//
// Linux masquerade keeps a flow's source port unless another flow already
// holds it, so the mapping is endpoint-independent (the same public ip:port
// for every destination) while filtering is endpoint-dependent: a packet from
// outside only gets in as the reply to something the node sent to that very
// ip:port. That is the common home-router behaviour KubeSpan's NAT traversal
// relies on: both sides dial each other's public endpoint until one
// initiation meets the hole the other side's initiation opened.
//
// Like a home router's firewall, it drops unsolicited packets addressed to
// itself. That matters for the mapping: an accepted stray initiation from the
// other NAT would be confirmed as a conntrack entry holding public port 51820,
// and the node's own flow to that peer would then be masqueraded to a random
// port its peer never learns.
import type { Lab, Netns } from "./netns.js";

export interface NatRouter {
  ns: Netns;
  /** The node-side link of the hub bridge; a hub-side veth enslaved by the caller. */
  hubSide: string;
  /** The router's public (hub) address: what the discovery server sees the node as. */
  publicIp: string;
  /** Address and gateway for the node behind it. */
  nodeIp: string;
  gateway: string;
}

export interface NatRouterOptions {
  label: string;
  hubSide: string;
  /** "10.77.0.101/24": the router's address on the hub bridge. */
  publicAddress: string;
  /** "192.168.1": the private /24 behind the router (.1 router, .2 node). */
  privateSubnet: string;
}

const MASQUERADE = (wan: string) => `table ip lab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${wan}" masquerade
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "${wan}" ct state new drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "${wan}" accept
  }
}
`;

/** Builds the router; the caller wires `node` to the router's "lan" leg with `attachBehind`. */
export async function natRouter(lab: Lab, hub: Netns, options: NatRouterOptions): Promise<NatRouter> {
  const ns = await lab.netns(options.label);
  await lab.veth(hub, options.hubSide, ns, "wan", [[], [options.publicAddress]]);
  await ns.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  await ns.run(["nft", "-f", "-"], { input: MASQUERADE("wan") });
  return {
    ns,
    hubSide: options.hubSide,
    publicIp: options.publicAddress.split("/")[0]!,
    nodeIp: `${options.privateSubnet}.2`,
    gateway: `${options.privateSubnet}.1`,
  };
}

/** Puts `node` behind the router: its "eth0" on the router's LAN, default route through it. */
export async function attachBehind(lab: Lab, router: NatRouter, node: Netns): Promise<void> {
  await lab.veth(router.ns, "lan", node, "eth0", [[`${router.gateway}/24`], [`${router.nodeIp}/24`]]);
  await node.run(["ip", "route", "add", "default", "via", router.gateway]);
}
