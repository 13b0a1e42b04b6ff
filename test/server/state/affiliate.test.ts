// Affiliate record units (protocol §8 items 25–27).
import t from "tap";
import { AffiliateRecord } from "../../../src/server/state/affiliate.js";

const t0 = Date.UTC(2025, 0, 1);
const minute = 60_000;
const b = (s: string) => Buffer.from(s);
const endpoints = (a: AffiliateRecord) => a.endpoints.map((e) => e.data.toString());

t.test("25: lifecycle of data and endpoint merges", async (t) => {
  const a = new AffiliateRecord("af1", t0 + minute);
  a.setData(b("data1"), t0 + minute);
  t.same(a.data, b("data1"));
  t.same(a.mergeEndpoints([b("e1"), b("e2")], t0 + minute), { changed: true });
  t.same(a.mergeEndpoints([b("e1")], t0 + minute), { changed: false }, "a known endpoint is no change");
  t.same(a.mergeEndpoints([b("e1"), b("e3")], t0 + 3 * minute), { changed: true });
  t.same(endpoints(a), ["e1", "e2", "e3"], "insertion order");
  t.equal(a.expiresAt, t0 + 3 * minute, "the merge raised the affiliate's expiry");
});

t.test("26: collection of that affiliate", async (t) => {
  const a = new AffiliateRecord("af1", t0 + minute);
  a.setData(b("data1"), t0 + minute);
  a.mergeEndpoints([b("e1"), b("e2")], t0 + minute);
  a.mergeEndpoints([b("e1"), b("e3")], t0 + 3 * minute);
  t.equal(a.collect(t0), "kept");
  t.equal(a.collect(t0 + 2 * minute), "trimmed");
  t.same(endpoints(a), ["e1", "e3"]);
  t.equal(a.collect(t0 + 4 * minute), "expired");
});

t.test(
  "expiry boundaries: an affiliate lives through its expiry instant, an endpoint does not",
  async (t) => {
    const a = new AffiliateRecord("af", t0);
    a.mergeEndpoints([b("e")], t0);
    t.equal(a.collect(t0), "trimmed", "endpoint expiring exactly now is dropped");
    t.equal(a.collect(t0), "kept", "the affiliate itself survives its expiry instant");
    t.equal(a.collect(t0 + 1), "expired");
  },
);

t.test("data updates follow the new expiry even when it is earlier", async (t) => {
  const a = new AffiliateRecord("af", t0 + 30 * minute);
  a.setData(b("d"), t0 + minute);
  t.equal(a.expiresAt, t0 + minute);
  a.mergeEndpoints([], t0);
  t.equal(a.expiresAt, t0 + minute, "an endpoint merge never lowers it");
});

t.test("27: the 65th endpoint is refused; earlier ones in the same merge stay", async (t) => {
  const a = new AffiliateRecord("af", t0);
  for (let i = 0; i < 63; i++) t.ok(a.mergeEndpoints([b(`e${i}`)], t0).changed);
  const result = a.mergeEndpoints([b("e63"), b("e0"), b("e64"), b("e65")], t0 + minute);
  t.equal(result.changed, true);
  t.equal(result.error?.kind, "resource-exhausted");
  t.equal(result.error?.message, "too many endpoints in the affiliate");
  t.equal(a.endpoints.length, 64);
  t.equal(a.endpoints[0]?.expiresAt, t0 + minute, "the duplicate before the failure was refreshed");
  t.notOk(endpoints(a).includes("e64"));
});

t.test("view() is a copy that later merges do not change", async (t) => {
  const a = new AffiliateRecord("af", t0);
  a.mergeEndpoints([b("e1")], t0);
  const view = a.view();
  a.mergeEndpoints([b("e2")], t0);
  t.same(view.endpoints, [b("e1")]);
});
