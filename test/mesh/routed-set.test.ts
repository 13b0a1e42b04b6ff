import t from "tap";
import type { PeerSpec } from "../../src/mesh/peer-spec.js";
import type { PeerState } from "../../src/mesh/peer-state.js";
import { routedPrefixes } from "../../src/mesh/routed-set.js";
import { IP, Prefix } from "../../src/net/ip.js";

const CLUSTER = Prefix.parse("fd50:8d60:4238:6302::/64");
const spec = (publicKey: string, address: string, allowed: string[]): PeerSpec => ({
  publicKey,
  nodeId: publicKey,
  label: publicKey,
  address: IP.parse(address),
  allowedIPs: allowed.map((s) => Prefix.parse(s)),
  endpoints: [],
});
const specs = [
  spec("up", "fd50:8d60:4238:6302::1", ["10.244.1.0/24", "192.168.0.1/32", "fd50:8d60:4238:6302::1/128"]),
  spec("down", "fd50:8d60:4238:6302::2", ["10.244.0.0/24", "fd50:8d60:4238:6302::2/128"]),
  spec("unknown", "fd50:8d60:4238:6302::3", ["2001:db8::/64", "fd50:8d60:4238:6302::3/128"]),
  spec("other-cluster", "fd50:8d60:4238:6302::4", ["fd99:1:2:302::/64", "fd50:8d60:4238:6302::4/128"]),
  spec("no-status", "fd50:8d60:4238:6302::5", ["10.9.0.0/16", "fd50:8d60:4238:6302::5/128"]),
];
const states = new Map<string, { state: PeerState }>([
  ["up", { state: "up" }],
  ["down", { state: "down" }],
  ["unknown", { state: "unknown" }],
  ["other-cluster", { state: "down" }],
]);
const routed = (bypass: boolean, s = states) => routedPrefixes(specs, s, bypass, CLUSTER).map(String);

t.test("forced routing: every peer, whatever its state, minus exactly our /64", async (t) => {
  t.same(routed(false), [
    "10.9.0.0/16",
    "10.244.0.0/23",
    "192.168.0.1/32",
    "2001:db8::/64",
    "fd99:1:2:302::/64",
  ]);
});

t.test("bypass: only peers that are up, recomputed from current states", async (t) => {
  t.same(routed(true), ["10.244.1.0/24", "192.168.0.1/32"]);
  const later = new Map(states);
  later.set("unknown", { state: "up" });
  later.set("up", { state: "down" });
  t.same(routed(true, later), ["2001:db8::/64"]);
  t.same(routed(true, new Map()), [], "nothing is up yet");
});
