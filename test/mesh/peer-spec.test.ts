import { readFileSync } from "node:fs";
import t from "tap";
import type { Affiliate } from "../../src/cluster/affiliate.js";
import { type ClaimPolicy, computePeerSpecs, isValidPublicKey } from "../../src/mesh/peer-spec.js";
import { Prefix } from "../../src/net/ip.js";
import { makeAffiliate, testKey } from "../cluster/make-affiliate.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const CLUSTER = "fd50:8d60:4238:6302::/64";
const policy: ClaimPolicy = { clusterPrefix: Prefix.parse(CLUSTER), localAddresses: [] };
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
const allowed = (affiliates: Affiliate[], p: ClaimPolicy = policy) =>
  Object.fromEntries(
    computePeerSpecs(affiliates, "local", p).specs.map((s) => [s.nodeId, s.allowedIPs.map(String)]),
  );

/** A peer with a valid key and KubeSpan address derived from `n`. */
const peer = (nodeId: string, n: number, extra: Parameters<typeof makeAffiliate>[1] = {}) =>
  makeAffiliate(nodeId, {
    nodename: `node-${n}`,
    ...extra,
    kubespan: { publicKey: testKey(n), address: `fd50:8d60:4238:6302::${n}`, ...extra.kubespan },
  });

t.test("vector: peer_allowed_ips", async (t) => {
  const v = vectors.peer_allowed_ips;
  const a = v.affiliate;
  const affiliate = makeAffiliate(a.node_id, {
    hostname: a.hostname,
    nodename: a.nodename,
    machineType: a.machine_type,
    addresses: a.addresses,
    kubespan: {
      publicKey: a.kubespan.public_key,
      address: a.kubespan.address,
      additionalAddresses: a.kubespan.additional_addresses,
      excludedNetworks: a.kubespan.exclude_advertised_networks,
      endpoints: a.kubespan.endpoints,
    },
  });
  const { specs, rejections } = computePeerSpecs([affiliate], "local", policy);
  const e = v.expected_peer_spec;
  t.same(plain(specs), [
    {
      publicKey: e.id,
      nodeId: a.node_id,
      label: e.label,
      address: e.address,
      allowedIPs: e.allowed_ips,
      endpoints: e.endpoints,
    },
  ]);
  t.same(rejections, []);
});

t.test("which affiliates become peers", async (t) => {
  const affiliates = [
    peer("local", 1, { addresses: ["10.0.0.1"] }),
    makeAffiliate("no-kubespan", { nodename: "plain", addresses: ["10.0.0.2"] }),
    makeAffiliate("empty-key", { kubespan: { publicKey: "", address: "fd50:8d60:4238:6302::3" } }),
    peer("node-b", 4),
  ];
  const { specs, rejections } = computePeerSpecs(affiliates, "local", policy);
  t.same(
    specs.map((s) => s.nodeId),
    ["node-b"],
    "local node, no KubeSpan and empty key give no peer",
  );
  t.same(rejections, [], "and they are not reported");
  t.same(computePeerSpecs([], "local", policy), { specs: [], rejections: [] });
});

t.test("overlaps: the smaller node ID wins, whatever the input order", async (t) => {
  const a = peer("AAA", 1, { addresses: ["10.0.0.5", "192.168.0.1"] });
  const b = peer("BBB", 2, { addresses: ["10.0.0.5", "192.168.0.2"] });
  const expected = {
    AAA: ["10.0.0.5/32", "192.168.0.1/32", "fd50:8d60:4238:6302::1/128"],
    BBB: ["192.168.0.2/32", "fd50:8d60:4238:6302::2/128"],
  };
  for (const input of [
    [a, b],
    [b, a],
  ]) {
    const result = computePeerSpecs(input, "local", policy);
    t.same(Object.fromEntries(result.specs.map((s) => [s.nodeId, s.allowedIPs.map(String)])), expected);
    t.same(result.rejections, [
      { nodeId: "BBB", label: "node-2", claim: "10.0.0.5/32", reason: "overlap", winner: "AAA" },
    ]);
  }
  // Byte-wise order: "B" < "a" (unlike a locale-aware order), and U+FFFF < U+10000
  // (unlike JavaScript's UTF-16 `<`).
  const pairs: [string, string][] = [
    ["B", "a"],
    ["\uffff", "\u{10000}"],
  ];
  for (const [winner, loser] of pairs) {
    const result = allowed([
      peer(loser, 1, { addresses: ["10.0.0.5"] }),
      peer(winner, 2, { addresses: ["10.0.0.5"] }),
    ]);
    t.same(result[winner], ["10.0.0.5/32", "fd50:8d60:4238:6302::2/128"], `${JSON.stringify(winner)} wins`);
    t.same(result[loser], ["fd50:8d60:4238:6302::1/128"]);
  }
});

