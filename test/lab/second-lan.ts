// A second LAN beside the mesh's first: a bridge in the hub on 10.78.0.0/24
// and an `eth1` on every node, so each node advertises two endpoints and one
// path can be cut while the other stays up. Failover scenarios use it.
import type { Mesh } from "./mesh.js";

export const SECOND_LAN_PREFIX = "10.78.0.";

/** Adds the second LAN: node i gets 10.78.0.i on eth1. */
export async function addSecondLan(mesh: Mesh): Promise<void> {
  const members: string[] = [];
  for (const [i, node] of mesh.nodes.entries()) {
    const hubSide = mesh.lab.ifname(`j${i + 1}`);
    await mesh.lab.veth(mesh.hub, hubSide, node.ns, "eth1", [[], [`${SECOND_LAN_PREFIX}${i + 1}/24`]]);
    members.push(hubSide);
  }
  await mesh.lab.bridge(mesh.hub, "br1", members);
}

/** The hub-side link of node `index` (0-based) on the LAN that carries `endpoint`. */
export function hubLinkFor(mesh: Mesh, index: number, endpoint: string): string {
  const lan = endpoint.startsWith(SECOND_LAN_PREFIX) ? "j" : "h";
  return mesh.lab.ifname(`${lan}${index + 1}`);
}

/** Brings every node's links on both LANs up (after a cut). */
export async function restoreLans(mesh: Mesh): Promise<void> {
  for (const lan of ["h", "j"])
    for (let i = 1; i <= mesh.nodes.length; i++)
      await mesh.hub.run(["ip", "link", "set", mesh.lab.ifname(`${lan}${i}`), "up"]);
}
