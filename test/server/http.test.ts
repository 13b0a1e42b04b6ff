// Landing, metrics and probe listeners (protocol §7.10, §7.11).
import t from "tap";
import { b, connect, failure, startTestServer, unary, update, WatchReader } from "./helpers.js";

const LISTENERS = { landingAddr: "127.0.0.1:0", metricsAddr: "127.0.0.1:0" };

async function get(port: number | undefined, path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

t.test("metrics carry the upstream names and labels", async (t) => {
  const server = await startTestServer(t, LISTENERS);
  const client = connect(t, server);
  await unary(client, "hello", { clusterId: "c", clientVersion: "v1.8.3-7-gf7d9f211" });
  await unary(client, "affiliateUpdate", update("c", "a", { affiliateEndpoints: [b("e1"), b("e2")] }));
  await failure(unary(client, "list", { clusterId: "" }));
  const watch = WatchReader.open(client, "c");
  t.teardown(() => watch.cancel());
  await watch.next();
  const { status, headers, body } = await get(server.metricsPort, "/metrics");
  t.equal(status, 200);
  t.match(headers.get("content-type"), /text\/plain/);
  const lines = [
    'discovery_server_hello_requests_total{client_version="v1.8-pre"} 1',
    "discovery_state_clusters 1",
    "discovery_state_affiliates 1",
    "discovery_state_endpoints 2",
    "discovery_state_subscriptions 1",
    /discovery_state_gc_runs_total [1-9]/,
    "discovery_state_gc_clusters_total 0",
    "discovery_state_gc_affiliates_total 0",
    'grpc_server_started_total{grpc_type="unary",grpc_service="sidero.discovery.server.Cluster",grpc_method="Hello"} 1',
    'grpc_server_handled_total{grpc_type="unary",grpc_service="sidero.discovery.server.Cluster",grpc_method="List",grpc_code="InvalidArgument"} 1',
    'grpc_server_handled_total{grpc_type="unary",grpc_service="sidero.discovery.server.Cluster",grpc_method="AffiliateUpdate",grpc_code="OK"} 1',
    'grpc_server_msg_sent_total{grpc_type="server_stream",grpc_service="sidero.discovery.server.Cluster",grpc_method="Watch"} 1',
    'grpc_server_handling_seconds_bucket{le="0.01",grpc_type="unary",grpc_service="sidero.discovery.server.Cluster",grpc_method="Hello"}',
    /process_resident_memory_bytes \d+/,
    /nodejs_eventloop_lag_seconds /,
  ];
  for (const line of lines) {
    if (typeof line === "string") t.ok(body.includes(line), line);
    else t.match(body, line);
  }
  t.notOk(body.includes("discovery_storage_"), "no storage metrics without persistence");
});

t.test("probes on the metrics listener", async (t) => {
  const server = await startTestServer(t, LISTENERS);
  t.same(await get(server.metricsPort, "/healthz").then((r) => [r.status, r.body]), [200, "ok\n"]);
  t.same(await get(server.metricsPort, "/readyz").then((r) => [r.status, r.body]), [200, "ready\n"]);
  t.equal((await get(server.metricsPort, "/nope")).status, 404);
  const post = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`, { method: "POST" });
  t.equal(post.status, 405);
});

t.test("landing page, stats and health", async (t) => {
  const server = await startTestServer(t, LISTENERS);
  await unary(connect(t, server), "affiliateUpdate", update("c", "a"));
  await unary(connect(t, server), "affiliateUpdate", update("d", "a"));
  const landing = await get(server.landingPort, "/");
  t.equal(landing.status, 200);
  t.match(landing.body, /encrypt/);
  const stats = await get(server.landingPort, "/stats");
  t.same(JSON.parse(stats.body), { affiliates: 2 });
  t.equal(stats.headers.get("access-control-allow-origin"), "*");
  t.equal((await get(server.landingPort, "/healthz")).status, 200);
  t.equal((await get(server.landingPort, "/inspect?clusterID=c")).status, 404, "inspect is off by default");
});

t.test("the inspect page, when enabled, shows what List shows, escaped", async (t) => {
  const server = await startTestServer(t, { ...LISTENERS, inspectPage: true });
  await unary(
    connect(t, server),
    "affiliateUpdate",
    update("c<1>", "<script>", {
      affiliateData: Buffer.from([0xab, 0xcd]),
      affiliateEndpoints: [Buffer.from([1, 2])],
    }),
  );
  const page = await get(server.landingPort, `/inspect?clusterID=${encodeURIComponent("c<1>")}`);
  t.equal(page.status, 200);
  t.match(page.body, /&lt;script&gt;/);
  t.notMatch(page.body, /<script>/);
  t.match(page.body, /abcd/);
  t.match(page.body, /0102/);
  t.equal((await get(server.landingPort, "/inspect")).status, 400, "a missing cluster ID is a client error");
  const before = server.state.stats().clusters;
  await get(server.landingPort, "/inspect?clusterID=other");
  t.equal(server.state.stats().clusters, before, "inspecting does not create clusters");
});

t.test("listeners are off unless asked for, and stop() closes them", async (t) => {
  const bare = await startTestServer(t);
  t.equal(bare.landingPort, undefined);
  t.equal(bare.metricsPort, undefined);
  const server = await startTestServer(t, LISTENERS);
  await server.stop();
  await t.rejects(fetch(`http://127.0.0.1:${server.metricsPort}/healthz`));
});
