// Reading a namespace's host state with the real tools (wg, ip, nft), so that
// integration tests assert what the kernel and WireGuard report, not what the
// code under test believes.
import type { Netns } from "./netns.js";

export interface WgDumpPeer {
  publicKey: string;
  presharedKey: string;
  endpoint: string;
  allowedIPs: string[];
  latestHandshake: number;
  rx: number;
  tx: number;
  keepalive: string;
}

export interface WgDump {
  privateKey: string;
  publicKey: string;
  listenPort: number;
  fwmark: string;
  peers: WgDumpPeer[];
}

/** `wg show <if> dump`, parsed. */
export async function wgDump(ns: Netns, ifname: string): Promise<WgDump> {
  const [device, ...peers] = (await ns.run(["wg", "show", ifname, "dump"])).trim().split("\n");
  const [privateKey = "", publicKey = "", port = "0", fwmark = "off"] = device!.split("\t");
  return {
    privateKey,
    publicKey,
    listenPort: Number(port),
    fwmark,
    peers: peers.map((line) => {
      const [
        pub = "",
        psk = "",
        endpoint = "",
        ips = "",
        handshake = "0",
        rx = "0",
        tx = "0",
        keepalive = "",
      ] = line.split("\t");
      return {
        publicKey: pub,
        presharedKey: psk,
        endpoint,
        allowedIPs: ips === "(none)" ? [] : ips.split(","),
        latestHandshake: Number(handshake),
        rx: Number(rx),
        tx: Number(tx),
        keepalive,
      };
    }),
  };
}

export type IpJson = Record<string, unknown>;

/** `ip -j rule` for both families. */
export async function ipRules(ns: Netns): Promise<IpJson[]> {
  return [
    ...(await ns.json<IpJson[]>(["ip", "-4", "-j", "rule"])),
    ...(await ns.json<IpJson[]>(["ip", "-6", "-j", "rule"])),
  ];
}

/** `ip -j route show table <t>` for both families. */
export async function ipRoutes(ns: Netns, table: number | "all"): Promise<IpJson[]> {
  const args = ["route", "show", "table", String(table)];
  return [
    ...(await ns.json<IpJson[]>(["ip", "-4", "-j", ...args])),
    ...(await ns.json<IpJson[]>(["ip", "-6", "-j", ...args])),
  ];
}

export async function ipLink(ns: Netns, name: string): Promise<IpJson | undefined> {
  const result = await ns.exec(["ip", "-j", "-d", "link", "show", "dev", name]);
  return result.code === 0 ? (JSON.parse(result.stdout) as IpJson[])[0] : undefined;
}

export async function ipAddresses(ns: Netns, name: string): Promise<string[]> {
  const [link] = await ns.json<
    Array<{ addr_info: Array<{ local: string; prefixlen: number; scope: string }> }>
  >(["ip", "-j", "address", "show", "dev", name]);
  return (link?.addr_info ?? []).filter((a) => a.scope === "global").map((a) => `${a.local}/${a.prefixlen}`);
}

/** `nft -j list table inet <name>` entries, or undefined when the table does not exist. */
export async function nftTable(ns: Netns, name: string): Promise<IpJson[] | undefined> {
  const result = await ns.exec(["nft", "-j", "list", "table", "inet", name]);
  if (result.code !== 0) return undefined;
  return (JSON.parse(result.stdout) as { nftables: IpJson[] }).nftables;
}

/** Everything teardown must leave as it found it. */
export async function hostSnapshot(ns: Netns): Promise<Record<string, unknown>> {
  return {
    rules: await ipRules(ns),
    routes: await ipRoutes(ns, "all"),
    links: await ns.json(["ip", "-j", "link"]),
    addresses: await ns.json(["ip", "-j", "address"]),
    nftTables: await ns.json(["nft", "-j", "list", "tables"]),
  };
}
