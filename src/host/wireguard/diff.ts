// The WireGuard diff (spec §11): compare the desired device with what the
// device reports and produce only the patch between them. Never a whole-device
// replace, so that sessions, counters and roamed endpoints survive reconciles.
import type { Prefix } from "../../net/ip.js";
import { isZeroKey, ZERO_KEY } from "./keys.js";
import type {
  DesiredDevice,
  DesiredPeer,
  DevicePatch,
  ObservedDevice,
  ObservedPeer,
  PeerPatch,
} from "./types.js";

export interface WireGuardDiff {
  patch: DevicePatch;
  /** Device fields that change: "private key", "listen port", "fwmark". */
  device: string[];
  /** Public keys, sorted. */
  added: string[];
  updated: string[];
  removed: string[];
}

export function diffDevice(desired: DesiredDevice, observed: ObservedDevice): WireGuardDiff {
  const patch: DevicePatch = { peers: [] };
  const device: string[] = [];
  if (desired.privateKey !== observed.privateKey) {
    patch.privateKey = desired.privateKey;
    device.push("private key");
  }
  // A desired port of 0 means "any": the device's random choice is not a change.
  if (desired.listenPort !== 0 && desired.listenPort !== observed.listenPort) {
    patch.listenPort = desired.listenPort;
    device.push("listen port");
  }
  if (desired.fwmark !== observed.fwmark) {
    patch.fwmark = desired.fwmark;
    device.push("fwmark");
  }

  const wanted = new Set(desired.peers.map((p) => p.publicKey));
  const current = new Map(observed.peers.map((p) => [p.publicKey, p]));
  const removed = [...current.keys()].filter((k) => !wanted.has(k)).sort();
  for (const publicKey of removed) patch.peers.push({ publicKey, remove: true });

  const added: string[] = [];
  const updated: string[] = [];
  for (const peer of sortedByKey(desired.peers)) {
    const seen = current.get(peer.publicKey);
    if (seen === undefined) added.push(peer.publicKey);
    else if (!peerMatches(peer, seen)) updated.push(peer.publicKey);
    else continue;
    patch.peers.push(fullPeerPatch(peer));
  }
  return { patch, device, added, updated, removed };
}

/** Planners sort peers by key already (spec §11): check before sorting a copy. */
function sortedByKey(peers: readonly DesiredPeer[]): readonly DesiredPeer[] {
  if (peers.every((p, i) => i === 0 || peers[i - 1]!.publicKey < p.publicKey)) return peers;
  return [...peers].sort((a, b) => compareText(a.publicKey, b.publicKey));
}

export function isEmptyDiff(diff: WireGuardDiff): boolean {
  return diff.device.length === 0 && diff.patch.peers.length === 0;
}

/**
 * The two patches that make WireGuard send a handshake at once: the device
 * sends a keepalive when persistent keepalive goes from 0 to non-zero, and a
 * keepalive without a session starts a handshake. They must be applied as two
 * separate operations, in order.
 */
export function kickPatches(publicKey: string, keepaliveSeconds: number): [DevicePatch, DevicePatch] {
  const step = (seconds: number): DevicePatch => ({
    peers: [
      { publicKey, updateOnly: true, keepaliveSeconds: seconds, replaceAllowedIPs: false, allowedIPs: [] },
    ],
  });
  return [step(0), step(keepaliveSeconds)];
}

/** Equality of spec §11: the endpoint counts only when the desired one is set. */
function peerMatches(desired: DesiredPeer, observed: ObservedPeer): boolean {
  if (isZeroKey(desired.presharedKey) !== isZeroKey(observed.presharedKey)) return false;
  if (!isZeroKey(desired.presharedKey) && desired.presharedKey !== observed.presharedKey) return false;
  if (desired.keepaliveSeconds !== observed.keepaliveSeconds) return false;
  if (desired.endpoint !== undefined) {
    if (observed.endpoint === undefined || !desired.endpoint.equals(observed.endpoint)) return false;
  }
  return sameAllowedIPs(canonicalPrefixes(desired.allowedIPs), observed.allowedIPs);
}

/** Masked, deduplicated and sorted by (family, address, length), as WireGuard stores them. */
export function canonicalPrefixes(prefixes: readonly Prefix[]): readonly Prefix[] {
  // Planners usually hand over canonical lists already: check before copying.
  if (prefixes.every((p, i) => isMasked(p) && (i === 0 || comparePrefix(prefixes[i - 1]!, p) < 0))) {
    return prefixes;
  }
  const sorted = prefixes.map((p) => (isMasked(p) ? p : p.masked())).sort(comparePrefix);
  return sorted.filter((p, i) => i === 0 || comparePrefix(sorted[i - 1]!, p) !== 0);
}

function fullPeerPatch(peer: DesiredPeer): PeerPatch {
  return {
    publicKey: peer.publicKey,
    // Always sent, so that a re-added peer drops a preshared key it should not have.
    presharedKey: peer.presharedKey ?? ZERO_KEY,
    keepaliveSeconds: peer.keepaliveSeconds,
    replaceAllowedIPs: true,
    allowedIPs: [...canonicalPrefixes(peer.allowedIPs)],
    ...(peer.endpoint !== undefined ? { endpoint: peer.endpoint } : {}),
  };
}

/**
 * Devices report allowed IPs masked, and in the order they were added, which
 * for peers this project wrote is the canonical order: compare in place first
 * and sort only when that fails. A no-op apply at thousands of peers is
 * mostly this comparison.
 */
function sameAllowedIPs(canonical: readonly Prefix[], observed: readonly Prefix[]): boolean {
  if (canonical.length !== observed.length) return false;
  if (canonical.every((p, i) => comparePrefix(p, observed[i]!) === 0)) return true;
  const sorted = [...observed].sort(comparePrefix);
  return canonical.every((p, i) => comparePrefix(p, sorted[i]!) === 0);
}

function isMasked(prefix: Prefix): boolean {
  return BigInt.asUintN(prefix.ip.bits - prefix.bits, prefix.ip.value) === 0n;
}

function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.ip.value !== b.ip.value) return a.ip.value < b.ip.value ? -1 : 1;
  return a.bits - b.bits;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
