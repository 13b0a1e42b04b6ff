import t from "tap";
import { RECONNECT_GRACE_MS, ReconnectGrace } from "../../src/discovery/reconnect-grace.js";

t.test("held records expire after the grace period unless settled", async (t) => {
  const grace = new ReconnectGrace();
  t.equal(grace.nextExpiry(), undefined);
  grace.hold(["a", "b", "c"], 1_000);
  t.equal(grace.nextExpiry(), 1_000 + RECONNECT_GRACE_MS);
  grace.settle("b");
  t.same(grace.expired(1_000 + RECONNECT_GRACE_MS - 1), [], "nothing before the end");
  t.same(grace.expired(1_000 + RECONNECT_GRACE_MS), ["a", "c"], "the unsettled ones, once");
  t.same(grace.expired(1_000 + 2 * RECONNECT_GRACE_MS), []);
  t.equal(grace.nextExpiry(), undefined);
});

t.test("a second reconnect does not extend a running grace period", async (t) => {
  const grace = new ReconnectGrace();
  grace.hold(["a"], 0, 100);
  grace.hold(["a", "b"], 50, 100);
  t.same(grace.expired(100), ["a"]);
  t.same(grace.expired(150), ["b"]);
});
