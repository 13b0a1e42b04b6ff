// How a pass starts its handshakes. Every dial re-creates the peer: toggling
// the persistent keepalive sends an initiation only if WireGuard sent none in
// the last 5 s (REKEY_TIMEOUT), and traffic often has (to a peer that did not
// know us yet, or to the previous candidate); an established session would
// also carry on over the new path without proving it. A peer without an
// endpoint (left to roaming) can only be toggled. A peer that handshook after
// the device read the pass planned from is left alone: a pass can take a
// while (a full apply on a loaded host), and re-creating it would throw the
// new session away.
import type { DesiredPeer, ObservedDevice } from "../host/wireguard/types.js";

export interface Dials {
  recreate: DesiredPeer[];
  toggle: string[];
  /** Handshook while the pass was planning: the next pass sees it. */
  skipped: string[];
}

export async function planDials(
  publicKeys: readonly string[],
  desired: ReadonlyMap<string, DesiredPeer>,
  handshakes: FreshHandshakes,
): Promise<Dials> {
  const dials: Dials = { recreate: [], toggle: [], skipped: [] };
  for (const publicKey of publicKeys) {
    const peer = desired.get(publicKey);
    if (!peer?.endpoint) dials.toggle.push(publicKey);
    else if (await handshakes.since(publicKey)) dials.skipped.push(publicKey);
    else dials.recreate.push(peer);
  }
  return dials;
}

/** Whether a peer handshook after the planned device read; the device is read again at most once. */
export class FreshHandshakes {
  private current: Promise<Map<string, number>> | undefined;
  private readonly planned: Map<string, number> | undefined;

  constructor(
    planned: ObservedDevice | undefined,
    private readonly read: () => Promise<ObservedDevice | undefined>,
  ) {
    this.planned = planned && handshakeTimes(planned);
  }

  /** True when the device now shows a later handshake with the peer than the planned read did. */
  async since(publicKey: string): Promise<boolean> {
    if (this.planned === undefined) return false;
    this.current ??= this.read().then(handshakeTimes);
    const now = await this.current;
    return (now.get(publicKey) ?? 0) > (this.planned.get(publicKey) ?? 0);
  }
}

function handshakeTimes(device: ObservedDevice | undefined): Map<string, number> {
  return new Map((device?.peers ?? []).map((p) => [p.publicKey, p.lastHandshakeMs]));
}
