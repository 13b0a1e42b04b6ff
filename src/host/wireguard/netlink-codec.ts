// Translation between this project's device types and the WireGuard generic
// netlink attributes of the `netlink` package: keys as raw bytes, endpoints as
// struct sockaddr_in/in6, handshake time as struct __kernel_timespec.
import { endianness } from "node:os";
import type { wg } from "netlink";
import { Endpoint, IP, Prefix } from "../../net/ip.js";
import { isZeroKey, keyBytes, keyFromBytes } from "./keys.js";
import { type DevicePatch, type ObservedDevice, type ObservedPeer, WireGuardError } from "./types.js";

const AF_INET = 2;
const AF_INET6 = 10;
const LITTLE_ENDIAN = endianness() === "LE";

export function patchToNetlink(patch: DevicePatch): wg.Device {
  const device: wg.Device = {};
  if (patch.privateKey !== undefined) device.privateKey = keyBytes(patch.privateKey, "private key");
  if (patch.listenPort !== undefined) device.listenPort = patch.listenPort;
  if (patch.fwmark !== undefined) device.fwmark = patch.fwmark;
  device.peers = patch.peers.map((peer): wg.Peer => {
    const publicKey = keyBytes(peer.publicKey, "peer public key");
    if (peer.remove) return { publicKey, flags: { removeMe: true } };
    const out: wg.Peer = { publicKey, allowedIps: peer.allowedIPs.map(allowedIpToNetlink) };
    if (peer.replaceAllowedIPs || peer.updateOnly) {
      out.flags = {
        ...(peer.replaceAllowedIPs ? { replaceAllowedIps: true as const } : {}),
        ...(peer.updateOnly ? { updateOnly: true as const } : {}),
      };
    }
    if (peer.presharedKey !== undefined) out.presharedKey = keyBytes(peer.presharedKey, "preshared key");
    if (peer.endpoint !== undefined) out.endpoint = encodeSockaddr(peer.endpoint);
    if (peer.keepaliveSeconds !== undefined) out.persistentKeepaliveInterval = peer.keepaliveSeconds;
    return out;
  });
  return device;
}

/**
 * Merges the messages of one GET_DEVICE dump. The kernel splits a large device
 * across messages, and a peer whose allowed IPs did not fit continues at the
 * start of the next message under the same public key.
 */
export function devicesFromNetlink(messages: readonly wg.Device[]): ObservedDevice {
  const first = messages[0];
  if (first === undefined) throw new WireGuardError("WireGuard netlink dump returned no message");
  const device: ObservedDevice = {
    privateKey:
      first.privateKey && !isZeroKey(first.privateKey.toString("base64"))
        ? keyFromBytes(first.privateKey, "private key")
        : undefined,
    listenPort: first.listenPort ?? 0,
    fwmark: first.fwmark ?? 0,
    peers: [],
  };
  for (const message of messages) {
    for (const raw of message.peers ?? []) {
      if (raw.publicKey === undefined)
        throw new WireGuardError("WireGuard netlink peer without a public key");
      const publicKey = keyFromBytes(raw.publicKey, "peer public key");
      const last = device.peers[device.peers.length - 1];
      const allowed = (raw.allowedIps ?? []).map(allowedIpFromNetlink);
      if (last?.publicKey === publicKey) {
        last.allowedIPs.push(...allowed);
        continue;
      }
      device.peers.push(peerFromNetlink(publicKey, raw, allowed));
    }
  }
  return device;
}

function peerFromNetlink(publicKey: string, raw: wg.Peer, allowedIPs: Prefix[]): ObservedPeer {
  const psk = raw.presharedKey ? keyFromBytes(raw.presharedKey, "preshared key") : undefined;
  return {
    publicKey,
    presharedKey: isZeroKey(psk) ? undefined : psk,
    endpoint: raw.endpoint ? decodeSockaddr(raw.endpoint) : undefined,
    lastHandshakeMs: raw.lastHandshakeTime ? timespecMs(raw.lastHandshakeTime) : 0,
    rxBytes: raw.rxBytes ?? 0n,
    txBytes: raw.txBytes ?? 0n,
    keepaliveSeconds: raw.persistentKeepaliveInterval ?? 0,
    allowedIPs,
  };
}

function allowedIpToNetlink(prefix: Prefix): wg.AllowedIp {
  return {
    family: prefix.family === 4 ? AF_INET : AF_INET6,
    ipaddr: prefix.ip.toBytes(),
    cidrMask: prefix.bits,
  };
}

function allowedIpFromNetlink(raw: wg.AllowedIp): Prefix {
  const ip = raw.ipaddr ? IP.fromBytes(raw.ipaddr) : undefined;
  if (!ip || raw.cidrMask === undefined)
    throw new WireGuardError("WireGuard netlink allowed IP is incomplete");
  return Prefix.of(ip, raw.cidrMask);
}

/** struct sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes); the family is in host order, the port in network order. */
export function encodeSockaddr(endpoint: Endpoint): Buffer {
  const v4 = endpoint.ip.family === 4;
  const out = Buffer.alloc(v4 ? 16 : 28);
  if (LITTLE_ENDIAN) out.writeUInt16LE(v4 ? AF_INET : AF_INET6, 0);
  else out.writeUInt16BE(v4 ? AF_INET : AF_INET6, 0);
  out.writeUInt16BE(endpoint.port, 2);
  endpoint.ip.toBytes().copy(out, v4 ? 4 : 8);
  return out;
}

export function decodeSockaddr(raw: Buffer): Endpoint | undefined {
  if (raw.length < 2) return undefined;
  const family = LITTLE_ENDIAN ? raw.readUInt16LE(0) : raw.readUInt16BE(0);
  const port = raw.length >= 4 ? raw.readUInt16BE(2) : 0;
  let ip: IP | undefined;
  if (family === AF_INET && raw.length >= 8) ip = IP.fromBytes(raw.subarray(4, 8));
  if (family === AF_INET6 && raw.length >= 24) ip = IP.fromBytes(raw.subarray(8, 24));
  // The kernel reports an all-zero sockaddr for a peer without an endpoint.
  if (!ip || port === 0) return undefined;
  return Endpoint.of(ip, port);
}

/** struct __kernel_timespec: two 64-bit integers in host order. */
export function timespecMs(raw: Buffer): number {
  if (raw.length < 16) return 0;
  const sec = LITTLE_ENDIAN ? raw.readBigInt64LE(0) : raw.readBigInt64BE(0);
  const nsec = LITTLE_ENDIAN ? raw.readBigInt64LE(8) : raw.readBigInt64BE(8);
  return Number(sec) * 1000 + Math.floor(Number(nsec) / 1e6);
}
