// Server API behaviour over real gRPC on loopback (protocol §8 items 1–8, 16).
import t from "tap";
import { b, connect, startTestServer, unary, update, WatchReader } from "./helpers.js";

const TRUST = { trustXRealIP: true, trustFirstXForwardedFor: true };

t.test("1: Hello from 127.0.0.1 echoes 7f000001 without redirect", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  const reply = await unary(client, "hello", { clusterId: "fake", clientVersion: "v0.12.0" });
  t.equal(reply.clientIp.toString("hex"), "7f000001");
  t.equal(reply.redirect, undefined);
  t.equal(server.state.stats().clusters, 0, "Hello does not create cluster state");
});

t.test("an IPv4 client of a dual-stack socket is echoed as 4 bytes", async (t) => {
  const server = await startTestServer(t, { addr: "[::ffff:127.0.0.1]:0" });
  const client = connect(t, `127.0.0.1:${server.port}`);
  const reply = await unary(client, "hello", { clusterId: "fake", clientVersion: "" });
  t.equal(reply.clientIp.toString("hex"), "7f000001");
});

t.test("an IPv6 client is echoed as 16 bytes", async (t) => {
  const server = await startTestServer(t, { addr: "[::1]:0" });
  const client = connect(t, server);
  const reply = await unary(client, "hello", { clusterId: "fake", clientVersion: "" });
  t.equal(reply.clientIp.toString("hex"), "00000000000000000000000000000001");
});

t.test("2, 3: trusted proxy headers choose the echoed IP", async (t) => {
  const server = await startTestServer(t, TRUST);
  const client = connect(t, server);
  const hello = (headers: Record<string, string>) =>
    unary(client, "hello", { clusterId: "fake", clientVersion: "v0.12.0" }, { headers });
  t.equal((await hello({ "x-real-ip": "1.2.3.4" })).clientIp.toString("hex"), "01020304");
  t.equal((await hello({ "x-forwarded-for": "5.6.7.8,192.168.0.0.1" })).clientIp.toString("hex"), "05060708");
  t.equal(
    (await hello({ "x-real-ip": "not an ip", "x-forwarded-for": "5.6.7.8 , 1.1.1.1" })).clientIp.toString(
      "hex",
    ),
    "05060708",
    "an invalid X-Real-IP falls through to X-Forwarded-For",
  );
  t.equal(
    (await hello({ "x-forwarded-for": "garbage" })).clientIp.toString("hex"),
    "7f000001",
    "invalid headers fall through to the peer",
  );
});

t.test("by default proxy headers are ignored", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  const reply = await unary(
    client,
    "hello",
    { clusterId: "fake", clientVersion: "" },
    { headers: { "x-real-ip": "1.2.3.4", "x-forwarded-for": "5.6.7.8" } },
  );
  t.equal(reply.clientIp.toString("hex"), "7f000001");
});

t.test("each trust flag enables only its own header", async (t) => {
  const server = await startTestServer(t, { trustFirstXForwardedFor: true });
  const client = connect(t, server);
  const reply = await unary(
    client,
    "hello",
    { clusterId: "fake", clientVersion: "" },
    { headers: { "x-real-ip": "1.2.3.4", "x-forwarded-for": "5.6.7.8" } },
  );
  t.equal(reply.clientIp.toString("hex"), "05060708");
});

t.test("4, 5: updates merge endpoints and keep data", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  await unary(
    client,
    "affiliateUpdate",
    update("fake1", "af1", { affiliateData: b("data1"), affiliateEndpoints: [b("e1"), b("e2")] }),
  );
  let list = await unary(client, "list", { clusterId: "fake1" });
  t.same(list.affiliates, [{ id: "af1", data: b("data1"), endpoints: [b("e1"), b("e2")] }]);

  await unary(client, "affiliateUpdate", update("fake1", "af1", { affiliateEndpoints: [b("e3"), b("e2")] }));
  list = await unary(client, "list", { clusterId: "fake1" });
  t.same(list.affiliates, [{ id: "af1", data: b("data1"), endpoints: [b("e1"), b("e2"), b("e3")] }]);

  await unary(client, "affiliateUpdate", update("fake1", "af1", { affiliateData: Buffer.alloc(0) }));
  list = await unary(client, "list", { clusterId: "fake1" });
  t.same(list.affiliates[0]?.data, b("data1"), "empty data leaves the stored data alone");
});

t.test("6: delete of a missing affiliate is OK; delete removes", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  await unary(client, "affiliateDelete", { clusterId: "fake2", affiliateId: "af1" });
  await unary(
    client,
    "affiliateUpdate",
    update("fake2", "af1", { affiliateData: b("data1"), ttl: undefined }),
  );
  t.equal((await unary(client, "list", { clusterId: "fake2" })).affiliates.length, 1);
  await unary(client, "affiliateDelete", { clusterId: "fake2", affiliateId: "af1" });
  t.same((await unary(client, "list", { clusterId: "fake2" })).affiliates, []);
});

t.test("List includes data-less affiliates", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  await unary(client, "affiliateUpdate", update("c", "no-data", { affiliateEndpoints: [b("e")] }));
  const list = await unary(client, "list", { clusterId: "c" });
  t.same(list.affiliates, [{ id: "no-data", data: Buffer.alloc(0), endpoints: [b("e")] }]);
});

t.test("7: Watch sends the snapshot, then one affiliate per message", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  await unary(client, "affiliateUpdate", update("fake3", "af1", { affiliateData: b("data1") }));
  const watch = WatchReader.open(client, "fake3");
  t.teardown(() => watch.cancel());
  t.same(await watch.next(), {
    deleted: false,
    affiliates: [{ id: "af1", data: b("data1"), endpoints: [] }],
  });
  await unary(client, "affiliateUpdate", update("fake3", "af2", { affiliateData: b("data2") }));
  t.same(await watch.next(), {
    deleted: false,
    affiliates: [{ id: "af2", data: b("data2"), endpoints: [] }],
  });
  await unary(client, "affiliateDelete", { clusterId: "fake3", affiliateId: "af1" });
  t.same(await watch.next(), {
    deleted: true,
    affiliates: [{ id: "af1", data: Buffer.alloc(0), endpoints: [] }],
  });
});

t.test("Watch on an empty cluster starts with an empty message", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  const watch = WatchReader.open(client, "empty");
  t.teardown(() => watch.cancel());
  t.same(await watch.next(), { deleted: false, affiliates: [] });
});

t.test("8: IP reporting can be disabled", async (t) => {
  const off = await startTestServer(t, { reportClientIP: false });
  const on = await startTestServer(t);
  const hello = (server: typeof on) =>
    unary(connect(t, server), "hello", { clusterId: "fake", clientVersion: "" });
  t.equal((await hello(off)).clientIp.length, 0);
  t.ok((await hello(on)).clientIp.length > 0);
});

t.test("16: a redirecting server redirects every Hello and still serves", async (t) => {
  const server = await startTestServer(t, { redirectEndpoint: "new.example.com:443" });
  const client = connect(t, server);
  const reply = await unary(client, "hello", { clusterId: "fake", clientVersion: "" });
  t.equal(reply.redirect?.endpoint, "new.example.com:443");
  t.equal(reply.clientIp.toString("hex"), "7f000001", "the IP is still echoed");
  await unary(client, "affiliateUpdate", update("c", "a", { affiliateData: b("d") }));
  t.equal((await unary(client, "list", { clusterId: "c" })).affiliates.length, 1);
});
