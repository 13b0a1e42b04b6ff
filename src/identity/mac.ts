// Which MAC the KubeSpan address is derived from (kubespan-node spec §3.4).
//
// Preference order:
//   1. "device:<if>"   the alphabetically first Ethernet interface backed by a
//                      real device and not a bridge, bond, VLAN, veth or tunnel;
//   2. "ethernet:<if>" the first Ethernet-type link at all, because network
//                      namespaces and containers have only veths;
//   3. "random"        a random locally administered MAC.
// The sysfs reader is the only I/O; the choice itself is a pure function.

import { randomBytes } from "node:crypto";
import { access, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const ARPHRD_ETHER = 1;

/** DEVTYPE values (from uevent) of virtual links that can have an Ethernet type. */
const VIRTUAL_DEVTYPES = new Set(["bridge", "bond", "team", "vlan", "vxlan", "geneve", "macsec"]);
/** sysfs entries present only on bridges, bonds and tun/tap devices. */
const VIRTUAL_MARKERS = ["bridge", "bonding", "tun_flags"];

export type MacSource = `device:${string}` | `ethernet:${string}` | "random";

export interface MacChoice {
  mac: Buffer;
  source: MacSource;
}

/** What sysfs says about one link. */
export interface LinkInfo {
  name: string;
  /** ARPHRD type; undefined when unreadable. */
  type: number | undefined;
  mac: Buffer | undefined;
  /** `/sys/class/net/<if>/device` exists: a bus device backs the link. */
  hasDevice: boolean;
  /** A bridge, bond, VLAN, tunnel, or a link stacked on another (veth, macvlan). */
  isVirtual: boolean;
}

/** Parses `aa:bb:cc:dd:ee:ff` (or the 8-byte form); undefined otherwise. */
export function parseMac(text: string): Buffer | undefined {
  const m = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}(?:(?::[0-9a-f]{2}){2})?$/i.exec(text.trim());
  return m ? Buffer.from(m[0].replaceAll(":", ""), "hex") : undefined;
}

export function formatMac(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A random unicast MAC with the locally administered bit set. */
export function randomMac(random: (n: number) => Buffer = randomBytes): Buffer {
  const mac = Buffer.from(random(6));
  mac[0] = ((mac[0] ?? 0) & 0xfe) | 0x02;
  return mac;
}

export function pickMac(links: LinkInfo[], random: (n: number) => Buffer = randomBytes): MacChoice {
  const usable = links
    .filter((l) => l.type === ARPHRD_ETHER && l.name !== "lo" && l.mac?.some((b) => b !== 0))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const device = usable.find((l) => l.hasDevice && !l.isVirtual);
  if (device?.mac) return { mac: device.mac, source: `device:${device.name}` };
  const ethernet = usable[0];
  if (ethernet?.mac) return { mac: ethernet.mac, source: `ethernet:${ethernet.name}` };
  return { mac: randomMac(random), source: "random" };
}

/** Reads every link under `sysClassNet`; an unreadable tree yields no links. */
export async function readLinks(sysClassNet: string): Promise<LinkInfo[]> {
  let names: string[];
  try {
    names = await readdir(sysClassNet);
  } catch {
    return [];
  }
  return Promise.all(names.map((name) => readLink(join(sysClassNet, name), name)));
}

async function readLink(dir: string, name: string): Promise<LinkInfo> {
  const [type, address, uevent, iflink, ifindex, hasDevice, markers] = await Promise.all([
    readText(join(dir, "type")),
    readText(join(dir, "address")),
    readText(join(dir, "uevent")),
    readText(join(dir, "iflink")),
    readText(join(dir, "ifindex")),
    exists(join(dir, "device")),
    Promise.all(VIRTUAL_MARKERS.map((m) => exists(join(dir, m)))),
  ]);
  const devtype = /^DEVTYPE=(.*)$/m.exec(uevent ?? "")?.[1];
  // A link whose iflink differs from its own index sits on another link: veth
  // pairs, VLANs, macvlans and tunnels bound to a device.
  const stacked = iflink !== undefined && ifindex !== undefined && iflink.trim() !== ifindex.trim();
  return {
    name,
    type: type === undefined || !/^\d+$/.test(type.trim()) ? undefined : Number(type.trim()),
    mac: address === undefined ? undefined : parseMac(address),
    hasDevice,
    isVirtual: stacked || markers.some(Boolean) || (devtype !== undefined && VIRTUAL_DEVTYPES.has(devtype)),
  };
}

/** Reads `sysClassNet` (normally /sys/class/net) and picks the MAC. */
export async function chooseMac(
  sysClassNet = "/sys/class/net",
  random: (n: number) => Buffer = randomBytes,
): Promise<MacChoice> {
  return pickMac(await readLinks(sysClassNet), random);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
