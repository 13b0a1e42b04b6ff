// Whole-state units (protocol §8 item 32, statistics).
import t from "tap";
import { DiscoveryState } from "../../../src/server/state/state.js";

const now = Date.UTC(2025, 0, 1);
const minute = 60_000;

t.test("32: GC drops untouched empty clusters at once and live ones when they expire", async (t) => {
  const state = new DiscoveryState();
  state.cluster("empty");
  state.cluster("live").update({ affiliateId: "af", endpoints: [], ttlMs: minute }, now);
  t.same(state.collect(now), { clustersRemoved: 1, affiliatesRemoved: 0 });
  t.equal(state.find("empty"), undefined);
  t.ok(state.find("live"));
  t.same(state.collect(now + 2 * minute), { clustersRemoved: 1, affiliatesRemoved: 1 });
  t.equal(state.stats().clusters, 0);
});

t.test("stats count clusters, affiliates, endpoints and subscriptions", async (t) => {
  const state = new DiscoveryState();
  state
    .cluster("a")
    .update({ affiliateId: "x", endpoints: [Buffer.from("1"), Buffer.from("2")], ttlMs: minute }, now);
  state.cluster("b").update({ affiliateId: "y", endpoints: [Buffer.from("3")], ttlMs: minute }, now);
  state.cluster("b").subscribe(32);
  t.same(state.stats(), { clusters: 2, affiliates: 2, endpoints: 3, subscriptions: 1 });
});

t.test("find() does not create clusters; cluster() does", async (t) => {
  const state = new DiscoveryState();
  t.equal(state.find("c"), undefined);
  t.equal(state.stats().clusters, 0);
  state.cluster("c");
  t.equal(state.stats().clusters, 1);
});
