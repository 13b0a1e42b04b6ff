import t from "tap";
import { FULL_APPLY_INTERVAL_MS, hostPlanKey, needsFullApply } from "../../src/daemon/apply-policy.js";
import { Endpoint, Prefix } from "../../src/net/ip.js";
import { key, samplePlan } from "../host/fixtures-plan.js";

t.test("the plan key ignores what only the peer diff programs", async (t) => {
  const plan = samplePlan();
  const moved = samplePlan();
  moved.wireguard.peers[0]!.endpoint = Endpoint.parse("198.51.100.7:51820");
  t.equal(hostPlanKey(moved), hostPlanKey(plan), "a new endpoint keeps the key");
  const renamed = samplePlan();
  renamed.wireguard.peers[0]!.publicKey = key(42);
  t.equal(hostPlanKey(renamed), hostPlanKey(plan), "a re-keyed peer keeps the key");
});

t.test("the plan key changes with everything a full apply programs", async (t) => {
  const base = hostPlanKey(samplePlan());
  const variants: Array<[string, ReturnType<typeof samplePlan>]> = [
    ["MTU", samplePlan({ mtu: 1380 })],
    ["routing table", samplePlan({ routingTable: 181 })],
    ["rule priority", samplePlan({ rulePriority: 32501 })],
    ["nftables table", samplePlan({ nftTable: "other" })],
    ["listen port", samplePlan({ listenPort: 51821 })],
    ["rp_filter mode", samplePlan({ rpFilter: "fix" })],
  ];
  for (const [what, plan] of variants) t.not(hostPlanKey(plan), base, what);
  const routed = samplePlan();
  routed.nftables.dst4.push(Prefix.parse("10.244.9.0/24"));
  t.not(hostPlanKey(routed), base, "a new routed prefix (a peer joined)");
  const rekeyed = samplePlan();
  rekeyed.wireguard.privateKey = key(7);
  t.not(hostPlanKey(rekeyed), base, "the private key");
  t.notMatch(hostPlanKey(rekeyed), rekeyed.wireguard.privateKey, "the key is a digest, not the key");
});

t.test("a full apply is due when nothing was applied, the key changed, or the interval passed", async (t) => {
  const last = { key: "k1", at: 1_000 };
  t.ok(needsFullApply(undefined, "k1", 1_000), "first pass (or after a failure)");
  t.ok(needsFullApply(last, "k2", 1_001), "the non-peer plan changed");
  t.notOk(needsFullApply(last, "k1", 1_000 + FULL_APPLY_INTERVAL_MS - 1), "same plan within the interval");
  t.ok(needsFullApply(last, "k1", 1_000 + FULL_APPLY_INTERVAL_MS), "drift repair is due");
});
