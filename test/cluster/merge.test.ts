import t from "tap";
import type { Affiliate } from "../../src/cluster/affiliate.js";
import { mergeAffiliates, type RawAffiliate } from "../../src/cluster/merge.js";
import { makeAffiliate, testKey } from "./make-affiliate.js";

const NODE = "7x1SuC8Ege5BGXdAfTEff5iQnlWZLfv9h1LGMxA2pYkC";
const record = (id: string, affiliate: Affiliate): RawAffiliate => ({
  id,
  source: id.slice(0, id.lastIndexOf("/")),
  affiliate,
});
// Plain data for comparison: IPs, prefixes and endpoints as text.
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

const k8s = makeAffiliate(NODE, {
  addresses: ["10.0.0.1", "192.168.1.1"],
  hostname: "node-a.k8s",
  nodename: "node-a",
  machineType: "worker",
  operatingSystem: "Debian",
  invalid: ["zero address in addresses"],
  kubespan: {
    publicKey: testKey(1),
    address: "fd50::1",
    additionalAddresses: ["10.244.1.0/24"],
    excludedNetworks: ["10.244.1.128/25"],
    endpoints: ["10.0.0.1:51820"],
  },
});
const service = makeAffiliate(NODE, {
  addresses: ["192.168.1.1", "2001:db8::1"],
  hostname: "node-a.example",
  nodename: "",
  machineType: "unknown",
  operatingSystem: "",
  apiServerPort: 6443,
  invalid: ["zero address in addresses", "prefix 10.0.0.0/40"],
  kubespan: {
    publicKey: testKey(2),
    address: "fd50::2",
    additionalAddresses: ["10.244.1.0/24", "10.244.2.0/24"],
    excludedNetworks: ["10.244.2.0/25"],
    endpoints: ["10.0.0.1:51820", "203.0.113.7:51820"],
  },
});

t.test("merges in ascending raw-record ID order, whatever the input order", async (t) => {
  const expected = {
    nodeId: NODE,
    addresses: ["10.0.0.1", "192.168.1.1", "2001:db8::1"],
    hostname: "node-a.example",
    nodename: "node-a",
    machineType: "worker",
    operatingSystem: "Debian",
    kubespan: {
      publicKey: testKey(2),
      address: "fd50::2",
      additionalAddresses: ["10.244.1.0/24", "10.244.2.0/24"],
      excludedNetworks: ["10.244.1.128/25", "10.244.2.0/25"],
      endpoints: ["10.0.0.1:51820", "203.0.113.7:51820"],
    },
    controlPlane: { apiServerPort: 6443 },
    invalid: ["zero address in addresses", "prefix 10.0.0.0/40"],
    sources: ["k8s", "service"],
  };
  const forward = [record(`k8s/${NODE}`, k8s), record(`service/${NODE}`, service)];
  t.same(plain(mergeAffiliates(forward)), [expected]);
  t.same(plain(mergeAffiliates([...forward].reverse())), [expected], "reversed input");
});

t.test("per-field rules", async (t) => {
  const base = makeAffiliate(NODE, {
    hostname: "h1",
    nodename: "n1",
    machineType: "controlplane",
    operatingSystem: "os1",
    apiServerPort: 6443,
    kubespan: { publicKey: testKey(1), address: "fd50::1" },
  });
  const merge = (other: Affiliate) =>
    plain(mergeAffiliates([record(`a/${NODE}`, base), record(`b/${NODE}`, other)])[0]);
  const empty = merge(makeAffiliate(NODE, { kubespan: {} }));
  t.equal(empty.hostname, "h1", "empty hostname does not replace");
  t.equal(empty.nodename, "n1", "empty nodename does not replace");
  t.equal(empty.operatingSystem, "os1", "empty OS does not replace");
  t.equal(empty.machineType, "controlplane", "unknown machine type does not replace");
  t.same(empty.controlPlane, { apiServerPort: 6443 }, "absent control plane does not replace");
  t.equal(empty.kubespan.publicKey, testKey(1), "empty key does not replace");
  t.equal(empty.kubespan.address, "fd50::1", "undefined KubeSpan address does not replace");

  const full = merge(
    makeAffiliate(NODE, {
      hostname: "h2",
      nodename: "n2",
      machineType: "worker",
      operatingSystem: "os2",
      apiServerPort: 7443,
    }),
  );
  t.match(full, { hostname: "h2", nodename: "n2", machineType: "worker", operatingSystem: "os2" });
  t.same(full.controlPlane, { apiServerPort: 7443 });
  t.equal(full.kubespan.publicKey, testKey(1), "a record without KubeSpan leaves KubeSpan alone");

  const noKubeSpanFirst = plain(
    mergeAffiliates([
      record(`a/${NODE}`, makeAffiliate(NODE, { nodename: "n1" })),
      record(
        `b/${NODE}`,
        makeAffiliate(NODE, { kubespan: { publicKey: testKey(3), endpoints: ["1.2.3.4:5"] } }),
      ),
    ])[0],
  );
  t.same(noKubeSpanFirst.kubespan, {
    publicKey: testKey(3),
    additionalAddresses: [],
    excludedNetworks: [],
    endpoints: ["1.2.3.4:5"],
  });
});

