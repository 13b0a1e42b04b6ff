// State file format and reader (protocol §8 item 33, §7.9).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import t, { type Test } from "tap";
import { AffiliateSnapshot, ClusterSnapshot } from "../../src/gen/sidero/discovery/storage/state.js";
import {
  decodeClusterRecord,
  encodeClusterRecord,
  exportCluster,
  importCluster,
  MAX_CLUSTER_RECORD_BYTES,
} from "../../src/server/snapshot.js";
import { readClusterRecords, writeSnapshotFile } from "../../src/server/snapshot-file.js";
import { ClusterState } from "../../src/server/state/cluster.js";

const now = Date.UTC(2025, 0, 1);
const minute = 60_000;
const b = (s: string) => Buffer.from(s);

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), "kubespan-discovery-snapshot-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function readAll(path: string): Promise<ClusterSnapshot[]> {
  const out: ClusterSnapshot[] = [];
  for await (const payload of readClusterRecords(path)) out.push(decodeClusterRecord(payload));
  return out;
}

const sortById = <T extends { id: string }>(items: T[]) =>
  [...items].sort((x, y) => x.id.localeCompare(y.id));

t.test("33: export and import round-trip, order-insensitive", async (t) => {
  const clusters = ["c2", "c1"].map((id) => {
    const cluster = new ClusterState(id);
    cluster.update(
      { affiliateId: "b", data: b(`${id}-b`), endpoints: [b("e1"), b("e2")], ttlMs: 10 * minute },
      now,
    );
    cluster.update({ affiliateId: "a", endpoints: [b("e3")], ttlMs: 5 * minute }, now);
    return cluster;
  });
  const path = join(tempDir(t), "state.binpb");
  const bytes = await writeSnapshotFile(
    path,
    clusters.map((c) => encodeClusterRecord(exportCluster(c, now))),
  );
  t.ok(bytes > 0);
  const loaded = (await readAll(path)).map((s) => importCluster(s, now));
  const views = (list: ClusterState[]) =>
    sortById(
      list.map((c) => ({
        id: c.id,
        affiliates: sortById(c.list()),
        expiry: [...c.records()].map((r) => r.expiresAt).sort(),
      })),
    );
  t.same(views(loaded), views(clusters));
});

t.test("writers emit only relative ttl, truncated to seconds, negative when overdue", async (t) => {
  const cluster = new ClusterState("c");
  cluster.update({ affiliateId: "a", endpoints: [b("e")], ttlMs: 90_500 }, now);
  const late = exportCluster(cluster, now + 100_000);
  t.same(late.affiliates[0]?.ttl, { seconds: -9, nanos: 0 });
  t.equal(late.affiliates[0]?.expiration, undefined);
  const early = exportCluster(cluster, now);
  t.same(early.affiliates[0]?.endpoints[0]?.ttl, { seconds: 90, nanos: 0 });
});

t.test("33: legacy absolute expirations re-export as relative ttl", async (t) => {
  const legacy: ClusterSnapshot = {
    id: "legacy",
    affiliates: [
      {
        id: "a",
        expiration: { seconds: (now + 30 * minute) / 1000, nanos: 0 },
        data: b("d"),
        endpoints: [
          { expiration: { seconds: (now + 15 * minute) / 1000, nanos: 0 }, data: b("e"), ttl: undefined },
        ],
        ttl: undefined,
      },
      { id: "no-time", expiration: undefined, data: b("x"), endpoints: [], ttl: undefined },
    ],
  };
  const cluster = importCluster(decodeClusterRecord(ClusterSnapshot.encode(legacy).finish()), now);
  const exported = exportCluster(cluster, now);
  t.same(exported.affiliates[0]?.ttl, { seconds: 1800, nanos: 0 });
  t.same(exported.affiliates[0]?.endpoints[0]?.ttl, { seconds: 900, nanos: 0 });
  t.equal(cluster.collect(now), 1, "a record with neither ttl nor expiration is collected at once");
});

