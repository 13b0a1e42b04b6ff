// An in-memory WireGuard device with the semantics of the real ones, for tests
// of the code above the backends. It passes the same contract tests as the
// kernel and userspace backends (test/host/wireguard/contract.ts).
import type { Prefix } from "../../net/ip.js";
import { isZeroKey } from "./keys.js";
import {
  type DevicePatch,
  emptyObservedPeer,
  type ObservedDevice,
  type ObservedPeer,
  type WireGuardBackend,
} from "./types.js";

export class FakeBackend implements WireGuardBackend {
  readonly kind = "userspace";
  private privateKey: string | undefined;
  private listenPort: number;
  private fwmark = 0;
  private readonly peers = new Map<string, ObservedPeer>();

  constructor(
    readonly ifname = "fake0",
    initialPort = 40000,
  ) {
    this.listenPort = initialPort;
  }

  async read(): Promise<ObservedDevice> {
    return {
      privateKey: this.privateKey,
      listenPort: this.listenPort,
      fwmark: this.fwmark,
      peers: [...this.peers.values()].map((p) => ({ ...p, allowedIPs: [...p.allowedIPs] })),
    };
  }

  async configure(patch: DevicePatch): Promise<void> {
    if (patch.privateKey !== undefined)
      this.privateKey = isZeroKey(patch.privateKey) ? undefined : patch.privateKey;
    if (patch.listenPort !== undefined) this.listenPort = patch.listenPort;
    if (patch.fwmark !== undefined) this.fwmark = patch.fwmark;
    for (const change of patch.peers) {
      if (change.remove) {
        this.peers.delete(change.publicKey);
        continue;
      }
      let peer = this.peers.get(change.publicKey);
      if (peer === undefined) {
        if (change.updateOnly) continue;
        peer = emptyObservedPeer(change.publicKey);
        this.peers.set(change.publicKey, peer);
      }
      if (change.presharedKey !== undefined) {
        peer.presharedKey = isZeroKey(change.presharedKey) ? undefined : change.presharedKey;
      }
      if (change.endpoint !== undefined) peer.endpoint = change.endpoint;
      if (change.keepaliveSeconds !== undefined) peer.keepaliveSeconds = change.keepaliveSeconds;
      if (change.replaceAllowedIPs) peer.allowedIPs = [];
      for (const prefix of change.allowedIPs) this.assign(peer, prefix.masked());
    }
  }

  async close(): Promise<void> {}

  /** An allowed IP belongs to one peer only: assigning it moves it, as in WireGuard's trie. */
  private assign(owner: ObservedPeer, prefix: Prefix): void {
    for (const peer of this.peers.values()) {
      peer.allowedIPs = peer.allowedIPs.filter((p) => !p.equals(prefix));
    }
    owner.allowedIPs.push(prefix);
  }
}
