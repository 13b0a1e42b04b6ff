// kubespand end to end: three namespaces, each running only kubespand with a
// config file, meshing through a real kubespan-discovery over real
// wireguard-go, nftables marks and policy routing.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import t, { type Test } from "tap";
import { ipLink, wgDump } from "../lab/host-tools.js";
import {
  type Mesh,
  ping,
  startDaemon,
  startMesh,
  status,
  waitFor,
  waitForFullMesh,
  writeConfig,
} from "../lab/mesh.js";
import { Lab } from "../lab/netns.js";
import { tcpExchange } from "../lab/tcp-echo.js";

t.test("three daemons form a working mesh", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 3 });
  const statuses = await waitForFullMesh(mesh);
  const addresses = new Map([...statuses].map(([name, s]) => [name, s.identity!.address]));

  await t.test("every node pings every other node's KubeSpan address", async (t) => {
    for (const from of mesh.nodes) {
      for (const to of mesh.nodes) {
        if (from === to) continue;
        t.ok(await ping(from.ns, addresses.get(to.name)!), `${from.name} → ${to.name} over the ULA`);
      }
    }
  });

  await t.test("a peer's underlay address is routed through the tunnel by the marks and table", async (t) => {
    const [n1, n2] = mesh.nodes;
    const before = (await wgDump(n1!.ns, n1!.ifname)).peers.reduce((sum, p) => sum + p.tx, 0);
    t.ok(await ping(n1!.ns, n2!.ip, 5));
    const after = (await wgDump(n1!.ns, n1!.ifname)).peers.reduce((sum, p) => sum + p.tx, 0);
    t.ok(after - before >= 5 * 84, `the pings to ${n2!.ip} left through WireGuard (${after - before} bytes)`);
    const route = await n1!.ns.run(["ip", "route", "get", n2!.ip, "mark", "0x40"]);
    t.match(route, new RegExp(`dev ${n1!.ifname}`), "marked traffic uses the KubeSpan table");
  });

  await t.test("a 1 MiB TCP exchange crosses the mesh", async (t) => {
    const [n1, n2] = mesh.nodes;
    const r = await tcpExchange(lab, n2!.ns, n1!.ns, addresses.get("n2")!);
    t.equal(r.code, 0, `echoed ${r.stdout.trim()} bytes`);
  });

  await t.test("SIGHUP applies an MTU change without dropping the mesh", async (t) => {
    const n1 = mesh.nodes[0]!;
    await writeConfig(mesh, n1, "mtu: 1380");
    n1.process!.kill("SIGHUP");
    await waitFor("the new MTU", async () => (await ipLink(n1.ns, n1.ifname))?.["mtu"] === 1380);
    const s = await status(n1);
    t.equal(s.peers.filter((p) => p.state === "up").length, 2, "peers stay up");
    t.ok(await ping(n1.ns, addresses.get("n2")!), "traffic flows after the reload");
  });

  await t.test("a restart keeps the interface and traffic", async (t) => {
    const n3 = mesh.nodes[2]!;
    const pinger = lab.spawn(mesh.nodes[0]!.ns, [
      "ping",
      "-6",
      "-i",
      "0.2",
      "-c",
      "40",
      "-W",
      "1",
      addresses.get("n3")!,
    ]);
    let output = "";
    pinger.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    await new Promise((r) => setTimeout(r, 1000));
    const exited = new Promise((r) => n3.process!.once("exit", r));
    n3.process!.kill("SIGTERM");
    await exited;
    t.ok(await ipLink(n3.ns, n3.ifname), "the interface survives the stop");
    startDaemon(mesh, n3);
    await new Promise((r) => pinger.once("exit", r));
    const received = Number(/(\d+) received/.exec(output)?.[1] ?? 0);
    t.ok(received >= 39, `at most one of 40 pings lost across the restart (${received} received)`);
    await waitForFullMesh(mesh);
  });

  await t.test("no log line of any program holds the private key or the cluster secret", async (t) => {
    await checkSecretsAbsent(t, mesh);
  });
});

async function checkSecretsAbsent(t: Test, mesh: Mesh): Promise<void> {
  const secrets = [mesh.clusterSecret, Buffer.from(mesh.clusterSecret, "base64").toString("hex")];
  for (const node of mesh.nodes) {
    const identity = await readFile(join(node.dir, "state", "kubespan-identity.yaml"), "utf8");
    const privateKey = /privateKey: "?([A-Za-z0-9+/=]+)"?/.exec(identity)?.[1];
    t.ok(privateKey, `${node.name} has a private key on disk`);
    secrets.push(privateKey!);
  }
  const logs = [...mesh.serverLog, ...mesh.nodes.flatMap((n) => n.log)].join("\n");
  t.ok(logs.length > 1000, "there are logs to scan");
  for (const secret of secrets) t.notOk(logs.includes(secret), "a secret does not appear in the logs");
}
