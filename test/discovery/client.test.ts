// The discovery client against our real server over loopback gRPC.
import { randomBytes } from "node:crypto";
import { credentials } from "@grpc/grpc-js";
import pino from "pino";
import t from "tap";
import { type Affiliate, emptyAffiliate } from "../../src/cluster/affiliate.js";
import { Backoff } from "../../src/discovery/backoff.js";
import { DiscoveryClient } from "../../src/discovery/client.js";
import { ClusterKey } from "../../src/discovery/crypto.js";
import type { LocalPayload } from "../../src/discovery/local-payload.js";
import { discoveryPayloadCodec } from "../../src/discovery/payload.js";
import { ClusterClient } from "../../src/gen/sidero/discovery/server/cluster.js";
import { Endpoint, IP } from "../../src/net/ip.js";
import { startServer } from "../../src/server/server.js";

const logger = pino({ level: "silent" });
const secret = randomBytes(32).toString("base64");
const key = ClusterKey.fromSecret(secret);
const codec = discoveryPayloadCodec(key);

async function server(
  t: Tap,
  options: { addr?: string; redirectEndpoint?: string; gcIntervalMs?: number } = {},
) {
  const s = await startServer({ addr: options.addr ?? "127.0.0.1:0", ...options });
  t.teardown(() => s.stop());
  return s;
}

type Tap = { teardown: (fn: () => unknown) => void };

function client(t: Tap, target: string, id: string, clusterId: string, ttlSeconds = 60): DiscoveryClient {
  const c = new DiscoveryClient({
    name: target,
    target,
    tls: false,
    clusterId,
    affiliateId: id,
    clientVersion: "kubespand/test",
    ttlSeconds,
    open: codec.open,
    crypto: codec.crypto,
    logger,
    backoff: new Backoff({ initialMs: 50, maxIntervalMs: 200 }),
  });
  c.start();
  t.teardown(() => c.stop());
  return c;
}

function affiliate(nodeId: string, hostname = `${nodeId}.example`): Affiliate {
  return {
    ...emptyAffiliate(nodeId),
    hostname,
    nodename: nodeId,
    machineType: "worker",
    addresses: [IP.parse("192.168.3.4")],
    kubespan: {
      publicKey: "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=",
      address: IP.parse("fd7f:175a:b97c:5602::1"),
      additionalAddresses: [],
      excludedNetworks: [],
      endpoints: [],
    },
  };
}

