// The cross-platform UAPI text protocol (https://www.wireguard.com/xplatform/):
// `set=1` requests built from a patch, `get=1` replies parsed into a device.
// Keys are hex on this wire. Values of secret keys are never echoed in errors.
import { Endpoint, type Prefix } from "../../net/ip.js";
import { parseIP, parsePrefix, wireEndpoint, wirePrefix } from "./canonical-ip.js";
import { isZeroKey, keyBytes, keyFromHex, keyToHex } from "./keys.js";
import {
  type DevicePatch,
  emptyObservedPeer,
  type ObservedDevice,
  type ObservedPeer,
  WireGuardError,
} from "./types.js";

export function encodeSet(patch: DevicePatch): string {
  return [...encodeSetChunks(patch)].join("");
}

/**
 * The `set=1` request in pieces of `peersPerChunk` peers. Written as they are
 * produced, a large request is built while the implementation already reads
 * it, and each piece is garbage soon after. Every key is checked before the
 * first piece, so a bad one never leaves a request half sent.
 */
export function* encodeSetChunks(patch: DevicePatch, peersPerChunk = 64): Generator<string> {
  checkKeys(patch);
  let out = "set=1\n";
  if (patch.privateKey !== undefined) out += `private_key=${keyToHex(patch.privateKey, "private key")}\n`;
  if (patch.listenPort !== undefined) out += `listen_port=${patch.listenPort}\n`;
  if (patch.fwmark !== undefined) out += `fwmark=${patch.fwmark}\n`;
  // Every peer usually carries the same preshared key (the cluster secret).
  let psk = "";
  let pskHex = "";
  for (const [i, peer] of patch.peers.entries()) {
    if (i > 0 && i % peersPerChunk === 0) {
      yield out;
      out = "";
    }
    out += `public_key=${keyToHex(peer.publicKey, "peer public key")}\n`;
    if (peer.remove) {
      out += "remove=true\n";
      continue;
    }
    if (peer.updateOnly) out += "update_only=true\n";
    if (peer.presharedKey !== undefined) {
      if (peer.presharedKey !== psk) {
        psk = peer.presharedKey;
        pskHex = keyToHex(psk, "preshared key");
      }
      out += `preshared_key=${pskHex}\n`;
    }
    if (peer.endpoint !== undefined) out += `endpoint=${wireEndpoint(peer.endpoint)}\n`;
    if (peer.keepaliveSeconds !== undefined)
      out += `persistent_keepalive_interval=${peer.keepaliveSeconds}\n`;
    if (peer.replaceAllowedIPs) out += "replace_allowed_ips=true\n";
    for (const prefix of peer.allowedIPs) out += `allowed_ip=${wirePrefix(prefix)}\n`;
  }
  yield `${out}\n`;
}

function checkKeys(patch: DevicePatch): void {
  if (patch.privateKey !== undefined) keyBytes(patch.privateKey, "private key");
  for (const peer of patch.peers) {
    keyBytes(peer.publicKey, "peer public key");
    if (!peer.remove && peer.presharedKey !== undefined) keyBytes(peer.presharedKey, "preshared key");
  }
}

/** Parses the `errno=N` reply of a set (or the tail of a get); 0 is success. */
export function replyErrno(reply: string): number {
  const match = /(?:^|\n)errno=(-?\d+)\n\n$/.exec(reply);
  if (!match) throw new WireGuardError("UAPI reply without a final errno line");
  return Number(match[1]);
}

/**
 * Remembers, from one read to the next, the conversions that dominate a
 * large read: hex keys to base64 and each peer's run of `allowed_ip` lines to
 * prefixes. A no-op reconcile then re-parses almost nothing. Only what the
 * latest read used is kept, so the memory is bounded by the device's size.
 */
export class ParseMemo {
  private keys = new Map<string, string>();
  private blocks = new Map<string, Prefix[]>();
  private nextKeys = new Map<string, string>();
  private nextBlocks = new Map<string, Prefix[]>();

  private lastHex = "";
  private lastKey = "";

  key(hex: string, field: string): string {
    // Every peer's preshared key is usually the same: compare before hashing.
    if (hex === this.lastHex) return this.lastKey;
    const key = this.keys.get(hex) ?? this.nextKeys.get(hex) ?? keyFromHex(hex, field);
    this.nextKeys.set(hex, key);
    this.lastHex = hex;
    this.lastKey = key;
    return key;
  }

