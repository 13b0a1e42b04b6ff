// kubespand's process lifecycle with real programs: --check-config, and
// --cleanup-on-exit removing everything the daemon programmed.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { ipLink, ipRules, nftTable } from "../lab/host-tools.js";
import { KUBESPAND, startDaemon, startMesh, status, waitFor } from "../lab/mesh.js";
import { execute, Lab } from "../lab/netns.js";

t.test("--check-config accepts a valid file and names the field of an invalid one", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 1 });
  const node = mesh.nodes[0]!;
  const good = await execute(["node", KUBESPAND, "--check-config", "--config", node.configPath]);
  t.equal(good.code, 0, good.stderr);
  t.match(good.stdout, /configuration is valid/);
  const bad = join(node.dir, "bad.yaml");
  await writeFile(
    bad,
    `clusterID: x\nclusterSecret: ${mesh.clusterSecret}\ndiscovery:\n  endpoints: ["ftp://x"]\nkubespan:\n  mtu: 1000\n`,
  );
  const result = await execute(["node", KUBESPAND, "--check-config", "--config", bad]);
  t.equal(result.code, 1);
  t.match(result.stderr, /bad\.yaml: kubespan\.mtu: must be >= 1280, found 1000/);
  t.match(result.stderr, /discovery\.endpoints/);
  t.notMatch(result.stderr, mesh.clusterSecret, "the secret is not echoed");
});

t.test("--cleanup-on-exit removes the link, rules and nftables table on SIGTERM", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 1 });
  const node = mesh.nodes[0]!;
  await waitFor("the interface", async () => (await ipLink(node.ns, node.ifname)) !== undefined);
  const first = node.process!;
  const exited = new Promise((r) => first.once("exit", r));
  first.kill("SIGTERM");
  await exited;
  t.ok(await ipLink(node.ns, node.ifname), "a plain stop keeps the interface");

  const child = startDaemon(mesh, node, ["--cleanup-on-exit"]);
  await waitFor("the daemon's API", async () => (await status(node)).identity !== undefined);
  const ended = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  t.equal(await ended, 0, "clean exit");
  t.equal(await ipLink(node.ns, node.ifname), undefined, "the link is gone");
  t.equal(await nftTable(node.ns, "kubespan"), undefined, "the nftables table is gone");
  const rules = await ipRules(node.ns);
  t.notOk(
    rules.some((r) => r["priority"] === 32500),
    "no rule at the KubeSpan priority is left",
  );
});
