// Whether a peer handshook after the device read a pass was planned from. A
// pass can take a while (a full apply on a loaded host), and re-creating a
// peer that completed its handshake meanwhile would throw the new session
// away. The device is read again at most once per pass, and only when asked.
import type { ObservedDevice } from "../host/wireguard/types.js";

export class FreshHandshakes {
  private current: Promise<ObservedDevice | undefined> | undefined;

  constructor(
    private readonly planned: ObservedDevice | undefined,
    private readonly read: () => Promise<ObservedDevice | undefined>,
  ) {}

  /** True when the device now shows a later handshake with the peer than the planned read did. */
  async since(publicKey: string): Promise<boolean> {
    if (this.planned === undefined) return false;
    this.current ??= this.read();
    const now = await this.current;
    const handshakeAt = (device: ObservedDevice | undefined) =>
      device?.peers.find((p) => p.publicKey === publicKey)?.lastHandshakeMs ?? 0;
    return handshakeAt(now) > handshakeAt(this.planned);
  }
}
