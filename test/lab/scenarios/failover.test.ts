// Scenario 4: two nodes on two LANs, traffic over the mesh, then the LAN that
// carries the active path is cut. The daemon notices the dead path and moves
// to the other candidate by itself. The outage is printed (the benchmark
// `npm run bench -- failover` gives the median of five).
import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import { FAST_TIMERS } from "../../../src/mesh/probe-policy.js";
import { wgDump } from "../host-tools.js";
import { peerSpecs, ping, startMesh, waitFor, waitForFullMesh } from "../mesh.js";
import { Lab } from "../netns.js";
import { startPing } from "../ping-loop.js";
import { addSecondLan, hubLinkFor, SECOND_LAN_PREFIX } from "../second-lan.js";

/**
 * The daemon reads an up peer's counters every upPollMs; once it sees traffic
 * it probes the path, and only a path that answered a probe is declared dead
 * after missed ones. Before that, a cut is caught by the slower
 * tx-without-rx rule (35 s). Two probe answers of margin.
 */
const TRAFFIC_BEFORE_CUT_MS = FAST_TIMERS.upPollMs + 2 * FAST_TIMERS.probeIntervalMs + 1_000;

t.test(
  "scenario 4: the active endpoint dies while another candidate exists: traffic comes back",
  async (t) => {
    const lab = Lab.create(t);
    const mesh = await startMesh(lab, t, { nodes: 2 });
    await addSecondLan(mesh);
    const n1 = mesh.nodes[0];
    await waitFor(
      "both of n2's endpoints advertised",
      async () => (await peerSpecs(n1!))[0]?.endpoints.length === 2,
      60_000,
    );
    const statuses = await waitForFullMesh(mesh);
    const address = statuses.get("n2")!.identity!.address;

    const pinger = startPing(lab, n1!.ns, address);
    await sleep(TRAFFIC_BEFORE_CUT_MS);
    const active = (await wgDump(n1!.ns, n1!.ifname)).peers[0]!.endpoint;
    const cutAt = Date.now();
    await mesh.hub.run(["ip", "link", "set", hubLinkFor(mesh, 1, active), "down"]);
    await waitFor("traffic on the other path", () => ping(n1!.ns, address, 1), 60_000);
    const backAfterS = (Date.now() - cutAt) / 1000;
    const result = await pinger.stop();

    const now = (await wgDump(n1!.ns, n1!.ifname)).peers[0]!.endpoint;
    const onSecond = (endpoint: string) => endpoint.startsWith(SECOND_LAN_PREFIX);
    t.not(onSecond(now), onSecond(active), `n1 moved from ${active} to ${now}, the LAN that is still up`);
    t.comment(
      `scenario 4: traffic back ${backAfterS.toFixed(1)} s after the cut; longest gap between replies ` +
        `${result.longestGapS.toFixed(1)} s (${result.replies} of ${result.transmitted} answered)`,
    );
  },
);
