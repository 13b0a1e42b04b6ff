// Membership end to end: a node leaving, a member whose record expires, and a
// member with the cluster secret publishing hostile claims. Three real
// kubespand processes and a real kubespan-discovery in namespaces; the fake
// and hostile records come from test/lab/hostile-member.ts run in the hub.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import t from "tap";
import type { Rejection, Status } from "../../../src/gen/kubespan/v1/api.js";
import { addressInSubnet, clusterSubnet } from "../../../src/identity/ula.js";
import { wgDump } from "../host-tools.js";
import type { PublishResult, RecordSpec } from "../hostile-member.js";
import {
  KUBESPANCTL,
  type Mesh,
  type MeshNode,
  ping,
  startMesh,
  status,
  waitFor,
  waitForFullMesh,
  withLogs,
} from "../mesh.js";
import { Lab } from "../netns.js";
import { projectRoot } from "../root.js";
import { keyPair } from "../wg-keys.js";

const HOSTILE_MEMBER = join(projectRoot(), "dist/test/lab/hostile-member.js");

/** Publishes the records from inside the hub (the only namespace that reaches the server). */
async function publish(mesh: Mesh, ttlSeconds: number, records: RecordSpec[]): Promise<PublishResult[]> {
  const input = {
    server: mesh.discoveryURL.replace(/^http:\/\//, ""),
    clusterId: `lab-${mesh.lab.id}`,
    secret: mesh.clusterSecret,
    ttlSeconds,
    records,
  };
  const r = await mesh.hub.exec(["node", HOSTILE_MEMBER], { input: JSON.stringify(input) });
  if (r.code !== 0) throw new Error(`hostile-member exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as PublishResult);
}

/** A well-formed member record; hostile variants override parts of it. IDs start with "~" to sort after real node IDs. */
function member(
  mesh: Mesh,
  name: string,
  overrides: Partial<Extract<RecordSpec, { kind: "affiliate" }>> = {},
) {
  const address = addressInSubnet(clusterSubnet(`lab-${mesh.lab.id}`), randomBytes(8)).toString();
  return {
    id: `~${name}-${randomBytes(4).toString("hex")}`,
    kind: "affiliate" as const,
    nodename: name,
    addresses: [address],
    publicKey: keyPair().publicKey,
    address,
    additionalAddresses: [],
    endpoints: ["10.77.0.200:51820"],
    ...overrides,
  };
}

async function isPeerOf(node: MeshNode, publicKey: string): Promise<{ status: boolean; wg: boolean }> {
  const s = await status(node);
  const wg = await wgDump(node.ns, node.ifname);
  return {
    status: s.peers.some((p) => p.publicKey === publicKey),
    wg: wg.peers.some((p) => p.publicKey === publicKey),
  };
}

const exited = (p: ChildProcess | undefined) => !p || p.exitCode !== null || p.signalCode !== null;

/** The programs of the mesh that are no longer running. */
function exitedPrograms(mesh: Mesh): string[] {
  const names = mesh.nodes.filter((n) => exited(n.process)).map((n) => n.name);
  if (exited(mesh.server)) names.push("discovery server");
  return names;
}

t.test("members leave and expire", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 3, serverArgs: ["--gc-interval=1s"] });
  const statuses = await waitForFullMesh(mesh);

  await t.test("a member whose record is not refreshed disappears when its TTL expires", async (t) => {
    const fake = member(mesh, "fake");
    const [result] = await publish(mesh, 5, [fake]);
    t.same(result, { id: fake.id, ok: true }, "the fake member is published");

    const seen = new Set<string>();
    await withLogs(
      mesh,
      waitFor("the fake member on every node", async () => {
        for (const node of mesh.nodes) if ((await isPeerOf(node, fake.publicKey)).status) seen.add(node.name);
        return seen.size === mesh.nodes.length;
      }),
    );
    t.pass("every node listed the fake member as a peer");

    await withLogs(
      mesh,
      waitFor("the fake member to expire everywhere", async () => {
        for (const node of mesh.nodes) {
          const where = await isPeerOf(node, fake.publicKey);
          if (where.status || where.wg) return false;
        }
        return true;
      }),
    );
    t.pass("the fake member left every node's status and WireGuard device");
  });

  await t.test("`kubespanctl leave` removes the node from its peers", async (t) => {
    const [n1, n2, n3] = mesh.nodes as [MeshNode, MeshNode, MeshNode];
    const n3Key = statuses.get("n3")!.identity!.publicKey;
    const r = await n3.ns.exec(["node", KUBESPANCTL, "--socket", n3.socket, "leave", "--yes"]);
    t.equal(r.code, 0, "leave exits 0", { stderr: r.stderr });
    await withLogs(
      mesh,
      waitFor("n1 and n2 to drop n3", async () => {
        for (const node of [n1, n2]) {
          const where = await isPeerOf(node, n3Key);
          if (where.status || where.wg) return false;
        }
        return true;
      }),
    );
    t.pass("n1 and n2 no longer list n3 in their status or WireGuard device");
  });
});

t.test("a hostile member cannot break the mesh", async (t) => {
  const lab = Lab.create(t);
  const mesh = await startMesh(lab, t, { nodes: 3 });
  const statuses = await waitForFullMesh(mesh);
  const id = (name: string) => statuses.get(name)!.identity!.nodeId;

  const defaultRoute = member(mesh, "default-route", { additionalAddresses: ["0.0.0.0/0"] });
  const claimsN1 = member(mesh, "claims-n1", { additionalAddresses: ["10.77.0.1/32"] });
  const badKey = member(mesh, "bad-key", { publicKey: "not-a-wireguard-key" });
  const outside = member(mesh, "outside", { address: "2001:db8::1", addresses: ["2001:db8::1"] });
  const claimsN2 = member(mesh, "claims-n2", { additionalAddresses: ["10.77.0.2/32"] });
  t.ok(claimsN2.id > id("n2"), "the record claiming n2's address has a later node ID than n2");
  t.ok(claimsN1.id > id("n1"), "the record claiming n1's address has a later node ID than n1");

  const garbage = { id: `~garbage-${randomBytes(4).toString("hex")}`, kind: "garbage" as const };
  const oversized = { id: `~oversized-${randomBytes(4).toString("hex")}`, kind: "oversized" as const };
  const results = await publish(mesh, 600, [
    garbage,
    oversized,
    defaultRoute,
    claimsN1,
    badKey,
    outside,
    claimsN2,
  ]);
  t.same(
    results.filter((r) => !r.ok).map((r) => r.id),
    [oversized.id],
    "the server takes every record except the oversized one",
  );

  /** What each node must refuse: [node ID, claim, reason, winner]. */
  const expected = (node: string): Partial<Rejection>[] => [
    { nodeId: defaultRoute.id, claim: "0.0.0.0/0", reason: "default-route" },
    node === "n1"
      ? { nodeId: claimsN1.id, claim: "10.77.0.1/32", reason: "local-address" }
      : { nodeId: claimsN1.id, claim: "10.77.0.1/32", reason: "overlap", winner: id("n1") },
    { nodeId: badKey.id, reason: "invalid-public-key" },
    { nodeId: outside.id, reason: "address-outside-cluster" },
    node === "n2"
      ? { nodeId: claimsN2.id, claim: "10.77.0.2/32", reason: "local-address" }
      : { nodeId: claimsN2.id, claim: "10.77.0.2/32", reason: "overlap", winner: id("n2") },
  ];
  const matches = (got: Rejection[], want: Partial<Rejection>) =>
    got.some((r) => Object.entries(want).every(([k, v]) => r[k as keyof Rejection] === v));

  const latest = new Map<string, Status>();
  await withLogs(
    mesh,
    waitFor("every node to report the hostile claims", async () => {
      for (const node of mesh.nodes) {
        const s = await status(node);
        latest.set(node.name, s);
        if (!expected(node.name).every((want) => matches(s.rejections, want))) return false;
        if (!s.discovery.some((d) => d.skippedRecords >= 1)) return false;
      }
      return true;
    }),
  ).catch((err: Error) => {
    const report = [...latest].map(([n, s]) => `${n}: ${JSON.stringify(s.rejections)}`).join("\n");
    err.message += `\n--- rejections seen\n${report}`;
    throw err;
  });

  for (const node of mesh.nodes) {
    const s = latest.get(node.name)!;
    for (const want of expected(node.name)) {
      t.ok(matches(s.rejections, want), `${node.name} refuses ${want.nodeId}: ${want.reason}`);
    }
    t.ok(
      s.discovery.some((d) => d.skippedRecords >= 1),
      `${node.name} counts the garbage record as skipped`,
    );
  }

  for (const node of mesh.nodes) {
    const programmed = new Map(
      (await wgDump(node.ns, node.ifname)).peers.map((p) => [p.publicKey, p.allowedIPs]),
    );
    t.notOk(programmed.has(badKey.publicKey), `${node.name} programs no peer with an invalid key`);
    t.notOk(programmed.has(outside.publicKey), `${node.name} programs no peer outside the cluster /64`);
    const routed = [defaultRoute, claimsN1, claimsN2].flatMap((m) => programmed.get(m.publicKey) ?? []);
    t.same(
      routed.filter((ip) => ["0.0.0.0/0", "10.77.0.1/32", "10.77.0.2/32"].includes(ip)),
      [],
      `${node.name} routes none of the refused claims to the hostile peers`,
    );
  }

  const addresses = new Map([...statuses].map(([name, s]) => [name, s.identity!.address]));
  for (const from of mesh.nodes) {
    for (const to of mesh.nodes) {
      if (from === to) continue;
      t.ok(
        await ping(from.ns, addresses.get(to.name)!),
        `${from.name} → ${to.name} over the ULA still works`,
      );
    }
  }
  t.same(exitedPrograms(mesh), [], "every daemon and the server are still running");
});
