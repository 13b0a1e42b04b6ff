// Impaired underlays: the mesh forms and carries a TCP stream over a lossy
// or slow link, and it recovers by itself after a link goes down and comes
// back while traffic is flowing.
import t from "tap";
import { impair, kernelHasNetem, setLink } from "../impair.js";
import { ping, startDaemon, startMesh, status, waitFor, waitForFullMesh } from "../mesh.js";
import { Lab } from "../netns.js";
import { startPing } from "../ping-loop.js";
import { tcpExchange } from "../tcp-echo.js";

const LINK_DOWN_MS = 10_000;

t.test("20 % loss each way: the mesh forms and a TCP stream completes", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 2, startDaemons: false });
  for (const node of mesh.nodes) await impair(node.ns, "eth0", { lossPercent: 20 });
  const underlay = await mesh.nodes[0]!.ns.exec([
    "ping",
    "-4",
    "-c",
    "50",
    "-i",
    "0.02",
    "-W",
    "1",
    mesh.nodes[1]!.ip,
  ]);
  const lost = Number(/(\d+(?:\.\d+)?)% packet loss/.exec(underlay.stdout)?.[1] ?? 0);
  t.ok(
    lost > 0,
    `the underlay really loses packets (${lost} % of 50 pings between the nodes, about 36 % expected)`,
  );
  for (const node of mesh.nodes) startDaemon(mesh, node);
  const statuses = await waitForFullMesh(mesh, 120_000);
  const [n1, n2] = mesh.nodes;
  const r = await tcpExchange(lab, n2!.ns, n1!.ns, statuses.get("n2")!.identity!.address);
  t.equal(r.code, 0, `1 MiB echoed over the lossy link (${r.stdout.trim()} bytes)`);
});

const noNetem = (await kernelHasNetem())
  ? false
  : "this kernel has no netem qdisc (sch_netem): delay cannot be emulated";

t.test("100 ms delay each way: the mesh forms and a TCP stream completes", { skip: noNetem }, async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 2 });
  for (const node of mesh.nodes) await impair(node.ns, "eth0", { delayMs: 100 });
  const statuses = await waitForFullMesh(mesh, 120_000);
  const [n1, n2] = mesh.nodes;
  const r = await tcpExchange(lab, n2!.ns, n1!.ns, statuses.get("n2")!.identity!.address);
  t.equal(r.code, 0, `1 MiB echoed over the slow link (${r.stdout.trim()} bytes)`);
});

t.test("a link down for 10 s under ping: traffic comes back by itself", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 2 });
  const statuses = await waitForFullMesh(mesh);
  const [n1, n2] = mesh.nodes;
  const address = statuses.get("n2")!.identity!.address;
  const pinger = startPing(lab, n1!.ns, address);
  await new Promise((r) => setTimeout(r, 2_000));
  await setLink(n2!.ns, "eth0", "down");
  await new Promise((r) => setTimeout(r, LINK_DOWN_MS));
  t.notOk(await ping(n1!.ns, address, 1), "nothing gets through while the link is down");
  const upAt = Date.now();
  await setLink(n2!.ns, "eth0", "up");
  await waitFor("traffic after the link came back", () => ping(n1!.ns, address, 1), 60_000);
  t.comment(`traffic back ${((Date.now() - upAt) / 1000).toFixed(1)} s after the link came up`);
  // A few more of the continuous ping's replies, so its longest gap spans the outage.
  await new Promise((r) => setTimeout(r, 1_000));
  const result = await pinger.stop();
  t.ok(
    result.transmitted > LINK_DOWN_MS / 200,
    `the ping ran across the outage (${result.transmitted} sent)`,
  );
  t.ok(
    result.longestGapS >= LINK_DOWN_MS / 1000,
    `replies before and after the outage: longest gap ${result.longestGapS.toFixed(1)} s for a ${LINK_DOWN_MS / 1000} s outage (${result.replies} of ${result.transmitted} answered)`,
  );
  await waitFor("both peers up again", async () =>
    (await Promise.all(mesh.nodes.map((n) => status(n)))).every((s) =>
      s.peers.every((p) => p.state === "up"),
    ),
  );
  t.pass("both nodes report their peer up again");
});
