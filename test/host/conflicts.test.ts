import t from "tap";
import { ConflictError, findConflicts, type ObservedRouting } from "../../src/host/conflicts.js";
import type { RouteState, RuleState } from "../../src/host/rtnl/types.js";
import { Prefix } from "../../src/net/ip.js";
import { samplePlan } from "./fixtures-plan.js";

const plan = samplePlan();
const ownRule = (family: 4 | 6): RuleState => ({
  family,
  priority: 32500,
  table: 180,
  fwmark: 0x40,
  fwmask: 0x60,
  action: "toTbl",
  hasSelectors: false,
});
const SYSTEM_RULES: RuleState[] = [
  { family: 4, priority: 0, table: 255, fwmark: 0, fwmask: 0, action: "toTbl", hasSelectors: false },
  { family: 4, priority: 32766, table: 254, fwmark: 0, fwmask: 0, action: "toTbl", hasSelectors: false },
];
const route = (dst: string, oif: number): RouteState => ({
  dst: Prefix.parse(dst),
  table: 180,
  metric: 1,
  mtu: 1420,
  oif,
  protocol: "STATIC",
  type: "UNICAST",
});
const emptyRuleset = { nftables: [{ metainfo: {} }] };

function observed(extra: Partial<ObservedRouting> = {}): ObservedRouting {
  return {
    link: { index: 7, name: "kubespan", mtu: 1420, up: true, kind: "wireguard" },
    rules: [...SYSTEM_RULES, ownRule(4), ownRule(6)],
    tableRoutes: [route("0.0.0.0/0", 7), route("::/0", 7)],
    ruleset: emptyRuleset,
    linkNames: ["lo", "eth0", "kubespan"],
    ...extra,
  };
}

t.test("our own state is no conflict (adoption after a restart)", async (t) => {
  t.same(findConflicts(plan, observed()), { conflicts: [], warnings: [] });
});

t.test("our rules from earlier settings are no conflict (they are removed by the apply)", async (t) => {
  const olderPriority = { ...ownRule(4), priority: 32000 };
  const olderTable = { ...ownRule(6), table: 170 };
  t.same(
    findConflicts(plan, observed({ rules: [...SYSTEM_RULES, olderPriority, olderTable] })).conflicts,
    [],
  );
});

t.test("a clean host is no conflict", async (t) => {
  t.same(
    findConflicts(plan, observed({ link: undefined, rules: SYSTEM_RULES, tableRoutes: [] })).conflicts,
    [],
  );
});

t.test("conflicts name the object and the setting", async (t) => {
  const cases: Array<[string, Partial<ObservedRouting>, string, RegExp]> = [
    [
      "foreign rule at our priority",
      { rules: [...SYSTEM_RULES, { ...ownRule(4), fwmark: 0, fwmask: 0, table: 100 }] },
      "rulePriority",
      /rule priority 32500 is already used .*\(IPv4 priority 32500 lookup 100\)/,
    ],
    [
      "our shape with an extra selector",
      { rules: [...SYSTEM_RULES, { ...ownRule(6), hasSelectors: true }] },
      "rulePriority",
      /with other selectors/,
    ],
    [
      "foreign rule looking up our table",
      { rules: [...SYSTEM_RULES, { ...ownRule(4), priority: 100, fwmark: 0x1, fwmask: 0x1 }] },
      "routingTable",
      /routing table 180 is already looked up .*priority 100 fwmark 0x1\/0x1 lookup 180/,
    ],
    [
      "foreign route in our table",
      { tableRoutes: [route("0.0.0.0/0", 7), route("10.0.0.0/8", 3)] },
      "routingTable",
      /routing table 180 already holds a route not created by kubespan-node \(10\.0\.0\.0\/8, output link index 3\)/,
    ],
    [
      "any route in our table before our link exists",
      { link: undefined, tableRoutes: [route("0.0.0.0/0", 7)] },
      "routingTable",
      /already holds a route/,
    ],
    [
      "another table sets our mark bits",
      {
        ruleset: {
          nftables: [
            {
              rule: {
                family: "ip",
                table: "mangle",
                chain: "pre",
                handle: 4,
                expr: [{ mangle: { key: { meta: { key: "mark" } }, value: 0x40 } }],
              },
            },
          ],
        },
      },
      "marks",
      /nftables table ip mangle chain pre rule handle 4 sets packet-mark bits 0x60/,
    ],
  ];
  for (const [name, change, setting, message] of cases) {
    const { conflicts } = findConflicts(plan, observed(change));
    t.equal(conflicts.length, 1, `${name}: one conflict`);
    t.equal(conflicts[0]?.setting, setting, `${name}: setting`);
    t.match(conflicts[0]?.message, message, `${name}: message`);
  }
});

t.test("ConflictError lists every conflict with its setting", async (t) => {
  const err = new ConflictError([
    { setting: "rulePriority", message: "a" },
    { setting: "routingTable", message: "b" },
  ]);
  t.equal(err.message, "a (setting: rulePriority); b (setting: routingTable)");
  t.equal(err.conflicts.length, 2);
});

t.test("warnings: unknown mark writers and CNIs whose marks overlap ours", async (t) => {
  const ruleset = {
    nftables: [
      {
        rule: {
          family: "ip",
          table: "x",
          chain: "c",
          handle: 2,
          expr: [{ mangle: { key: { meta: { key: "mark" } }, value: { ct: { key: "mark" } } } }],
        },
      },
    ],
  };
  const calico = findConflicts(
    samplePlan({ marks: { wireguard: 0x10000, route: 0x20000, mask: 0x30000 } }),
    observed({
      ruleset,
      linkNames: ["lo", "cali12345", "vxlan.calico"],
      rules: SYSTEM_RULES,
      tableRoutes: [],
    }),
  );
  t.same(calico.conflicts, []);
  t.equal(calico.warnings.length, 2);
  t.match(
    calico.warnings[0],
    /table ip x chain c rule handle 2 writes the packet mark with a value that cannot be checked/,
  );
  t.match(calico.warnings[1], /Calico uses mark bits 0xffff0000, which overlap ours \(0x30000\)/);
  const defaults = findConflicts(plan, observed({ linkNames: ["cilium_host", "flannel.1", "cali0"] }));
  t.same(defaults.warnings, [], "the default bits 0x60 overlap no known CNI");
});
