// Cluster and subscription units (protocol §8 items 28–31).
import t from "tap";
import { ClusterState } from "../../../src/server/state/cluster.js";
import type { Subscription, WatchEvent } from "../../../src/server/state/subscription.js";

const t0 = Date.UTC(2025, 0, 1);
const minute = 60_000;
const b = (s: string) => Buffer.from(s);

function drain(subscription: Subscription): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (let e = subscription.take(); e; e = subscription.take()) events.push(e);
  return events;
}

const summary = (e: WatchEvent) => `${e.deleted ? "-" : "+"}${e.affiliate.id}:${e.affiliate.data.toString()}`;

t.test("28: subscribers get upserts and deletions in order; GC emits deletions", async (t) => {
  const cluster = new ClusterState("c");
  const subscription = cluster.subscribe(32);
  t.same(cluster.list(), []);
  cluster.update({ affiliateId: "af1", data: b("data1"), endpoints: [], ttlMs: minute }, t0);
  cluster.update({ affiliateId: "af2", data: b("data2"), endpoints: [], ttlMs: minute }, t0);
  cluster.delete("af1");
  t.same(drain(subscription).map(summary), ["+af1:data1", "+af2:data2", "-af1:"]);
  t.equal(cluster.collect(t0 + 2 * minute), 1);
  t.same(drain(subscription).map(summary), ["-af2:"]);
});

t.test("updates that change nothing notify nobody", async (t) => {
  const cluster = new ClusterState("c");
  cluster.update({ affiliateId: "af", endpoints: [b("e")], ttlMs: minute }, t0);
  const subscription = cluster.subscribe(32);
  cluster.update({ affiliateId: "af", endpoints: [b("e")], ttlMs: 2 * minute }, t0);
  cluster.update({ affiliateId: "af", data: Buffer.alloc(0), endpoints: [], ttlMs: minute }, t0);
  cluster.delete("missing");
  t.same(drain(subscription), []);
  t.equal(cluster.list()[0]?.id, "af");
  t.equal([...cluster.records()][0]?.expiresAt, t0 + 2 * minute, "the refresh still extended the expiry");
});

t.test("29: a watched cluster is not empty; after unsubscribing it is", async (t) => {
  const cluster = new ClusterState("c");
  const subscription = cluster.subscribe(32);
  t.notOk(cluster.isEmpty);
  cluster.unsubscribe(subscription);
  t.ok(cluster.isEmpty);
});

t.test("30: a subscriber with buffer 1 loses after 4 events; buffer 16 gets all 4 in order", async (t) => {
  const cluster = new ClusterState("c");
  const small = cluster.subscribe(1);
  const large = cluster.subscribe(16);
  for (let i = 0; i < 4; i++)
    cluster.update({ affiliateId: `af${i}`, data: b(`d${i}`), endpoints: [], ttlMs: minute }, t0);
  t.ok(small.lost, "the small subscriber lost an update");
  t.equal(small.take(), undefined, "and holds nothing more");
  t.same(drain(large).map(summary), ["+af0:d0", "+af1:d1", "+af2:d2", "+af3:d3"]);
  t.equal(cluster.counts().subscriptions, 1, "the lost subscriber was removed from the cluster");
});

t.test("a lost subscriber wakes its consumer exactly when it is lost", async (t) => {
  const cluster = new ClusterState("c");
  const subscription = cluster.subscribe(1);
  let wakes = 0;
  subscription.onWake(() => wakes++);
  cluster.update({ affiliateId: "a", endpoints: [], ttlMs: minute }, t0);
  cluster.update({ affiliateId: "b", endpoints: [], ttlMs: minute }, t0);
  cluster.update({ affiliateId: "c", endpoints: [], ttlMs: minute }, t0);
  t.equal(wakes, 2, "once for the queued event, once for the loss, never again");
  t.ok(subscription.lost);
});

t.test("31: 1024 affiliates are fine; the 1025th is refused and not stored", async (t) => {
  const cluster = new ClusterState("c");
  for (let i = 0; i < 1024; i++) cluster.update({ affiliateId: `af${i}`, endpoints: [], ttlMs: minute }, t0);
  t.throws(() => cluster.update({ affiliateId: "af1024", data: b("x"), endpoints: [], ttlMs: minute }, t0), {
    kind: "resource-exhausted",
    message: "too many affiliates in the cluster",
  });
  t.equal(cluster.counts().affiliates, 1024);
  cluster.update({ affiliateId: "af3", data: b("ok"), endpoints: [], ttlMs: minute }, t0);
  t.pass("existing affiliates still accept updates");
});

t.test("a partial endpoint merge is announced before the error", async (t) => {
  const cluster = new ClusterState("c");
  const endpoints = Array.from({ length: 64 }, (_, i) => b(`e${i}`));
  cluster.update({ affiliateId: "af", endpoints, ttlMs: minute }, t0);
  const subscription = cluster.subscribe(32);
  t.throws(
    () => cluster.update({ affiliateId: "af", data: b("new"), endpoints: [b("x")], ttlMs: minute }, t0),
    {
      message: "too many endpoints in the affiliate",
    },
  );
  t.same(drain(subscription).map(summary), ["+af:new"]);
});

t.test("the version moves with every visible change and only then", async (t) => {
  const cluster = new ClusterState("c");
  const versions = [cluster.version];
  const step = () => versions.push(cluster.version);
  cluster.update({ affiliateId: "a", endpoints: [b("e")], ttlMs: minute }, t0);
  step();
  cluster.update({ affiliateId: "a", endpoints: [b("e")], ttlMs: 2 * minute }, t0);
  step();
  cluster.delete("missing");
  step();
  cluster.delete("a");
  step();
  t.same(versions, [0, 1, 1, 1, 2]);
});
