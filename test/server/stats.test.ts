// The cached /stats figure (protocol §8 item 36).
import t from "tap";
import { DiscoveryState } from "../../src/server/state/state.js";
import { CachedCount } from "../../src/server/stats.js";
import { ManualClock } from "./helpers.js";

function setup(maxAgeMs: number) {
  const clock = new ManualClock();
  const state = new DiscoveryState();
  const add = (id: string) =>
    state.cluster("c").update({ affiliateId: id, endpoints: [], ttlMs: 60_000 }, clock.ms);
  return { clock, add, count: new CachedCount(() => state.stats().affiliates, maxAgeMs, clock.now) };
}

t.test("36: with a one-hour cache a new affiliate is not visible yet", async (t) => {
  const { clock, add, count } = setup(3_600_000);
  add("a");
  t.equal(count.value(), 1);
  add("b");
  t.equal(count.value(), 1, "still the cached value");
  clock.advance(3_600_000);
  t.equal(count.value(), 2, "recomputed after an hour");
});

t.test("36: with no cache the count is live", async (t) => {
  const { add, count } = setup(0);
  add("a");
  t.equal(count.value(), 1);
  add("b");
  t.equal(count.value(), 2);
});
