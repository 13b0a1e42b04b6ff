import t from "tap";
import { filterIPs, parseFilterRules } from "../../src/cluster/filter-ips.js";
import {
  type Cycle,
  candidateTier,
  nextCandidate,
  rankCandidates,
  screenCandidates,
} from "../../src/mesh/candidates.js";
import { FAST_TIMERS } from "../../src/mesh/probe-policy.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

const ep = (text: string) => Endpoint.parse(text);
const eps = (...texts: string[]) => texts.map(ep);
const prefixes = (...texts: string[]) => texts.map((p) => Prefix.parse(p));
const text = (list: readonly Endpoint[]) => list.map(String);

t.test("screening rejects unusable endpoints with a reason and keeps the rest in order", async (t) => {
  const advertised = eps(
    "203.0.113.7:51820",
    "0.0.0.0:51820",
    "10.244.1.5:51820",
    "172.16.9.9:51820",
    "[ff02::1]:51820",
    "192.0.2.10:51820",
    "198.51.100.3:51820",
    "203.0.113.7:51820",
  );
  const viaKubeSpan = IP.parse("172.16.9.9");
  const screened = screenCandidates(advertised, {
    routesViaKubeSpan: (ip) => ip.equals(viaKubeSpan),
    peerAllowedIPs: prefixes("10.244.0.0/16", "fd7a::/64"),
    peerEndpointsFilter: (ips) => filterIPs(ips, parseFilterRules(["0.0.0.0/0", "!192.0.2.0/24"])),
  });
  t.same(
    text(screened.usable),
    ["203.0.113.7:51820", "198.51.100.3:51820"],
    "duplicates removed, order kept",
  );
  t.same(
    screened.rejected.map((r) => `${r.endpoint} ${r.reason}`),
    [
      "0.0.0.0:51820 unusable address",
      "10.244.1.5:51820 inside peer allowed IPs 10.244.0.0/16",
      "172.16.9.9:51820 routes via kubespan (tunnel in tunnel)",
      "[ff02::1]:51820 unusable address",
      "192.0.2.10:51820 filtered by peerEndpoints",
    ],
  );
});

t.test("screening without rules keeps every usable endpoint", async (t) => {
  const screened = screenCandidates(eps("10.0.0.1:51820", "[2001:db8::1]:51820"));
  t.equal(screened.usable.length, 2);
  t.same(screened.rejected, []);
});

t.test(
  "an empty peerEndpoints rule list rejects everything (FilterIPs: empty selects nothing)",
  async (t) => {
    const screened = screenCandidates(eps("10.0.0.1:51820"), {
      peerEndpointsFilter: (ips) => filterIPs(ips, parseFilterRules([])),
    });
    t.same(screened.usable, []);
    t.equal(screened.rejected[0]?.reason, "filtered by peerEndpoints");
  },
);

t.test("candidate tiers", async (t) => {
  const local = prefixes("192.168.1.10/24", "2001:db8:1::10/64");
  const lastGood = ep("203.0.113.9:51820");
  const cases: [string, number][] = [
    ["203.0.113.9:51820", 0], // last good beats everything
    ["192.168.1.77:51820", 1], // same subnet
    ["[2001:db8:1::99]:51820", 1], // same IPv6 subnet
    ["10.3.3.3:51820", 2], // private elsewhere
    ["100.64.0.1:51820", 2], // CGNAT counts as private
    ["[fd00::5]:51820", 2], // ULA counts as private
    ["198.51.100.1:51820", 3], // public
    ["[2001:db8:2::1]:51820", 3], // public IPv6
  ];
  for (const [candidate, tier] of cases)
    t.equal(candidateTier(ep(candidate), local, lastGood), tier, candidate);
  t.equal(
    candidateTier(ep("[2001:db8::1]:51820"), prefixes("192.168.1.10/24")),
    4,
    "a family we have no address of goes last",
  );
  t.equal(candidateTier(ep("[2001:db8::1]:51820"), []), 3, "no local facts: no family penalty");
});

t.test("ranking: tier, then IPv6 first, then advertisement order", async (t) => {
  const local = prefixes("192.168.1.10/24", "2001:db8:1::10/64");
  const advertised = eps(
    "198.51.100.1:51820",
    "10.3.3.3:51820",
    "[2001:db8:9::1]:51820",
    "192.168.1.20:51820",
    "10.4.4.4:51820",
    "[fd00::5]:51820",
  );
  t.same(text(rankCandidates(advertised, local)), [
    "192.168.1.20:51820",
    "[fd00::5]:51820",
    "10.3.3.3:51820",
    "10.4.4.4:51820",
    "[2001:db8:9::1]:51820",
    "198.51.100.1:51820",
  ]);
  t.same(
    text(rankCandidates(advertised, local, ep("198.51.100.1:51820")))[0],
    "198.51.100.1:51820",
    "the last good endpoint is tried first",
  );
});

t.test("next candidate: a round in rank order, two free rounds, then exponential backoff", async (t) => {
  const ranked = eps("10.0.0.1:51820", "10.0.0.2:51820");
  let cycle: Cycle = { tried: [], failed: 0, resumeAt: undefined };
  const picks: (string | undefined)[] = [];
  const pick = (now: number) => {
    const next = nextCandidate(ranked, cycle, now, FAST_TIMERS);
    cycle = next.cycle;
    picks.push(next.pick?.toString());
  };
  pick(0);
  pick(6_000);
  t.same(picks, ["10.0.0.1:51820", "10.0.0.2:51820"]);
  pick(12_000); // round 1 failed: free, starts over at once
  t.same([picks[2], cycle.failed], ["10.0.0.1:51820", 1]);
  pick(18_000);
  pick(24_000); // round 2 failed: back off 5 s
  t.same([picks[4], cycle.failed, cycle.resumeAt], [undefined, 2, 29_000]);
  pick(28_999);
  t.equal(picks[5], undefined, "still backing off");
  pick(29_000);
  t.equal(picks[6], "10.0.0.1:51820", "resumes at the first candidate");
  t.equal(cycle.resumeAt, undefined);
});

t.test("next candidate: a new endpoint is tried at once even while backing off", async (t) => {
  const cycle: Cycle = { tried: ["10.0.0.1:51820"], failed: 4, resumeAt: 60_000 };
  const next = nextCandidate(eps("10.0.0.1:51820", "10.0.0.9:51820"), cycle, 30_000, FAST_TIMERS);
  t.equal(next.pick?.toString(), "10.0.0.9:51820");
  t.same(next.cycle.tried, ["10.0.0.1:51820", "10.0.0.9:51820"]);
});

t.test("next candidate: nothing usable means no pick", async (t) => {
  const cycle: Cycle = { tried: [], failed: 0, resumeAt: undefined };
  const next = nextCandidate([], cycle, 0, FAST_TIMERS);
  t.equal(next.pick, undefined);
  t.equal(next.cycle, cycle);
});
