// Resilience end to end: the data plane of a running mesh must not notice a
// discovery server outage, and a node killed with SIGKILL must come back
// without losing traffic for long or leaving duplicate peers behind.
import { setTimeout as sleep } from "node:timers/promises";
import t, { type Test } from "tap";
import type { Status } from "../../../src/gen/kubespan/v1/api.js";
import { wgDump } from "../host-tools.js";
import {
  type Mesh,
  type MeshNode,
  startDaemon,
  startDiscovery,
  startMesh,
  status,
  stopDiscovery,
  waitFor,
  waitForFullMesh,
  withLogs,
} from "../mesh.js";
import { Lab } from "../netns.js";
import { startPing } from "../ping-loop.js";

const NODES = 3;
const OUTAGE_MS = 60_000;
async function allStatuses(mesh: Mesh): Promise<Status[]> {
  return Promise.all(mesh.nodes.map((n) => status(n)));
}

function upPeers(s: Status): number {
  return s.peers.filter((p) => p.state === "up").length;
}

function discoveryState(s: Status): string {
  return s.discovery[0]?.state ?? "(no discovery service)";
}

async function checkWireGuardPeers(t: Test, mesh: Mesh, keys: Map<string, string>): Promise<void> {
  for (const node of mesh.nodes) {
    const listed = (await wgDump(node.ns, node.ifname)).peers.map((p) => p.publicKey);
    t.equal(listed.length, NODES - 1, `wg show on ${node.name} lists ${NODES - 1} peers`);
    for (const other of mesh.nodes) {
      if (other === node) continue;
      const count = listed.filter((k) => k === keys.get(other.name)).length;
      t.equal(count, 1, `wg show on ${node.name} lists ${other.name}'s key exactly once`);
    }
  }
}

async function publicKeys(mesh: Mesh): Promise<Map<string, string>> {
  const statuses = await allStatuses(mesh);
  return new Map(mesh.nodes.map((n, i) => [n.name, statuses[i]!.identity!.publicKey]));
}

function ula(statuses: Map<string, Status>, node: MeshNode): string {
  return statuses.get(node.name)!.identity!.address;
}

t.test("a discovery server outage does not disturb the data plane", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: NODES });
  const statuses = await waitForFullMesh(mesh);
  const keys = await publicKeys(mesh);
  const [n1, n2] = mesh.nodes;
  const everyoneSeesEveryone = (timeoutMs: number) =>
    withLogs(
      mesh,
      waitFor(
        `every node connected with ${NODES - 1} affiliates and ${NODES - 1} peers up`,
        async () =>
          (await allStatuses(mesh)).every(
            (s) =>
              discoveryState(s) === "connected" &&
              s.discovery[0]?.affiliates === NODES - 1 &&
              upPeers(s) === NODES - 1,
          ),
        timeoutMs,
      ),
    );
  await everyoneSeesEveryone(30_000);

  const pinger = startPing(lab, n1!.ns, ula(statuses, n2!));
  await sleep(2_000);
  await stopDiscovery(mesh);
  const outageEnds = Date.now() + OUTAGE_MS;
  await withLogs(
    mesh,
    waitFor(
      "every node to notice the outage",
      async () => (await allStatuses(mesh)).every((s) => discoveryState(s) !== "connected"),
      15_000,
    ),
  );
  // Sample through the outage: the service stays unreachable and the peers stay up.
  const samples: string[] = [];
  while (Date.now() < outageEnds) {
    for (const [i, s] of (await allStatuses(mesh)).entries()) {
      samples.push(`${mesh.nodes[i]!.name}:${discoveryState(s)}/${upPeers(s)}up`);
    }
    await sleep(Math.min(5_000, Math.max(0, outageEnds - Date.now())));
  }
  const connected = samples.filter((s) => s.includes(":connected/"));
  t.same(connected, [], "no node reports the discovery service connected while it is down");
  const degraded = samples.filter((s) => !s.endsWith(`/${NODES - 1}up`));
  t.same(degraded, [], "every peer stays up during the outage");

  await startDiscovery(mesh);
  // The client backs off up to ~45 s by now (500 ms ×1.5 per attempt, ±50 %).
  await everyoneSeesEveryone(70_000);
  t.pass("every node reconnected and republished: each sees the other nodes again, peers up");
  await sleep(1_000);
  const result = await pinger.stop();
  t.ok(result.transmitted > OUTAGE_MS / 200, `the ping ran across the outage (${result.transmitted} sent)`);
  t.same(result.lost, [], "no ping was lost during the outage or the reconnect");
  t.comment(`longest gap between replies across the outage: ${result.longestGapS.toFixed(2)} s`);
  await checkWireGuardPeers(t, mesh, keys);
});

t.test("a node killed with SIGKILL under ping comes back without duplicate peers", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: NODES });
  const statuses = await waitForFullMesh(mesh);
  const keys = await publicKeys(mesh);
  const [n1, n2] = mesh.nodes;

  const pinger = startPing(lab, n1!.ns, ula(statuses, n2!));
  await sleep(1_000);
  const exited = new Promise((r) => n2!.process!.once("exit", r));
  n2!.process!.kill("SIGKILL");
  await exited;
  await sleep(2_000);
  const restartedAt = n2!.log.length;
  startDaemon(mesh, n2!);
  await waitForFullMesh(mesh);
  await sleep(1_000);
  const result = await pinger.stop();
  // A removed peer loses its session: the restarted daemon adopts the device and must not
  // take a pass planned before the first snapshot for an empty cluster.
  const removals = n2!.log
    .slice(restartedAt)
    .filter(
      (line) => line.includes('"host state changed"') && /"area":"wireguard","action":"remove"/.test(line),
    );
  t.same(removals, [], "the restarted daemon removed no WireGuard peer");
  t.ok(result.transmitted >= 15, `the ping ran across the kill and restart (${result.transmitted} sent)`);
  t.ok(result.lost.length <= 1, `at most one ping lost (lost: [${result.lost.join(", ")}])`);
  t.comment(`longest gap between replies across the kill and restart: ${result.longestGapS.toFixed(2)} s`);

  await checkWireGuardPeers(t, mesh, keys);
  for (const [i, s] of (await allStatuses(mesh)).entries()) {
    const name = mesh.nodes[i]!.name;
    const peerKeys = s.peers.map((p) => p.publicKey);
    t.equal(peerKeys.length, NODES - 1, `${name} reports ${NODES - 1} peers`);
    t.equal(new Set(peerKeys).size, peerKeys.length, `${name}'s peers have distinct public keys`);
  }
});