  /** `block` is one or more `allowed_ip=` lines; `line` is the number of the first. */
  allowedIPs(block: string, line: number): Prefix[] {
    let prefixes = this.blocks.get(block) ?? this.nextBlocks.get(block);
    if (prefixes === undefined) {
      prefixes = block.split("\n").map((text, i) => {
        const value = text.slice(ALLOWED_IP.length);
        return parsePrefix(value) ?? bad(line + i, "allowed_ip", value, "an ip/bits prefix");
      });
    }
    this.nextBlocks.set(block, prefixes);
    return [...prefixes];
  }

  /** Ends a read: what it used becomes what the next one may reuse. */
  rotate(): void {
    this.keys = this.nextKeys;
    this.blocks = this.nextBlocks;
    this.nextKeys = new Map();
    this.nextBlocks = new Map();
  }
}

const ALLOWED_IP = "allowed_ip=";

export function parseGet(reply: string, memo: ParseMemo = new ParseMemo()): ObservedDevice {
  const errno = replyErrno(reply);
  if (errno !== 0) throw new WireGuardError(`UAPI get failed with errno ${errno}`);
  const device: ObservedDevice = { privateKey: undefined, listenPort: 0, fwmark: 0, peers: [] };
  let peer: ObservedPeer | undefined;
  let handshakeSec = 0;
  let handshakeNsec = 0;
  const finishPeer = () => {
    if (peer) peer.lastHandshakeMs = handshakeSec * 1000 + Math.floor(handshakeNsec / 1e6);
  };

  let line = 0;
  for (let pos = 0; pos < reply.length; ) {
    let end = lineEnd(reply, pos);
    line++;
    if (peer !== undefined && reply.startsWith(ALLOWED_IP, pos)) {
      // A peer's allowed IPs come as one run of lines: take the run at once.
      const first = line;
      while (reply.startsWith(ALLOWED_IP, end + 1)) {
        end = lineEnd(reply, end + 1);
        line++;
      }
      peer.allowedIPs = memo.allowedIPs(reply.slice(pos, end), first);
      pos = end + 1;
      continue;
    }
    const start = pos;
    pos = end + 1;
    if (end === start) continue;
    const eq = reply.indexOf("=", start);
    if (eq < 0 || eq > end) throw new WireGuardError(`UAPI get, line ${line}: not a key=value line`);
    const key = reply.slice(start, eq);
    const value = reply.slice(eq + 1, end);
    if (key === "public_key") {
      finishPeer();
      peer = emptyObservedPeer(memo.key(value, "peer public key"));
      handshakeSec = 0;
      handshakeNsec = 0;
      device.peers.push(peer);
      continue;
    }
    if (peer === undefined) {
      if (key === "private_key") device.privateKey = keyFromHex(value, "private key");
      else if (key === "listen_port")
        device.listenPort = integer(value) ?? bad(line, key, value, "a port number");
      else if (key === "fwmark") device.fwmark = integer(value) ?? bad(line, key, value, "a number");
      continue;
    }
    switch (key) {
      case "preshared_key": {
        const psk = memo.key(value, "preshared key");
        peer.presharedKey = isZeroKey(psk) ? undefined : psk;
        break;
      }
      case "endpoint":
        peer.endpoint = parseEndpoint(value) ?? bad(line, key, value, "an ip:port endpoint");
        break;
      case "last_handshake_time_sec":
        handshakeSec = integer(value) ?? bad(line, key, value, "a number");
        break;
      case "last_handshake_time_nsec":
        handshakeNsec = integer(value) ?? bad(line, key, value, "a number");
        break;
      case "rx_bytes":
        peer.rxBytes = bigInteger(value) ?? bad(line, key, value, "a byte count");
        break;
      case "tx_bytes":
        peer.txBytes = bigInteger(value) ?? bad(line, key, value, "a byte count");
        break;
      case "persistent_keepalive_interval":
        peer.keepaliveSeconds = integer(value) ?? bad(line, key, value, "a number of seconds");
        break;
      // protocol_version, errno and keys added by newer implementations are not needed.
    }
  }
  finishPeer();
  memo.rotate();
  return device;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

/** Every value this reports is a number or an address: secrets go through keyFromHex, which never echoes. */
function bad(line: number, key: string, value: string, expected: string): never {
  throw new WireGuardError(`UAPI get, line ${line}: ${key} ${JSON.stringify(value)} is not ${expected}`);
}

function integer(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function bigInteger(text: string): bigint | undefined {
  return /^\d{1,20}$/.test(text) ? BigInt(text) : undefined;
}

/** `ip:port` or `[v6]:port`; an IPv6 zone (`%eth0`) is dropped, since peers are never link-local. */
function parseEndpoint(text: string): Endpoint | undefined {
  const match = /^\[([^\]%]+)(?:%[^\]]*)?\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const ip = match ? parseIP(match[1]!) : undefined;
  if (!match || !ip) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? Endpoint.of(ip, port) : undefined;
}