function payload(a: Affiliate, endpoints: string[] = [], others: LocalPayload["others"] = []): LocalPayload {
  return { affiliate: a, endpoints: endpoints.map((e) => Endpoint.parse(e)), others };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cluster = () => `cluster-${randomBytes(6).toString("hex")}`;

t.test("two clients see each other's decrypted affiliate and endpoints", async (t) => {
  const s = await server(t);
  const id = cluster();
  const a = client(t, s.address, "nodeA", id);
  const b = client(t, s.address, "nodeB", id);
  a.setLocalData(payload(affiliate("nodeA"), ["10.0.0.1:51820"]));
  b.setLocalData(payload(affiliate("nodeB"), ["10.0.0.2:51820"]));
  await until("A sees B", () => a.affiliates.has("nodeB"));
  await until("B sees A", () => b.affiliates.has("nodeA"));
  const seen = b.affiliates.get("nodeA")!;
  t.equal(seen.hostname, "nodeA.example");
  t.same(seen.kubespan?.endpoints.map(String), ["10.0.0.1:51820"]);
  t.notOk(a.affiliates.has("nodeA"), "our own record is skipped");
  t.equal(a.status().state, "connected");
  t.equal(a.status().publicIP?.toString(), "127.0.0.1", "Hello echoes the caller's IP as IPv4");
});

t.test(
  "harvested endpoints: a novel one is appended after the peer's own, a known one deduplicates",
  async (t) => {
    const s = await server(t);
    const id = cluster();
    const a = client(t, s.address, "nodeA", id);
    const b = client(t, s.address, "nodeB", id);
    a.setLocalData(payload(affiliate("nodeA"), ["10.0.0.1:51820"]));
    await until("B sees A", () => b.affiliates.has("nodeA"));
    b.setLocalData(
      payload(
        affiliate("nodeB"),
        [],
        [
          {
            affiliateId: "nodeA",
            endpoints: [Endpoint.parse("10.0.0.1:51820"), Endpoint.parse("203.0.113.9:40000")],
          },
        ],
      ),
    );
    await until(
      "the harvested endpoint reaches B's view of A",
      () => b.affiliates.get("nodeA")?.kubespan?.endpoints.length === 2,
    );
    t.same(b.affiliates.get("nodeA")?.kubespan?.endpoints.map(String), [
      "10.0.0.1:51820",
      "203.0.113.9:40000",
    ]);
    const raw = (s.state.find(id)?.list() ?? []).find((x) => x.id === "nodeA");
    t.equal(
      raw?.endpoints.length,
      2,
      "the server deduplicated the reported copy of A's own endpoint by bytes",
    );
  },
);

t.test("a redirect is followed and the clients find each other on the new server", async (t) => {
  const target = await server(t);
  const redirecting = await server(t, { redirectEndpoint: target.address });
  const id = cluster();
  const a = client(t, redirecting.address, "nodeA", id);
  const b = client(t, redirecting.address, "nodeB", id);
  a.setLocalData(payload(affiliate("nodeA")));
  b.setLocalData(payload(affiliate("nodeB")));
  await until("A sees B", () => a.affiliates.has("nodeB"));
  t.equal(a.status().target, target.address, "the redirect target is kept");
  t.equal(
    (redirecting.state.find(id)?.list() ?? []).length,
    0,
    "nothing was published on the redirecting server",
  );
});

t.test("a restarted, empty server gets everything republished and peers rediscovered", async (t) => {
  const first = await startServer({ addr: "127.0.0.1:0" });
  const addr = first.address;
  const id = cluster();
  const a = client(t, addr, "nodeA", id);
  const b = client(t, addr, "nodeB", id);
  a.setLocalData(payload(affiliate("nodeA")));
  b.setLocalData(payload(affiliate("nodeB")));
  await until("A sees B", () => a.affiliates.has("nodeB"));
  await first.stop();
  t.ok(a.affiliates.has("nodeB"), "the known set survives the outage");
  const second = await server(t, { addr });
  await until("both republished", () => (second.state.find(id)?.list() ?? []).length === 2);
  await until("A sees B again", () => a.affiliates.has("nodeB") && a.status().state === "connected");
  t.pass("rediscovered after the restart");
});

t.test("TTL expiry and an explicit leave remove the affiliate at the other side", async (t) => {
  const s = await server(t, { gcIntervalMs: 200 });
  const id = cluster();
  const watcher = client(t, s.address, "watcher", id);
  const short = new DiscoveryClient({
    name: "short",
    target: s.address,
    tls: false,
    clusterId: id,
    affiliateId: "short",
    clientVersion: "test",
    ttlSeconds: 1,
    open: codec.open,
    crypto: codec.crypto,
    logger,
    backoff: new Backoff({ initialMs: 50 }),
  });
  short.start();
  short.setLocalData(payload(affiliate("short")));
  const leaver = client(t, s.address, "leaver", id);
  leaver.setLocalData(payload(affiliate("leaver")));
  await until("watcher sees both", () => watcher.affiliates.has("short") && watcher.affiliates.has("leaver"));
  await short.stop();
  await leaver.deleteLocalAffiliate();
  await until("leaver removed", () => !watcher.affiliates.has("leaver"));
  await until("short expired", () => !watcher.affiliates.has("short"), 15_000);
  t.same([...watcher.affiliates.keys()], []);
});

t.test("undecryptable, mismatched and hostile records are skipped and counted", async (t) => {
  const s = await server(t);
  const id = cluster();
  const watcher = client(t, s.address, "watcher", id);
  const raw = new ClusterClient(s.address, credentials.createInsecure());
  t.teardown(() => raw.close());
  const update = (affiliateId: string, data: Buffer, endpoints: Buffer[] = []) =>
    new Promise<void>((resolve, reject) =>
      raw.affiliateUpdate(
        {
          clusterId: id,
          affiliateId,
          affiliateData: data,
          affiliateEndpoints: endpoints,
          ttl: { seconds: 60, nanos: 0 },
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  const otherKey = ClusterKey.fromSecret(randomBytes(32).toString("base64"));
  const sealed = (k: ClusterKey, a: Affiliate) =>
    discoveryPayloadCodec(k).crypto.encryptData(codec.crypto.encodeAffiliate(a));
  await update("garbage", randomBytes(100));
  await update("wrongkey", sealed(otherKey, affiliate("wrongkey")));
  await update("impostor", sealed(key, affiliate("someone-else")));
  await update("good", sealed(key, affiliate("good")), [randomBytes(16), randomBytes(32), Buffer.alloc(5)]);
  await until("the good record arrives", () => watcher.affiliates.has("good"));
  await until("three records counted", () => watcher.status().skippedRecords === 3);
  t.same([...watcher.affiliates.keys()], ["good"]);
  t.ok(watcher.status().skippedEndpoints >= 2, "random endpoint blobs are skipped one by one");
});

t.test("no feedback loop: a quiet cluster sends nothing between refreshes", async (t) => {
  const s = await server(t);
  const id = cluster();
  const a = client(t, s.address, "nodeA", id);
  const b = client(t, s.address, "nodeB", id);
  a.setLocalData(payload(affiliate("nodeA"), ["10.0.0.1:51820"]));
  b.setLocalData(payload(affiliate("nodeB"), ["10.0.0.2:51820"]));
  await until("converged", () => a.affiliates.has("nodeB") && b.affiliates.has("nodeA"));
  const sentA = a.status().updatesSent;
  const sentB = b.status().updatesSent;
  // Each node reacts to every watch event as a daemon would: by setting its
  // (unchanged) local data again. Plaintext equality must make that a no-op.
  let bHostname = "nodeB.example";
  a.on("change", () => a.setLocalData(payload(affiliate("nodeA"), ["10.0.0.1:51820"])));
  b.on("change", () => b.setLocalData(payload(affiliate("nodeB", bHostname), ["10.0.0.2:51820"])));
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(a.status().updatesSent, sentA, "A sent no update");
  t.equal(b.status().updatesSent, sentB, "B sent no update");
  bHostname = "renamed.example";
  b.setLocalData(payload(affiliate("nodeB", bHostname), ["10.0.0.2:51820"]));
  await until("a real change is published", () => a.affiliates.get("nodeB")?.hostname === "renamed.example");
  // The watch can deliver the change to A before B's RPC callback has counted
  // it; wait for the count, then leave time for a second (unwanted) update.
  await until("B counted its update", () => b.status().updatesSent > sentB);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(b.status().updatesSent, sentB + 1, "exactly one update for one change");
});
