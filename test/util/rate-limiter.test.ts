// Token bucket units (protocol §8 item 35, §7.6).
import t from "tap";
import { RateLimiter } from "../../src/util/rate-limiter.js";

const t0 = 1_000_000;

t.test("35: full buckets are collected, partly used ones kept until they refill", async (t) => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
  limiter.reserve("unused", t0)!.cancel(t0);
  limiter.reserve("used", t0);
  t.equal(limiter.size, 2);
  t.equal(limiter.collect(t0), 1);
  t.equal(limiter.size, 1, "the partly used bucket stays");
  t.equal(limiter.collect(t0 + 2000), 1);
  t.equal(limiter.size, 0, "two seconds later everything has refilled");
});

t.test("35: separate keys have independent buckets", async (t) => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
  t.equal(limiter.reserve("1.2.3.4", t0)?.waitMs, 0);
  t.equal(limiter.reserve("5.6.7.8", t0)?.waitMs, 0);
  t.equal(limiter.reserve("1.2.3.4", t0)?.waitMs, 1000);
});

t.test("burst, then one token per 1/rate seconds, served in arrival order", async (t) => {
  const limiter = new RateLimiter({ perSecond: 15, burst: 60 });
  for (let i = 0; i < 60; i++) t.equal(limiter.reserve("ip", t0)?.waitMs, 0);
  const waits = [1, 2, 3].map(() => limiter.reserve("ip", t0)?.waitMs);
  t.same(
    waits.map((w) => Math.round(w! * 1000) / 1000),
    [66.667, 133.333, 200],
  );
  t.equal(limiter.reserve("ip", t0 + 1000)?.waitMs, 0, "a second later 15 tokens came back, 3 were owed");
});

t.test("a reservation that would reach the deadline is refused and consumes nothing", async (t) => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
  limiter.reserve("ip", t0);
  t.equal(limiter.reserve("ip", t0, 1000), undefined, "a wait ending exactly at the deadline is refused");
  t.equal(limiter.reserve("ip", t0, 999), undefined);
  t.equal(limiter.reserve("ip", t0, 1001)?.waitMs, 1000, "nothing was consumed by the refusals");
  t.equal(
    limiter.reserve("other", t0, 0)?.waitMs,
    0,
    "a call that need not wait passes even at its deadline",
  );
});

t.test("cancelling gives the token back", async (t) => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
  limiter.reserve("ip", t0);
  const waiting = limiter.reserve("ip", t0)!;
  t.equal(waiting.waitMs, 1000);
  waiting.cancel(t0);
  t.equal(
    limiter.reserve("ip", t0)?.waitMs,
    1000,
    "the next caller waits as if the cancelled one never came",
  );
});

t.test("a clock step backwards does not drain or overfill a bucket", async (t) => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 2 });
  limiter.reserve("ip", t0);
  t.equal(limiter.reserve("ip", t0 - 5000)?.waitMs, 0);
  t.equal(limiter.reserve("ip", t0 - 5000)?.waitMs, 1000);
});

t.test("nonsense limits are rejected with a clear error", async (t) => {
  t.throws(
    () => new RateLimiter({ perSecond: 0, burst: 1 }),
    /perSecond > 0 and burst >= 1, got perSecond=0/,
  );
  t.throws(() => new RateLimiter({ perSecond: 1, burst: 0 }), RangeError);
});
