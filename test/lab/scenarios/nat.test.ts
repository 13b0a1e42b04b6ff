// NAT traversal end to end. Nodes behind their own masquerading router reach
// the discovery server on the hub ("the internet") and learn their public
// address from Hello; peers can only ever reach them at that public address,
// because the private addresses they also announce are not routable from
// outside. With both ends of a pair behind NAT, the mesh forms only through
// the two routers' public endpoints, by each side dialling the other until an
// initiation meets the hole the other's opened.
import t, { type Test } from "tap";
import type { Status } from "../../../src/gen/kubespan/v1/api.js";
import { wgDump } from "../host-tools.js";
import {
  type Mesh,
  type MeshNode,
  peerSpecs,
  ping,
  startDaemon,
  startMesh,
  waitForFullMesh,
} from "../mesh.js";
import { Lab } from "../netns.js";
import { tcpExchange } from "../tcp-echo.js";

const WIREGUARD_PORT = 51820;

/** The endpoint a peer can reach `node` at: its router's public address, or its own LAN address. */
function reachableEndpoint(node: MeshNode): string {
  return `${node.router?.publicIp ?? node.ip}:${WIREGUARD_PORT}`;
}

async function checkPairs(t: Test, mesh: Mesh, statuses: Map<string, Status>): Promise<void> {
  const keyOf = new Map(mesh.nodes.map((n) => [statuses.get(n.name)!.identity!.publicKey, n]));
  for (const from of mesh.nodes) {
    const dump = await wgDump(from.ns, from.ifname);
    for (const peer of dump.peers) {
      const to = keyOf.get(peer.publicKey)!;
      t.equal(peer.endpoint, reachableEndpoint(to), `${from.name} reaches ${to.name} at ${peer.endpoint}`);
    }
    for (const to of mesh.nodes) {
      if (from === to) continue;
      const address = statuses.get(to.name)!.identity!.address;
      t.ok(await ping(from.ns, address), `${from.name} → ${to.name} over the ULA`);
    }
  }
}

/** The endpoints `observer` has for `node` as announced (Hello's public address included). */
async function announced(
  statuses: Map<string, Status>,
  observer: MeshNode,
  node: MeshNode,
): Promise<string[]> {
  const key = statuses.get(node.name)!.identity!.publicKey;
  return (await peerSpecs(observer)).find((p) => p.publicKey === key)?.endpoints ?? [];
}

t.test("scenario 2: one node behind NAT joins the mesh", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 3, behindNat: [1] });
  const statuses = await waitForFullMesh(mesh, 90_000);
  const [n1, n2] = mesh.nodes;
  const endpoints = await announced(statuses, n2!, n1!);
  t.ok(
    endpoints.includes(reachableEndpoint(n1!)),
    `n1 announces its router's public address, learned from Hello (${endpoints.join(", ")})`,
  );
  await checkPairs(t, mesh, statuses);
  const r = await tcpExchange(lab, n1!.ns, n2!.ns, statuses.get("n1")!.identity!.address);
  t.equal(r.code, 0, `1 MiB echoed through the NAT (${r.stdout.trim()} bytes)`);
});

t.test("scenario 3: both peers behind their own NAT mesh through their public endpoints", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 2, behindNat: [1, 2], startDaemons: false });
  for (const node of mesh.nodes) startDaemon(mesh, node);
  const started = Date.now();
  const statuses = await waitForFullMesh(mesh, 120_000);
  const [n1, n2] = mesh.nodes;
  const address = statuses.get("n2")!.identity!.address;
  t.ok(await ping(n1!.ns, address, 1), "n1 → n2 answers");
  t.comment(
    `scenario 3: both peers up and a ping answered ${((Date.now() - started) / 1000).toFixed(1)} s after the daemons started`,
  );
  await checkPairs(t, mesh, statuses);
  const r = await tcpExchange(lab, n2!.ns, n1!.ns, address);
  t.equal(r.code, 0, `1 MiB echoed across both NATs (${r.stdout.trim()} bytes)`);
});
