// JSON forms of the host layer's values, for the line protocol between a test
// and its host agent running in another network namespace. Prefixes and
// endpoints travel as their text, bigints as decimal strings.
import type { HostPlan } from "../../src/host/plan.js";
import type { DevicePatch, ObservedDevice, PeerPatch } from "../../src/host/wireguard/types.js";
import { Endpoint, Prefix } from "../../src/net/ip.js";

type Wire = Record<string, unknown>;

export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
}

export function planFromWire(w: Wire): HostPlan {
  const plan = w as unknown as HostPlan & { address: string };
  return {
    ...plan,
    address: Prefix.parse(plan.address),
    wireguard: {
      ...plan.wireguard,
      peers: plan.wireguard.peers.map((p) => ({
        ...p,
        endpoint: optionalEndpoint(p.endpoint),
        allowedIPs: prefixes(p.allowedIPs),
      })),
    },
    routes: plan.routes.map((r) => ({ ...r, dst: Prefix.parse(String(r.dst)) })),
    nftables: { ...plan.nftables, dst4: prefixes(plan.nftables.dst4), dst6: prefixes(plan.nftables.dst6) },
  };
}

export function patchFromWire(w: Wire): DevicePatch {
  const patch = w as unknown as DevicePatch;
  return {
    ...patch,
    peers: patch.peers.map((p): PeerPatch => {
      if (p.remove) return p;
      const endpoint = optionalEndpoint(p.endpoint);
      return { ...p, allowedIPs: prefixes(p.allowedIPs), ...(endpoint ? { endpoint } : {}) };
    }),
  };
}

export function deviceFromWire(w: Wire): ObservedDevice {
  const device = w as unknown as ObservedDevice;
  return {
    ...device,
    peers: device.peers.map((p) => ({
      ...p,
      endpoint: optionalEndpoint(p.endpoint),
      rxBytes: BigInt(String(p.rxBytes)),
      txBytes: BigInt(String(p.txBytes)),
      allowedIPs: prefixes(p.allowedIPs),
    })),
  };
}

function prefixes(list: unknown[]): Prefix[] {
  return list.map((p) => Prefix.parse(String(p)));
}

function optionalEndpoint(value: unknown): Endpoint | undefined {
  return value === undefined || value === null ? undefined : Endpoint.parse(String(value));
}