t.test("overlaps subtract every earlier peer's final set", async (t) => {
  const peers = [
    peer("n1", 1, { kubespan: { additionalAddresses: ["10.0.0.0/24"] } }),
    peer("n2", 2, { kubespan: { additionalAddresses: ["10.0.0.0/22"] } }),
    peer("n3", 3, { kubespan: { additionalAddresses: ["10.0.0.0/21", "fd50:8d60:4238:6302::1/128"] } }),
  ];
  const { specs, rejections } = computePeerSpecs(peers, "local", policy);
  t.same(Object.fromEntries(specs.map((s) => [s.nodeId, s.allowedIPs.map(String)])), {
    n1: ["10.0.0.0/24", "fd50:8d60:4238:6302::1/128"],
    n2: ["10.0.1.0/24", "10.0.2.0/23", "fd50:8d60:4238:6302::2/128"],
    n3: ["10.0.4.0/22", "fd50:8d60:4238:6302::3/128"],
  });
  t.same(
    rejections.map((r) => [r.nodeId, r.claim, r.reason, r.winner]),
    [
      ["n2", "10.0.0.0/24", "overlap", "n1"],
      ["n3", "fd50:8d60:4238:6302::1/128", "cluster-prefix", undefined],
      ["n3", "10.0.0.0/24", "overlap", "n1"],
      ["n3", "10.0.1.0/24", "overlap", "n2"],
      ["n3", "10.0.2.0/23", "overlap", "n2"],
    ],
  );
});

t.test("two peers with the same KubeSpan address: the later one loses it", async (t) => {
  const a = peer("n1", 1);
  const b = peer("n2", 2, { kubespan: { address: "fd50:8d60:4238:6302::1" } });
  const { specs, rejections } = computePeerSpecs([b, a], "local", policy);
  t.same(
    specs.map((s) => [s.nodeId, s.allowedIPs.map(String)]),
    [
      ["n1", ["fd50:8d60:4238:6302::1/128"]],
      ["n2", []],
    ],
    "the spec is still created, with nothing to route",
  );
  t.same(rejections[0], {
    nodeId: "n2",
    label: "node-2",
    claim: "fd50:8d60:4238:6302::1/128",
    reason: "overlap",
    winner: "n1",
  });
});

t.test("peers skipped as a whole, without taking anything from later peers", async (t) => {
  const cases: { name: string; bad: Affiliate; reason: string; claim: string; winner?: string }[] = [
    {
      name: "invalid record (Talos skips it too)",
      bad: peer("n1", 1, { addresses: ["10.0.0.5"], invalid: ["zero address in addresses"] }),
      reason: "invalid-affiliate",
      claim: "zero address in addresses",
    },
    {
      name: "public key not base64 of 32 bytes",
      bad: peer("n1", 1, { addresses: ["10.0.0.5"], kubespan: { publicKey: "c2hvcnQ=" } }),
      reason: "invalid-public-key",
      claim: "c2hvcnQ=",
    },
    {
      name: "no KubeSpan address",
      bad: makeAffiliate("n1", {
        nodename: "node-1",
        addresses: ["10.0.0.5"],
        kubespan: { publicKey: testKey(1) },
      }),
      reason: "invalid-affiliate",
      claim: "missing KubeSpan address",
    },
    {
      name: "KubeSpan address outside the cluster /64",
      bad: peer("n1", 1, { addresses: ["10.0.0.5"], kubespan: { address: "fd50:8d60:4238:6303::1" } }),
      reason: "address-outside-cluster",
      claim: "fd50:8d60:4238:6303::1/128",
    },
    {
      name: "KubeSpan address is one of ours",
      bad: peer("n1", 1, { addresses: ["10.0.0.5"], kubespan: { address: "fd50:8d60:4238:6302::99" } }),
      reason: "local-address",
      claim: "fd50:8d60:4238:6302::99/128",
    },
    {
      name: "public key already used by an earlier node ID",
      bad: peer("n1", 1, { addresses: ["10.0.0.5"], kubespan: { publicKey: testKey(0) } }),
      reason: "duplicate-public-key",
      claim: testKey(0),
      winner: "n0",
    },
  ];
  const first = peer("n0", 0);
  const later = peer("n2", 2, { addresses: ["10.0.0.5"] });
  const withLocal = { ...policy, localAddresses: [Prefix.parse("fd50:8d60:4238:6302::99/128")] };
  for (const c of cases) {
    const { specs, rejections } = computePeerSpecs([later, c.bad, first], "local", withLocal);
    t.same(specs.map((s) => s.nodeId).sort(), ["n0", "n2"], `${c.name}: skipped`);
    t.same(
      specs.find((s) => s.nodeId === "n2")?.allowedIPs.map(String),
      ["10.0.0.5/32", "fd50:8d60:4238:6302::2/128"],
      `${c.name}: the later peer keeps the address`,
    );
    t.same(
      rejections,
      [
        {
          nodeId: "n1",
          label: "node-1",
          claim: c.claim,
          reason: c.reason,
          ...(c.winner ? { winner: c.winner } : {}),
        },
      ],
      `${c.name}: reported`,
    );
  }
});

