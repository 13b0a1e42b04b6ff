import t from "tap";
import { isOwnRoute, isOwnRule, isStaleOwnRule } from "../../src/host/ownership.js";
import type { RouteState, RuleState } from "../../src/host/rtnl/types.js";
import { Prefix } from "../../src/net/ip.js";
import { samplePlan } from "./fixtures-plan.js";

const plan = samplePlan();
const rule = (extra: Partial<RuleState> = {}): RuleState => ({
  family: 4,
  priority: 32500,
  table: 180,
  fwmark: 0x40,
  fwmask: 0x60,
  action: "toTbl",
  hasSelectors: false,
  ...extra,
});
const route = (table: number, oif: number): RouteState => ({
  dst: Prefix.parse("0.0.0.0/0"),
  table,
  metric: 1,
  mtu: 1420,
  oif,
  protocol: "STATIC",
  type: "UNICAST",
});

t.test("rules", async (t) => {
  const cases: Array<[string, Partial<RuleState>, boolean, boolean]> = [
    ["exactly ours", {}, true, false],
    ["IPv6 twin", { family: 6 }, true, false],
    ["older priority", { priority: 32000 }, false, true],
    ["older table", { table: 170 }, false, true],
    ["other priority and table", { priority: 100, table: 100 }, false, false],
    ["other mark", { fwmark: 0x20 }, false, false],
    ["other mask", { fwmask: 0xff }, false, false],
    ["with selectors", { hasSelectors: true }, false, false],
    ["another action", { action: "goto" }, false, false],
  ];
  for (const [name, change, own, stale] of cases) {
    t.equal(isOwnRule(rule(change), plan), own, `${name}: own`);
    t.equal(isStaleOwnRule(rule(change), plan), stale, `${name}: stale`);
  }
});

t.test("routes", async (t) => {
  t.ok(isOwnRoute(route(180, 7), 7), "our table, our link");
  t.ok(isOwnRoute(route(170, 7), 7), "an older table, our link");
  t.notOk(isOwnRoute(route(180, 3), 7), "another link");
  t.notOk(isOwnRoute(route(254, 7), 7), "main table: the kernel's connected route");
  t.notOk(isOwnRoute(route(180, 7), undefined), "no link yet");
});