t.test("ordered unions compare by value; prefixes keep host bits", async (t) => {
  const a = makeAffiliate(NODE, {
    addresses: ["10.0.0.1", "::ffff:10.0.0.1"],
    kubespan: { additionalAddresses: ["10.1.0.1/24"], endpoints: ["10.0.0.1:1"] },
  });
  const b = makeAffiliate(NODE, {
    addresses: ["::ffff:10.0.0.1", "10.0.0.1", "10.0.0.2"],
    kubespan: {
      additionalAddresses: ["10.1.0.0/24", "10.1.0.1/24"],
      endpoints: ["10.0.0.1:2", "10.0.0.1:1"],
    },
  });
  const [merged] = plain(mergeAffiliates([record(`a/${NODE}`, a), record(`b/${NODE}`, b)]));
  t.same(merged.addresses, ["10.0.0.1", "::ffff:10.0.0.1", "10.0.0.2"]);
  t.same(merged.kubespan.additionalAddresses, ["10.1.0.1/24", "10.1.0.0/24"]);
  t.same(merged.kubespan.endpoints, ["10.0.0.1:1", "10.0.0.1:2"]);
});

t.test("recomputing after removals", async (t) => {
  const raw = new Map<string, Affiliate>([
    [`k8s/${NODE}`, makeAffiliate(NODE, { nodename: "node-a" })],
    [`service/${NODE}`, makeAffiliate(NODE, { kubespan: { publicKey: testKey(1), address: "fd50::1" } })],
  ]);
  t.ok(mergeAffiliates(raw)[0]?.kubespan, "KubeSpan data from the service record");
  raw.delete(`service/${NODE}`);
  const [merged] = mergeAffiliates(raw);
  t.equal(merged?.kubespan, undefined, "removing the only KubeSpan record clears KubeSpan");
  t.equal(merged?.nodename, "node-a");
  t.same(merged?.sources, ["k8s"], "Map keys give the source");
  raw.delete(`k8s/${NODE}`);
  t.same(mergeAffiliates(raw), [], "no records, no merged affiliate");
});

t.test("groups by node ID and sorts the result byte-wise", async (t) => {
  const ids = ["b", "B", "a", "\u{10000}", "\uffff"];
  const merged = mergeAffiliates(ids.map((id) => record(`service/${id}`, makeAffiliate(id))));
  t.same(
    merged.map((m) => m.nodeId),
    ["B", "a", "b", "\uffff", "\u{10000}"],
  );
  const twoSources = mergeAffiliates([
    record("service:one/x", makeAffiliate("x")),
    record("service:two/x", makeAffiliate("x")),
    record("service:one/y", makeAffiliate("y")),
  ]);
  t.same(
    twoSources.map((m) => [m.nodeId, m.sources]),
    [
      ["x", ["service:one", "service:two"]],
      ["y", ["service:one"]],
    ],
  );
  t.same(mergeAffiliates(new Map([["noslash", makeAffiliate("z")]]))[0]?.sources, ["noslash"]);
});

t.test("inputs are never modified", async (t) => {
  const a = makeAffiliate(NODE, {
    addresses: ["10.0.0.1"],
    invalid: ["x"],
    kubespan: { endpoints: ["1.1.1.1:1"] },
  });
  const b = makeAffiliate(NODE, {
    addresses: ["10.0.0.2"],
    invalid: ["y"],
    kubespan: { endpoints: ["2.2.2.2:2"] },
  });
  const before = plain([a, b]);
  const [merged] = mergeAffiliates([record(`a/${NODE}`, a), record(`b/${NODE}`, b)]);
  merged!.addresses.length = 0;
  t.same(plain([a, b]), before);
});