t.test("policy is applied before overlaps: a refused claim takes nothing from later peers", async (t) => {
  const greedy = peer("n1", 1, { kubespan: { additionalAddresses: ["0.0.0.0/0"] } });
  const later = peer("n2", 2, { addresses: ["10.0.0.5"] });
  t.same(allowed([greedy, later]), {
    n1: ["fd50:8d60:4238:6302::1/128"],
    n2: ["10.0.0.5/32", "fd50:8d60:4238:6302::2/128"],
  });
  t.same(allowed([greedy, later], { ...policy, allowDefaultRoutes: true }), {
    n1: ["0.0.0.0/0", "fd50:8d60:4238:6302::1/128"],
    n2: ["fd50:8d60:4238:6302::2/128"],
  });
});

t.test("exclusions never remove the peer's own /128", async (t) => {
  const a = peer("n1", 1, {
    addresses: ["10.0.0.1"],
    kubespan: { excludedNetworks: ["fd50:8d60:4238:6302::/64", "10.0.0.0/8"] },
  });
  t.same(allowed([a]), { n1: ["fd50:8d60:4238:6302::1/128"] });
});

t.test("specs are sorted by public key and carry label and endpoints", async (t) => {
  const { specs } = computePeerSpecs(
    [
      peer("n1", 9, { kubespan: { endpoints: ["10.0.0.9:51820", "[2001:db8::9]:51820"] } }),
      peer("n2", 3),
      peer("n3", 5),
    ],
    "local",
    policy,
  );
  t.same(
    specs.map((s) => s.publicKey),
    [testKey(3), testKey(5), testKey(9)],
  );
  t.same(plain(specs[2]), {
    publicKey: testKey(9),
    nodeId: "n1",
    label: "node-9",
    address: "fd50:8d60:4238:6302::9",
    allowedIPs: ["fd50:8d60:4238:6302::9/128"],
    endpoints: ["10.0.0.9:51820", "[2001:db8::9]:51820"],
  });
});

t.test("isValidPublicKey", async (t) => {
  t.ok(isValidPublicKey("PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY="));
  t.ok(isValidPublicKey(testKey(1)));
  const bad = [
    "",
    "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY",
    "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRZ=",
    "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBR==",
    "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBR_=",
    " PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=",
    Buffer.alloc(33).toString("base64"),
  ];
  for (const key of bad) t.notOk(isValidPublicKey(key), JSON.stringify(key));
});

t.test(
  "a peer listing its own KubeSpan address among its addresses (as Talos does) is not a refused claim",
  async (t) => {
    const { specs, rejections } = computePeerSpecs(
      [peer("n1", 1, { addresses: ["10.0.0.1", "fd50:8d60:4238:6302::1"] })],
      "local",
      policy,
    );
    t.same(rejections, []);
    t.same(specs[0]?.allowedIPs.map(String), ["10.0.0.1/32", "fd50:8d60:4238:6302::1/128"]);
  },
);
