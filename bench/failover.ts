// failover: two nodes on two LANs, a continuous ping (10/s) over the mesh,
// then the LAN carrying the active path is cut. Figure: time from the cut to
// the first reply on the other path, median of 5 rounds. Talos's baseline is
// the 275 s PeerDownInterval (plus up to a 30 s tick) before it even rotates.

import { wgDump } from "../test/lab/host-tools.js";
import { peerSpecs, startMesh, waitFor, waitForFullMesh } from "../test/lab/mesh.js";
import { addSecondLan, hubLinkFor, restoreLans } from "../test/lab/second-lan.js";
import { round2, withBenchLab } from "./bench-lab.js";
import { writeResult } from "./result.js";

const ROUNDS = 5;
await withBenchLab(async (lab, target) => {
  const mesh = await startMesh(lab, target, { nodes: 2 });
  await addSecondLan(mesh);
  const n1 = mesh.nodes[0]!;
  await waitFor(
    "both endpoints advertised",
    async () => (await peerSpecs(n1))[0]?.endpoints.length === 2,
    60_000,
  );
  const gaps: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await restoreLans(mesh);
    const statuses = await waitForFullMesh(mesh);
    const target = statuses.get("n2")!.identity!.address;
    const pinger = lab.spawn(n1.ns, ["ping", "-6", "-D", "-i", "0.1", "-c", "900", "-W", "1", target]);
    let out = "";
    pinger.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    // Let the daemon see the traffic (counters are read every 5 s) before cutting.
    await new Promise((r) => setTimeout(r, 8_000));
    const active = (await wgDump(n1.ns, n1.ifname)).peers[0]!.endpoint;
    const cut = hubLinkFor(mesh, 1, active);
    const cutAt = Date.now() / 1000;
    await mesh.hub.run(["ip", "link", "set", cut, "down"]);
    const replies = () => [...out.matchAll(/^\[(\d+\.\d+)\]/gm)].map((m) => Number(m[1]));
    await waitFor("traffic after the cut", async () => replies().some((x) => x > cutAt + 0.3), 120_000);
    const gap = Math.min(...replies().filter((x) => x > cutAt + 0.3)) - cutAt;
    pinger.kill();
    const now = (await wgDump(n1.ns, n1.ifname)).peers[0]!.endpoint;
    console.log(`round ${round + 1}: cut ${active}, traffic back after ${gap.toFixed(2)} s on ${now}`);
    gaps.push(gap);
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  await writeResult("failover", {
    method: "2 nodes on 2 LANs, ping every 100 ms over the KubeSpan address, the active LAN cut at the hub",
    figures: { median_s: round2(median), rounds_s: gaps.map(round2), talos_baseline_s: 275 },
    targets: { median_s_max: 5 },
    met: { median: median <= 5 },
  });
  console.log(`failover median ${median.toFixed(2)} s (target ≤ 5 s; Talos waits 275 s before rotating)`);
});
