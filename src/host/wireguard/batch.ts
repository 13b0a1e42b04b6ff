// Splitting a patch across several netlink messages, the way wgctrl-go does:
// a generic netlink message has a size limit, so each carries at most 32 peers
// and 256 allowed IPs. A peer with more allowed IPs continues in the next
// message without replace-allowed-IPs, which would otherwise undo the part
// already sent.
import type { Prefix } from "../../net/ip.js";
import type { DevicePatch, PeerPatch } from "./types.js";

export interface BatchLimits {
  maxPeers: number;
  maxAllowedIPs: number;
}

export const NETLINK_BATCH: BatchLimits = { maxPeers: 32, maxAllowedIPs: 256 };

export function splitPatch(patch: DevicePatch, limits: BatchLimits = NETLINK_BATCH): DevicePatch[] {
  const { peers, ...device } = patch;
  const batches: DevicePatch[] = [];
  // Device fields travel with the first message only.
  let current: DevicePatch = { ...device, peers: [] };
  let ips = 0;
  const flush = () => {
    batches.push(current);
    current = { peers: [] };
    ips = 0;
  };

  for (const peer of peers) {
    if (peer.remove) {
      if (current.peers.length === limits.maxPeers) flush();
      current.peers.push(peer);
      continue;
    }
    let remaining = peer.allowedIPs;
    let first = true;
    do {
      if (
        current.peers.length === limits.maxPeers ||
        (ips === limits.maxAllowedIPs && remaining.length > 0)
      ) {
        flush();
      }
      const taken = remaining.slice(0, limits.maxAllowedIPs - ips);
      current.peers.push(first ? { ...peer, allowedIPs: taken } : continuation(peer, taken));
      ips += taken.length;
      remaining = remaining.slice(taken.length);
      first = false;
    } while (remaining.length > 0);
  }
  const hasDeviceFields =
    patch.privateKey !== undefined || patch.listenPort !== undefined || patch.fwmark !== undefined;
  if (current.peers.length > 0 || (batches.length === 0 && hasDeviceFields)) flush();
  return batches;
}

function continuation(peer: Extract<PeerPatch, { remove?: false }>, allowedIPs: Prefix[]): PeerPatch {
  return {
    publicKey: peer.publicKey,
    // Keeps a kick or other update-only change from creating the peer halfway.
    ...(peer.updateOnly ? { updateOnly: true } : {}),
    replaceAllowedIPs: false,
    allowedIPs,
  };
}
