import t from "tap";
import {
  allowedClaims,
  type ClaimPolicy,
  compilePolicy,
  type RejectionReason,
} from "../../src/mesh/claim-policy.js";
import { IP, Prefix } from "../../src/net/ip.js";
import { type AffiliateSketch, makeAffiliate } from "../cluster/make-affiliate.js";

const CLUSTER = Prefix.parse("fd50:8d60:4238:6302::/64");
const base: ClaimPolicy = { clusterPrefix: CLUSTER, localAddresses: [] };
const prefixes = (list: string[]) => list.map((s) => Prefix.parse(s));

function run(sketch: AffiliateSketch, policy: ClaimPolicy = base) {
  const refused: [string, RejectionReason][] = [];
  const set = allowedClaims(makeAffiliate("n", sketch), compilePolicy(policy), (claim, reason) =>
    refused.push([claim, reason]),
  );
  return { allowed: set.prefixes().map(String), refused };
}

t.test("Talos set construction: masked additions, host addresses, minus own exclusions", async (t) => {
  t.same(
    run({
      addresses: ["192.168.3.4", "2001:db8::4"],
      kubespan: {
        additionalAddresses: ["10.244.3.1/24", "10.244.3.0/32"],
        excludedNetworks: ["10.244.3.128/25"],
      },
    }),
    { allowed: ["10.244.3.0/25", "192.168.3.4/32", "2001:db8::4/128"], refused: [] },
  );
  t.same(run({ addresses: ["10.0.0.1"] }), { allowed: ["10.0.0.1/32"], refused: [] }, "no KubeSpan block");
});

t.test("default routes", async (t) => {
  t.same(run({ kubespan: { additionalAddresses: ["0.0.0.0/0", "10.0.0.0/8", "::/0"] } }), {
    allowed: ["10.0.0.0/8"],
    refused: [
      ["0.0.0.0/0", "default-route"],
      ["::/0", "default-route"],
    ],
  });
  t.same(
    run({ kubespan: { additionalAddresses: ["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8", "2001:db8::/32"] } }),
    { allowed: ["2001:db8::/32"], refused: [["0.0.0.0/1,128.0.0.0/1,10.0.0.0/8", "default-route"]] },
    "claims that together cover a family count as a default route",
  );
  t.same(
    run({ kubespan: { additionalAddresses: ["0.0.0.0/1", "128.0.0.0/2"] } }),
    { allowed: ["0.0.0.0/1", "128.0.0.0/2"], refused: [] },
    "a large but partial claim is not a default route",
  );
  t.same(
    run(
      { kubespan: { additionalAddresses: ["0.0.0.0/0"], excludedNetworks: ["10.0.0.0/8"] } },
      {
        ...base,
        allowDefaultRoutes: true,
      },
    ),
    {
      allowed: [
        "0.0.0.0/5",
        "8.0.0.0/7",
        "11.0.0.0/8",
        "12.0.0.0/6",
        "16.0.0.0/4",
        "32.0.0.0/3",
        "64.0.0.0/2",
        "128.0.0.0/1",
      ],
      refused: [],
    },
    "allowed when configured",
  );
});

t.test("the cluster /64 is never claimable", async (t) => {
  const everything = run(
    { kubespan: { additionalAddresses: ["::/0"] } },
    { ...base, allowDefaultRoutes: true },
  );
  t.same(
    everything.refused,
    [["fd50:8d60:4238:6302::/64", "cluster-prefix"]],
    "not even through a default route",
  );
  t.equal(everything.allowed.length, 64, "::/0 minus one /64 needs 64 prefixes");
  t.same(
    run({
      addresses: ["fd50:8d60:4238:6302::77", "10.0.0.1"],
      kubespan: { additionalAddresses: ["fd50:8d60:4238:6300::/62"] },
    }),
    {
      allowed: ["10.0.0.1/32", "fd50:8d60:4238:6300::/63", "fd50:8d60:4238:6303::/64"],
      refused: [["fd50:8d60:4238:6302::/64", "cluster-prefix"]],
    },
  );
});

t.test("the local node's own addresses and networks", async (t) => {
  const policy = { ...base, localAddresses: [IP.parse("10.0.0.1"), Prefix.parse("10.244.1.0/24")] };
  t.same(
    run(
      { addresses: ["10.0.0.1", "10.0.0.2"], kubespan: { additionalAddresses: ["10.244.0.0/22"] } },
      policy,
    ),
    {
      allowed: ["10.0.0.2/32", "10.244.0.0/24", "10.244.2.0/23"],
      refused: [
        ["10.0.0.1/32", "local-address"],
        ["10.244.1.0/24", "local-address"],
      ],
    },
  );
});

t.test("accepted networks allowlist", async (t) => {
  const policy = { ...base, acceptedNetworks: prefixes(["10.244.0.0/16", "192.168.0.0/16"]) };
  t.same(
    run(
      {
        addresses: ["192.168.1.1", "203.0.113.5", "2001:db8::1"],
        kubespan: { additionalAddresses: ["10.0.0.0/8"] },
      },
      policy,
    ),
    {
      allowed: ["10.244.0.0/16", "192.168.1.1/32"],
      refused: [
        ["10.0.0.0/9", "not-accepted"],
        ["10.128.0.0/10", "not-accepted"],
        ["10.192.0.0/11", "not-accepted"],
        ["10.224.0.0/12", "not-accepted"],
        ["10.240.0.0/14", "not-accepted"],
        ["10.245.0.0/16", "not-accepted"],
        ["10.246.0.0/15", "not-accepted"],
        ["10.248.0.0/13", "not-accepted"],
        ["203.0.113.5/32", "not-accepted"],
        ["2001:db8::1/128", "not-accepted"],
      ],
    },
  );
  t.same(
    run({ addresses: ["10.0.0.1"] }, { ...base, acceptedNetworks: [] }),
    { allowed: [], refused: [["10.0.0.1/32", "not-accepted"]] },
    "an empty allowlist accepts nothing",
  );
});

t.test("a part refused for one reason is reported once", async (t) => {
  const policy = { ...base, localAddresses: [IP.parse("fd50:8d60:4238:6302::9")], acceptedNetworks: [] };
  t.same(run({ addresses: ["fd50:8d60:4238:6302::9"] }, policy).refused, [
    ["fd50:8d60:4238:6302::9/128", "cluster-prefix"],
  ]);
});
