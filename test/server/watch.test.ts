// Watch behaviour over real gRPC: ordering across watchers, events from
// garbage collection, the slow-watcher abort, stream endings and keepalive.
import { status } from "@grpc/grpc-js";
import t from "tap";
import type { WatchResponse } from "../../src/gen/sidero/discovery/server/cluster.js";
import {
  b,
  connect,
  eventually,
  ManualClock,
  startTestServer,
  unary,
  update,
  WatchReader,
} from "./helpers.js";

const FAST = { rateLimit: { perSecond: 1e6, burst: 1e6 } };

t.test("every watcher sees the same events in the same order", async (t) => {
  const server = await startTestServer(t, FAST);
  const writers = [connect(t, server), connect(t, server), connect(t, server), connect(t, server)];
  const watchers = Array.from({ length: 3 }, () => WatchReader.open(connect(t, server), "order"));
  t.teardown(() => {
    for (const w of watchers) w.cancel();
  });
  for (const w of watchers) t.same(await w.next(), { deleted: false, affiliates: [] });
  const rounds = 25;
  for (let round = 0; round < rounds; round++) {
    // Four clients race each other; the server decides one order for everybody.
    await Promise.all(
      writers.map((client, i) =>
        round % 5 === 4
          ? unary(client, "affiliateDelete", { clusterId: "order", affiliateId: `af${i}` })
          : unary(
              client,
              "affiliateUpdate",
              update("order", `af${i}`, { affiliateData: b(`r${round}w${i}`) }),
            ),
      ),
    );
  }
  const expected = rounds * writers.length;
  const streams: WatchResponse[][] = [];
  for (const w of watchers) {
    const events: WatchResponse[] = [];
    for (let i = 0; i < expected; i++) events.push(await w.next());
    streams.push(events);
  }
  t.same(streams[1], streams[0], "watcher 2 saw watcher 1's order");
  t.same(streams[2], streams[0], "watcher 3 saw watcher 1's order");
  t.ok(
    streams[0]!.every((m) => m.affiliates.length === 1),
    "after the snapshot every message carries exactly one affiliate",
  );
});

t.test("garbage collection sends deletions and trims endpoints with an upsert", async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { now: clock.now, gcIntervalMs: 20 });
  const client = connect(t, server);
  const minute = { seconds: 60, nanos: 0 };
  await unary(client, "affiliateUpdate", update("gc", "short", { affiliateData: b("s"), ttl: minute }));
  await unary(
    client,
    "affiliateUpdate",
    update("gc", "long", { affiliateEndpoints: [b("old")], ttl: minute }),
  );
  clock.advance(30_000);
  await unary(
    client,
    "affiliateUpdate",
    update("gc", "long", { affiliateData: b("l"), affiliateEndpoints: [b("new")], ttl: minute }),
  );
  const watch = WatchReader.open(client, "gc");
  t.teardown(() => watch.cancel());
  t.equal((await watch.next()).affiliates.length, 2, "snapshot");

  clock.advance(31_000);
  const events = [await watch.next(), await watch.next()];
  const deletion = events.find((e) => e.deleted);
  const trimmed = events.find((e) => !e.deleted);
  t.same(
    deletion?.affiliates,
    [{ id: "short", data: Buffer.alloc(0), endpoints: [] }],
    "expired affiliate deleted",
  );
  t.same(
    trimmed?.affiliates,
    [{ id: "long", data: b("l"), endpoints: [b("new")] }],
    "expired endpoint dropped",
  );

  clock.advance(60_000);
  t.same(await watch.next(), {
    deleted: true,
    affiliates: [{ id: "long", data: Buffer.alloc(0), endpoints: [] }],
  });
  watch.cancel();
  await eventually(() => server.state.stats().clusters === 0, "the empty, unwatched cluster to be collected");
  t.pass("the cluster is gone once empty and unwatched");
});

