import t from "tap";
import { type Affiliate, emptyAffiliate } from "../../src/cluster/affiliate.js";
import { harvestReports } from "../../src/cluster/harvest.js";
import { Endpoint, IP } from "../../src/net/ip.js";

const ep = (s: string) => Endpoint.parse(s);
function peer(nodeId: string, key: string, endpoints: string[]): Affiliate {
  return {
    ...emptyAffiliate(nodeId),
    kubespan: {
      publicKey: key,
      address: IP.parse("fd00::1"),
      additionalAddresses: [],
      excludedNetworks: [],
      endpoints: endpoints.map(ep),
    },
  };
}
const affiliates = [peer("nodeB", "keyB", ["10.0.0.2:51820"]), peer("nodeC", "keyC", ["192.168.1.3:51820"])];

t.test("only novel endpoints of up peers are reported", async (t) => {
  const reports = harvestReports(
    [
      { publicKey: "keyB", state: "up", endpoint: ep("10.0.0.2:51820") }, // already advertised
      { publicKey: "keyC", state: "up", endpoint: ep("203.0.113.7:40123") }, // NAT mapping
      { publicKey: "keyX", state: "up", endpoint: ep("203.0.113.8:1") }, // unknown key
    ],
    affiliates,
  );
  t.same(
    reports.map((r) => [r.affiliateId, r.endpoints.map(String)]),
    [["nodeC", ["203.0.113.7:40123"]]],
  );
});

t.test("peers that are not up, or have no endpoint, report nothing", async (t) => {
  t.same(
    harvestReports(
      [
        { publicKey: "keyC", state: "down", endpoint: ep("203.0.113.7:40123") },
        { publicKey: "keyB", state: "unknown", endpoint: ep("203.0.113.9:5") },
        { publicKey: "keyB", state: "up", endpoint: undefined },
      ],
      affiliates,
    ),
    [],
  );
});

t.test("an endpoint we reported stays reported once it appears in the peer's list", async (t) => {
  const merged = [peer("nodeC", "keyC", ["192.168.1.3:51820", "203.0.113.7:40123"])];
  const observed = [{ publicKey: "keyC", state: "up" as const, endpoint: ep("203.0.113.7:40123") }];
  t.same(harvestReports(observed, merged), [], "someone else's report: nothing to add");
  const sticky = harvestReports(observed, merged, [
    { affiliateId: "nodeC", endpoints: [ep("203.0.113.7:40123")] },
  ]);
  t.same(
    sticky.map((r) => r.endpoints.map(String)),
    [["203.0.113.7:40123"]],
    "ours: keep it, no flip-flop",
  );
});
