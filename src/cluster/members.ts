// Cluster members: merged affiliates that have a Kubernetes node name (kubespan-node §5.3).
import { compareIP, type IP } from "../net/ip.js";
import type { Affiliate, MachineType } from "./affiliate.js";
import { compareUtf8 } from "./order.js";

export interface Member {
  /** The node name. */
  id: string;
  nodeId: string;
  addresses: IP[];
  hostname: string;
  machineType: MachineType;
  operatingSystem: string;
  controlPlane: { apiServerPort: number } | undefined;
}

/**
 * Members sorted by ID, the local node included. When two affiliates share a
 * node name, the one with the larger node ID wins, as in Talos, where each
 * affiliate in node-ID order overwrites the member of that name.
 */
export function members(affiliates: readonly Affiliate[]): Member[] {
  const ordered = [...affiliates].sort((a, b) => compareUtf8(a.nodeId, b.nodeId));
  const byName = new Map<string, Member>();
  for (const affiliate of ordered) {
    if (affiliate.nodename === "") continue;
    byName.set(affiliate.nodename, {
      id: affiliate.nodename,
      nodeId: affiliate.nodeId,
      addresses: [...affiliate.addresses],
      hostname: affiliate.hostname,
      machineType: affiliate.machineType,
      operatingSystem: affiliate.operatingSystem,
      controlPlane: affiliate.controlPlane ? { ...affiliate.controlPlane } : undefined,
    });
  }
  return [...byName.values()].sort((a, b) => compareUtf8(a.id, b.id));
}

/** Addresses of control-plane (and init) members, sorted IPv4 first, without duplicates. */
export function controlPlaneEndpoints(list: readonly Member[]): IP[] {
  const out: IP[] = [];
  for (const member of list) {
    if (member.machineType !== "controlplane" && member.machineType !== "init") continue;
    for (const ip of member.addresses) {
      if (!out.some((seen) => seen.equals(ip))) out.push(ip);
    }
  }
  return out.sort(compareIP);
}
