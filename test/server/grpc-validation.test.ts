// Validation and limits over real gRPC (protocol §8 items 9–14, §4.2, §4.3).
import { status } from "@grpc/grpc-js";
import t from "tap";
import { b, connect, failure, startTestServer, unary, update, WatchReader } from "./helpers.js";

const long = (n: number) => "x".repeat(n);

t.test("9, 10, 13: invalid requests get INVALID_ARGUMENT with the exact message", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      "Hello{}",
      () => unary(client, "hello", { clusterId: "", clientVersion: "" }),
      "cluster ID can't be empty",
    ],
    [
      "Hello long",
      () => unary(client, "hello", { clusterId: long(1024), clientVersion: "" }),
      "cluster ID is too long",
    ],
    ["Update{}", () => unary(client, "affiliateUpdate", update("", "")), "cluster ID can't be empty"],
    [
      "Update long cluster",
      () => unary(client, "affiliateUpdate", update(long(257), "a")),
      "cluster ID is too long",
    ],
    [
      "Update no affiliate",
      () => unary(client, "affiliateUpdate", update("c", "")),
      "affiliate ID can't be empty",
    ],
    [
      "Update long affiliate",
      () => unary(client, "affiliateUpdate", update("c", long(257))),
      "affiliate ID is too long",
    ],
    [
      "Update big data",
      () => unary(client, "affiliateUpdate", update("c", "a", { affiliateData: Buffer.alloc(2049) })),
      "affiliate data is too big",
    ],
    [
      "Update big endpoint",
      () =>
        unary(
          client,
          "affiliateUpdate",
          update("c", "a", { affiliateEndpoints: [b("ok"), Buffer.alloc(33)] }),
        ),
      "affiliate endpoint is too big",
    ],
    [
      "Update long ttl",
      () => unary(client, "affiliateUpdate", update("c", "a", { ttl: { seconds: 1800, nanos: 1 } })),
      "ttl is too large",
    ],
    [
      "Update: order is cluster, affiliate, data, endpoint, ttl",
      () =>
        unary(
          client,
          "affiliateUpdate",
          update("c", "a", {
            affiliateData: Buffer.alloc(2049),
            affiliateEndpoints: [Buffer.alloc(33)],
            ttl: { seconds: 9999, nanos: 0 },
          }),
        ),
      "affiliate data is too big",
    ],
    [
      "Update: endpoint before ttl",
      () =>
        unary(
          client,
          "affiliateUpdate",
          update("c", "a", { affiliateEndpoints: [Buffer.alloc(33)], ttl: { seconds: 9999, nanos: 0 } }),
        ),
      "affiliate endpoint is too big",
    ],
    [
      "Update: cluster before affiliate",
      () => unary(client, "affiliateUpdate", update("", long(300))),
      "cluster ID can't be empty",
    ],
    [
      "Delete{}",
      () => unary(client, "affiliateDelete", { clusterId: "", affiliateId: "" }),
      "cluster ID can't be empty",
    ],
    [
      "Delete long cluster",
      () => unary(client, "affiliateDelete", { clusterId: long(257), affiliateId: "a" }),
      "cluster ID is too long",
    ],
    [
      "Delete no affiliate",
      () => unary(client, "affiliateDelete", { clusterId: "c", affiliateId: "" }),
      "affiliate ID can't be empty",
    ],
    [
      "Delete long affiliate",
      () => unary(client, "affiliateDelete", { clusterId: "c", affiliateId: long(257) }),
      "affiliate ID is too long",
    ],
    ["List{}", () => unary(client, "list", { clusterId: "" }), "cluster ID can't be empty"],
    ["List long", () => unary(client, "list", { clusterId: long(257) }), "cluster ID is too long"],
  ];
  for (const [name, call, message] of cases) {
    const err = await failure(call());
    t.equal(err.code, status.INVALID_ARGUMENT, `${name}: code`);
    t.equal(err.details, message, `${name}: message`);
  }
  t.equal(server.state.stats().affiliates, 0, "nothing invalid was stored");
});

t.test("limits are in UTF-8 bytes and inclusive", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  const ok = update(long(256), long(256), {
    affiliateData: Buffer.alloc(2048),
    affiliateEndpoints: [Buffer.alloc(32)],
    ttl: { seconds: 1800, nanos: 0 },
  });
  await unary(client, "affiliateUpdate", ok);
  t.pass("every field at its maximum is accepted");
  const err = await failure(unary(client, "list", { clusterId: "é".repeat(129) }));
  t.equal(err.details, "cluster ID is too long", "129 two-byte characters are 258 bytes");
  await unary(client, "affiliateUpdate", update("c", "negative", { ttl: { seconds: -5, nanos: 0 } }));
  t.pass("a negative ttl is accepted");
});

t.test("14: Watch with an invalid cluster ID fails on the first receive", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  for (const [clusterId, message] of [
    ["", "cluster ID can't be empty"],
    [long(257), "cluster ID is too long"],
  ] as const) {
    const watch = WatchReader.open(client, clusterId);
    const end = await watch.end();
    t.not(end, "end");
    if (end !== "end") {
      t.equal(end.code, status.INVALID_ARGUMENT);
      t.equal(end.details, message);
    }
    t.equal(watch.received, 0, "no message before the error");
  }
});

t.test("11: the 1025th affiliate of a cluster is refused and nothing is stored", async (t) => {
  const server = await startTestServer(t, { rateLimit: { perSecond: 1e6, burst: 1e6 } });
  const client = connect(t, server);
  const batch = 128;
  for (let start = 0; start < 1024; start += batch) {
    await Promise.all(
      Array.from({ length: batch }, (_, i) =>
        unary(client, "affiliateUpdate", update("full", `af${start + i}`)),
      ),
    );
  }
  t.equal((await unary(client, "list", { clusterId: "full" })).affiliates.length, 1024);
  const err = await failure(
    unary(client, "affiliateUpdate", update("full", "one-more", { affiliateData: b("d") })),
  );
  t.equal(err.code, status.RESOURCE_EXHAUSTED);
  t.equal(err.details, "too many affiliates in the cluster");
  await unary(client, "affiliateUpdate", update("full", "af7", { affiliateData: b("still fine") }));
  t.pass("existing affiliates can still be updated");
  t.equal((await unary(client, "list", { clusterId: "full" })).affiliates.length, 1024);
});

t.test("12: the 65th endpoint is refused; earlier parts of the request stay applied", async (t) => {
  const server = await startTestServer(t, { rateLimit: { perSecond: 1e6, burst: 1e6 } });
  const client = connect(t, server);
  for (let i = 0; i < 64; i++) {
    await unary(client, "affiliateUpdate", update("c", "af", { affiliateEndpoints: [b(`endpoint${i}`)] }));
  }
  const watch = WatchReader.open(client, "c");
  t.teardown(() => watch.cancel());
  await watch.next();
  const err = await failure(
    unary(
      client,
      "affiliateUpdate",
      update("c", "af", {
        affiliateData: b("new data"),
        affiliateEndpoints: [b("endpoint3"), b("endpoint64")],
      }),
    ),
  );
  t.equal(err.code, status.RESOURCE_EXHAUSTED);
  t.equal(err.details, "too many endpoints in the affiliate");
  const [af] = (await unary(client, "list", { clusterId: "c" })).affiliates;
  t.same(af?.data, b("new data"), "the data of the failed request was applied");
  t.equal(af?.endpoints.length, 64);
  const event = await watch.next();
  t.same(event.affiliates[0]?.data, b("new data"), "watchers were told about the partial change");
});
