// Saving and loading through SnapshotStore and a running server (protocol §8 item 33, §7.9).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import t, { type Test } from "tap";
import { createMetrics } from "../../src/server/metrics.js";
import { SnapshotStore } from "../../src/server/persistence.js";
import { DiscoveryState } from "../../src/server/state/state.js";
import { b, connect, eventually, ManualClock, startTestServer, unary, update } from "./helpers.js";

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), "kubespan-discovery-store-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
}

async function saveCount(registry: import("prom-client").Registry): Promise<number> {
  const metric = await registry.getSingleMetric("discovery_storage_operations_total")?.get();
  return (
    metric?.values.find((v) => v.labels.operation === "save" && v.labels.status === "success")?.value ?? 0
  );
}

t.test("33: saves every interval and at shutdown; a restart loads the state", async (t) => {
  const path = join(tempDir(t), "state.binpb");
  const clock = new ManualClock();
  const first = await startTestServer(t, { snapshot: { path, intervalMs: 30 }, now: clock.now });
  const client = connect(t, first);
  await unary(
    client,
    "affiliateUpdate",
    update("c", "a", { affiliateData: b("d"), affiliateEndpoints: [b("e")] }),
  );
  await eventually(() => existsSync(path), "the first periodic save");
  const before = await saveCount(first.registry);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.ok((await saveCount(first.registry)) > before, "saves keep happening every interval");
  await unary(client, "affiliateUpdate", update("c", "late", { affiliateData: b("saved at shutdown") }));
  await first.stop();

  clock.advance(30_000);
  const second = await startTestServer(t, { snapshot: { path, intervalMs: 60_000 }, now: clock.now });
  const list = await unary(connect(t, second), "list", { clusterId: "c" });
  t.same(
    list.affiliates.sort((x, y) => x.id.localeCompare(y.id)),
    [
      { id: "a", data: b("d"), endpoints: [b("e")] },
      { id: "late", data: b("saved at shutdown"), endpoints: [] },
    ],
  );
  const record = second.state.find("c")?.records().next().value;
  t.equal(record?.expiresAt, clock.ms + 60_000, "the relative ttl was kept across the restart");
  t.notOk(
    readdirSync(join(path, "..")).some((f) => f.endsWith(".tmp")),
    "no temporary file is left behind",
  );
});

t.test("a corrupt state file is moved aside and the server starts empty", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "state.binpb");
  writeFileSync(path, Buffer.from([0x0a, 0x05, 0x0a, 0x01]));
  const { lines, logger } = capture();
  const server = await startTestServer(t, { snapshot: { path, intervalMs: 60_000 }, logger });
  t.equal(server.state.stats().clusters, 0);
  const aside = readdirSync(dir).filter((f) => f.startsWith("state.binpb.corrupt-"));
  t.equal(aside.length, 1, "the bad file was kept for inspection");
  const line = lines.find((l) => l.movedTo);
  t.match(line, { level: 50, path, reason: /truncated/, msg: /unusable; moved it aside/ });
  await unary(connect(t, server), "affiliateUpdate", update("c", "a"));
  t.pass("the server serves normally");
});

t.test("a missing state file only warns", async (t) => {
  const path = join(tempDir(t), "absent.binpb");
  const { lines, logger } = capture();
  const state = new DiscoveryState();
  const metrics = createMetrics(() => state.stats(), { persistence: true, processCollectors: false });
  const store = new SnapshotStore({ path, state, now: Date.now, logger, metrics: metrics.storage });
  t.equal(await store.load(), false);
  t.match(lines, [{ level: 40, msg: /no state file/ }]);
  const counter = await metrics.registry.getSingleMetric("discovery_storage_operations_total")?.get();
  t.same(
    counter?.values.map((v) => [v.labels, v.value]),
    [[{ operation: "load", status: "error" }, 1]],
  );
});

t.test("a failed save is logged and the previous file survives", async (t) => {
  const dir = tempDir(t);
  const { lines, logger } = capture();
  const state = new DiscoveryState();
  const store = new SnapshotStore({
    path: join(dir, "missing-dir", "state.binpb"),
    state,
    now: Date.now,
    logger,
    metrics: undefined,
  });
  await store.save();
  t.match(lines, [{ level: 50, msg: "saving the state file failed" }]);
});

t.test("storage metrics exist only with persistence", async (t) => {
  const plain = await startTestServer(t);
  t.equal(plain.registry.getSingleMetric("discovery_storage_operations_total"), undefined);
  const persisted = await startTestServer(t, {
    snapshot: { path: join(tempDir(t), "s.binpb"), intervalMs: 60_000 },
  });
  t.ok(persisted.registry.getSingleMetric("discovery_storage_last_snapshot_size_bytes"));
});