t.test("unknown top-level fields are skipped; several clusters stream one by one", async (t) => {
  const path = join(tempDir(t), "state.binpb");
  const unknown = new BinaryWriter()
    .uint32((2 << 3) | 0)
    .uint64(12345)
    .uint32((3 << 3) | 2)
    .bytes(b("xyz"))
    .finish();
  const one = encodeClusterRecord({ id: "one", affiliates: [] });
  const two = encodeClusterRecord({ id: "two", affiliates: [] });
  writeFileSync(path, Buffer.concat([one, unknown, two]));
  t.same(
    (await readAll(path)).map((c) => c.id),
    ["one", "two"],
  );
});

t.test("damaged files are refused with a clear reason", async (t) => {
  const dir = tempDir(t);
  const good = encodeClusterRecord({
    id: "c",
    affiliates: [{ id: "a", expiration: undefined, data: b("d"), endpoints: [], ttl: undefined }],
  });
  const cases: [string, Uint8Array, RegExp][] = [
    ["truncated", good.subarray(0, good.length - 2), /file is truncated/],
    ["bad tag", Uint8Array.from([0x00, 0x01]), /bad field tag at byte 0/],
    ["group wire type", Uint8Array.from([0x0b]), /unsupported wire type 3/],
    ["garbage payload", Uint8Array.from([0x0a, 0x02, 0xff, 0xff]), /not valid protobuf|trailing garbage/],
    ["empty cluster ID", encodeClusterRecord({ id: "", affiliates: [] }), /empty cluster ID/],
  ];
  for (const [name, bytes, reason] of cases) {
    const path = join(dir, `${name}.binpb`);
    writeFileSync(path, bytes);
    await t.rejects(
      (async () => {
        for (const s of await readAll(path)) importCluster(s, now);
      })(),
      { name: "SnapshotFormatError", message: reason },
      name,
    );
  }
});

/** Writes a file holding one cluster record of `count` affiliates at their largest; returns the payload size. */
async function writeMaxCluster(path: string, count: number): Promise<number> {
  // Seconds and nanos that each take a 5-byte varint: 12 bytes per Duration.
  const ttl = { seconds: 2 ** 34, nanos: 999_999_999 };
  const endpoints = Array.from({ length: 64 }, () => ({
    expiration: undefined,
    data: Buffer.alloc(2048, 1),
    ttl,
  }));
  const affiliate = (i: number) =>
    AffiliateSnapshot.encode({
      id: i.toString().padStart(256, "a"),
      expiration: undefined,
      data: Buffer.alloc(2048, 2),
      endpoints,
      ttl,
    }).finish();
  const head = new BinaryWriter().uint32(0x0a).string("c".repeat(256)).finish();
  const sample = affiliate(0);
  const entryHeader = new BinaryWriter().uint32(0x12).uint32(sample.length).finish();
  const payload = head.length + count * (entryHeader.length + sample.length);
  const file = await open(path, "w");
  try {
    await file.write(new BinaryWriter().uint32(0x0a).uint32(payload).finish());
    await file.write(head);
    for (let i = 0; i < count; i++) await file.writev([entryHeader, affiliate(i)]);
  } finally {
    await file.close();
  }
  return payload;
}

t.test("33: a maximal cluster record loads; one more affiliate is refused", async (t) => {
  const dir = tempDir(t);
  const exact = join(dir, "exact.binpb");
  t.equal(
    await writeMaxCluster(exact, 1024),
    MAX_CLUSTER_RECORD_BYTES,
    "the test file is exactly at the limit",
  );
  let affiliates = 0;
  for await (const payload of readClusterRecords(exact)) {
    affiliates += importCluster(decodeClusterRecord(payload), now).counts().affiliates;
  }
  t.equal(affiliates, 1024);
  rmSync(exact);
  const over = join(dir, "over.binpb");
  await writeMaxCluster(over, 1025);
  await t.rejects(readAll(over), { message: "cluster snapshot is above the maximum size" });
});
