import t from "tap";
import { type Affiliate, emptyAffiliate } from "../../src/cluster/affiliate.js";
import { applyWatchMessage, type Opener, type SealedAffiliate } from "../../src/discovery/watch-apply.js";

// A fake opener: data is the node ID in clear; "bad" fails to decrypt.
const open: Opener = (record) => {
  const text = Buffer.from(record.data).toString();
  if (text === "bad") return { ok: false, reason: "authentication failed" };
  return { ok: true, affiliate: emptyAffiliate(text), skippedEndpoints: record.endpoints.length };
};
const rec = (id: string, data = id, endpoints = 0): SealedAffiliate => ({
  id,
  data: Buffer.from(data),
  endpoints: Array.from({ length: endpoints }, () => Buffer.alloc(16)),
});
const ids = (m: ReadonlyMap<string, Affiliate>) => [...m.keys()].sort();

t.test("a snapshot replaces the known set and skips our own ID", async (t) => {
  const before = new Map([["stale", emptyAffiliate("stale")]]);
  const out = applyWatchMessage(
    before,
    { affiliates: [rec("a"), rec("self"), rec("b")], deleted: false },
    true,
    "self",
    open,
  );
  t.same(ids(out.affiliates), ["a", "b"]);
  t.ok(before.has("stale"), "input map is not mutated");
});

t.test("later messages upsert or delete single records", async (t) => {
  let known: ReadonlyMap<string, Affiliate> = new Map([["a", emptyAffiliate("a")]]);
  known = applyWatchMessage(
    known,
    { affiliates: [rec("b")], deleted: false },
    false,
    "self",
    open,
  ).affiliates;
  t.same(ids(known), ["a", "b"]);
  known = applyWatchMessage(
    known,
    { affiliates: [{ id: "a", data: Buffer.alloc(0), endpoints: [] }], deleted: true },
    false,
    "self",
    open,
  ).affiliates;
  t.same(ids(known), ["b"]);
  known = applyWatchMessage(
    known,
    { affiliates: [rec("self")], deleted: true },
    false,
    "self",
    open,
  ).affiliates;
  t.same(ids(known), ["b"], "a deletion of our own ID is ignored too");
});

t.test("data-less records leave an existing entry alone", async (t) => {
  const a = emptyAffiliate("a");
  const out = applyWatchMessage(
    new Map([["a", a]]),
    { affiliates: [rec("a", "")], deleted: false },
    false,
    "self",
    open,
  );
  t.equal(out.affiliates.get("a"), a);
  const snap = applyWatchMessage(
    new Map([["a", a]]),
    { affiliates: [rec("a", "")], deleted: false },
    true,
    "self",
    open,
  );
  t.equal(snap.affiliates.size, 0, "a snapshot holding only a data-less record drops it");
});

t.test("undecryptable records and node-ID mismatches are skipped and reported", async (t) => {
  const out = applyWatchMessage(
    new Map(),
    { affiliates: [rec("x", "bad"), rec("y", "z"), rec("ok", "ok", 2)], deleted: false },
    true,
    "self",
    open,
  );
  t.same(ids(out.affiliates), ["ok"]);
  t.same(
    out.skipped.map((s) => s.id),
    ["x", "y"],
  );
  t.match(out.skipped[1]?.reason, /differs from record ID/);
  t.equal(out.skippedEndpoints, 2);
});

t.test("a snapshot after a reconnect can keep records it does not list, and says which", async (t) => {
  const before = new Map([
    ["a", emptyAffiliate("a")],
    ["gone", emptyAffiliate("gone")],
  ]);
  const out = applyWatchMessage(
    before,
    { affiliates: [rec("a"), rec("b")], deleted: false },
    true,
    "self",
    open,
    true,
  );
  t.same(ids(out.affiliates), ["a", "b", "gone"]);
  t.same(out.absent, ["gone"]);
  const plain = applyWatchMessage(before, { affiliates: [rec("a")], deleted: false }, true, "self", open);
  t.same(ids(plain.affiliates), ["a"], "without retainAbsent the snapshot replaces the set");
  t.same(plain.absent, []);
});
