// The WireGuard device as this project sees it: the desired state the planner
// produces, the observed state a backend reads, and the patch between them.
//
// Keys are standard base64 strings (44 characters) everywhere above the
// backends; each backend converts to its own wire form (hex for UAPI, raw
// bytes for netlink). Private and preshared keys are secrets: nothing in this
// folder puts them in a log line or an error message.
import type { Endpoint, Prefix } from "../../net/ip.js";

export type BackendKind = "kernel" | "userspace";

export interface DesiredPeer {
  publicKey: string;
  /** undefined = no preshared key. */
  presharedKey: string | undefined;
  /** undefined = leave the device's endpoint alone (WireGuard roaming). */
  endpoint: Endpoint | undefined;
  /** Seconds; 0 disables. */
  keepaliveSeconds: number;
  allowedIPs: Prefix[];
}

export interface DesiredDevice {
  privateKey: string;
  /** 0 = let the device pick (never reported as a change). */
  listenPort: number;
  /** 0 = no fwmark. */
  fwmark: number;
  peers: DesiredPeer[];
}

export interface ObservedPeer {
  publicKey: string;
  presharedKey: string | undefined;
  endpoint: Endpoint | undefined;
  /** Milliseconds since the Unix epoch; 0 = never. */
  lastHandshakeMs: number;
  rxBytes: bigint;
  txBytes: bigint;
  keepaliveSeconds: number;
  allowedIPs: Prefix[];
}

/** A peer as the device reports it right after creation: no session, no traffic. */
export function emptyObservedPeer(publicKey: string): ObservedPeer {
  return {
    publicKey,
    presharedKey: undefined,
    endpoint: undefined,
    lastHandshakeMs: 0,
    rxBytes: 0n,
    txBytes: 0n,
    keepaliveSeconds: 0,
    allowedIPs: [],
  };
}

export interface ObservedDevice {
  privateKey: string | undefined;
  listenPort: number;
  fwmark: number;
  peers: ObservedPeer[];
}

/** One peer's change; fields left undefined are not sent. */
export type PeerPatch =
  | { publicKey: string; remove: true }
  | {
      publicKey: string;
      remove?: false;
      /** Apply only if the peer already exists (used by the handshake kick). */
      updateOnly?: boolean;
      /** The all-zero key removes a preshared key. */
      presharedKey?: string;
      endpoint?: Endpoint;
      keepaliveSeconds?: number;
      replaceAllowedIPs: boolean;
      allowedIPs: Prefix[];
    };

export interface DevicePatch {
  privateKey?: string;
  listenPort?: number;
  fwmark?: number;
  peers: PeerPatch[];
}

/** A WireGuard device bound to one interface, driven by one transport. */
export interface WireGuardBackend {
  readonly kind: BackendKind;
  readonly ifname: string;
  read(): Promise<ObservedDevice>;
  configure(patch: DevicePatch): Promise<void>;
  close(): Promise<void>;
}

export class WireGuardError extends Error {
  override name = "WireGuardError";
}
