// Per-IP rate limiting over real gRPC (protocol §8 item 15, §7.6). The
// limiter's clock is frozen so that no token refills while a test runs: the
// outcome then depends on counts, never on how fast this machine is.
import { status } from "@grpc/grpc-js";
import t from "tap";
import { connect, failure, ManualClock, startTestServer, unary, WatchReader } from "./helpers.js";

const hello = { clusterId: "fake", clientVersion: "v0.12.0" };

t.test("15: rate 1/s, burst 60, 1 s deadline: 60 Hellos pass, the 61st is refused, per IP", async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, {
    rateLimit: { perSecond: 1, burst: 60 },
    limiterNow: clock.now,
    trustXRealIP: true,
    trustFirstXForwardedFor: true,
  });
  const client = connect(t, server);
  const bursts: Record<string, string>[] = [{ "x-real-ip": "1.2.3.4" }, { "x-forwarded-for": "5.6.7.8" }];
  for (const headers of bursts) {
    for (let i = 0; i < 60; i++) await unary(client, "hello", hello, { headers, deadlineMs: 1000 });
    const err = await failure(unary(client, "hello", hello, { headers, deadlineMs: 1000 }));
    t.equal(err.code, status.RESOURCE_EXHAUSTED, `${Object.keys(headers)[0]}: code`);
    t.equal(err.details, "rate limit exceeds request timeout", `${Object.keys(headers)[0]}: message`);
  }
  await unary(client, "hello", hello, { deadlineMs: 1000 });
  t.pass("the loopback peer has a bucket of its own");
});

t.test("a call waits for a token when its deadline allows it", async (t) => {
  const server = await startTestServer(t, { rateLimit: { perSecond: 20, burst: 1 } });
  const client = connect(t, server);
  await unary(client, "hello", hello);
  const reply = await unary(client, "hello", hello, { deadlineMs: 5000 });
  t.equal(reply.clientIp.toString("hex"), "7f000001", "the second call was delayed, not refused");
});

t.test("a Watch start counts against the bucket and waits instead of failing", async (t) => {
  const server = await startTestServer(t, { rateLimit: { perSecond: 20, burst: 1 } });
  const client = connect(t, server);
  await unary(client, "hello", hello);
  const watch = WatchReader.open(client, "c");
  t.teardown(() => watch.cancel());
  t.same(await watch.next(), { deleted: false, affiliates: [] });
});

t.test("rejected calls do not consume tokens", async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { rateLimit: { perSecond: 1, burst: 2 }, limiterNow: clock.now });
  const client = connect(t, server);
  await unary(client, "hello", hello, { deadlineMs: 500 });
  await unary(client, "hello", hello, { deadlineMs: 500 });
  for (let i = 0; i < 3; i++) await failure(unary(client, "hello", hello, { deadlineMs: 500 }));
  clock.advance(1000);
  await unary(client, "hello", hello, { deadlineMs: 500 });
  t.pass("one second refills exactly the one token the next call needs");
});

t.test("by default proxy headers do not pick a fresh bucket", async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { rateLimit: { perSecond: 1, burst: 3 }, limiterNow: clock.now });
  const client = connect(t, server);
  for (let i = 0; i < 3; i++) {
    await unary(client, "hello", hello, { headers: { "x-real-ip": `10.0.0.${i}` }, deadlineMs: 500 });
  }
  const err = await failure(
    unary(client, "hello", hello, { headers: { "x-real-ip": "10.0.0.9" }, deadlineMs: 500 }),
  );
  t.equal(err.code, status.RESOURCE_EXHAUSTED, "all calls share the peer's bucket");
});