t.test("a watcher that stops reading is aborted without holding others back", async (t) => {
  const server = await startTestServer(t, FAST);
  const writer = connect(t, server);
  const fast = WatchReader.open(connect(t, server), "slow");
  const slow = WatchReader.open(connect(t, server), "slow");
  t.teardown(() => {
    fast.cancel();
    slow.cancel();
  });
  await fast.next();
  await slow.next();
  slow.stream.pause();
  const data = Buffer.alloc(2000, 7);
  let sent = 0;
  // Bounded: far more than HTTP/2 windows plus 32 queued events can absorb.
  while (server.state.stats().subscriptions === 2 && sent < 3000) {
    data.writeUInt32BE(sent);
    await unary(writer, "affiliateUpdate", update("slow", "af", { affiliateData: data }));
    sent++;
  }
  t.equal(server.state.stats().subscriptions, 1, `the slow watcher was dropped after ${sent} updates`);
  const fastEvents: Buffer[] = [];
  for (let i = 0; i < sent; i++) fastEvents.push((await fast.next()).affiliates[0]!.data);
  t.ok(
    fastEvents.every((d, i) => d.readUInt32BE(0) === i),
    "the fast watcher received every update in order",
  );
  slow.stream.resume();
  const slowEvents: Buffer[] = [];
  let ending: unknown;
  for (;;) {
    try {
      slowEvents.push((await slow.next()).affiliates[0]!.data);
    } catch (err) {
      ending = err;
      break;
    }
  }
  const end = ending as { code?: number; details?: string };
  t.equal(end.code, status.ABORTED);
  t.equal(end.details, "subscription canceled: lost update");
  t.ok(slowEvents.length < sent, "the slow watcher missed updates");
  t.ok(
    slowEvents.every((d, i) => d.readUInt32BE(0) === i),
    "what it did receive is an in-order prefix",
  );
});

t.test("server shutdown ends watches with status OK", async (t) => {
  const server = await startTestServer(t);
  const watch = WatchReader.open(connect(t, server), "bye");
  await watch.next();
  await server.stop();
  t.equal(await watch.end(), "end");
  t.equal(server.state.stats().subscriptions, 0);
});

t.test("a cancelled watch unsubscribes", async (t) => {
  const server = await startTestServer(t);
  const watch = WatchReader.open(connect(t, server), "cancel");
  await watch.next();
  t.equal(server.state.stats().subscriptions, 1);
  watch.cancel();
  await eventually(() => server.state.stats().subscriptions === 0, "the subscription to go away");
  t.pass("subscription removed");
});

t.test("frequent client keepalive pings do not end a watch", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server, {
    "grpc.keepalive_time_ms": 100,
    "grpc.keepalive_timeout_ms": 1000,
    "grpc.keepalive_permit_without_calls": 1,
  });
  const watch = WatchReader.open(client, "ping");
  t.teardown(() => watch.cancel());
  await watch.next();
  // About 15 pings go out meanwhile; a server enforcing a ping policy would send GOAWAY.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await unary(connect(t, server), "affiliateUpdate", update("ping", "af", { affiliateData: b("x") }));
  t.same((await watch.next()).affiliates[0]?.id, "af", "the same stream still delivers");
});

t.test("a watcher sees events about its own affiliate and data-less ones", async (t) => {
  const server = await startTestServer(t);
  const client = connect(t, server);
  const watch = WatchReader.open(client, "own");
  t.teardown(() => watch.cancel());
  await watch.next();
  await unary(client, "affiliateUpdate", update("own", "me", { affiliateEndpoints: [b("e")] }));
  t.same(await watch.next(), {
    deleted: false,
    affiliates: [{ id: "me", data: Buffer.alloc(0), endpoints: [b("e")] }],
  });
  await unary(client, "affiliateUpdate", update("own", "me", { affiliateEndpoints: [b("e")] }));
  await unary(client, "affiliateUpdate", update("own", "me", { affiliateData: b("same") }));
  await unary(client, "affiliateUpdate", update("own", "me", { affiliateData: b("same") }));
  const [first, second] = [await watch.next(), await watch.next()];
  t.same(first.affiliates[0]?.data, b("same"), "a refresh without changes sent nothing; data did");
  t.same(second.affiliates[0]?.data, b("same"), "identical data is announced again");
});
