import t from "tap";
import {
  diffRouting,
  linkNeedsUpdate,
  type RoutingObserved,
  type RoutingOps,
} from "../../src/host/routing-diff.js";
import type { RouteState, RuleState } from "../../src/host/rtnl/types.js";
import { Prefix } from "../../src/net/ip.js";
import { samplePlan } from "./fixtures-plan.js";

const plan = samplePlan();
const LINK = { index: 7, name: "kubespan", mtu: 1420, up: true, kind: "tun" };
const ULA = plan.address;
const LINK_LOCAL = { linkIndex: 7, prefix: Prefix.parse("fe80::1234/64"), scope: 253 };
const route = (dst: string, extra: Partial<RouteState> = {}): RouteState => ({
  dst: Prefix.parse(dst),
  table: 180,
  metric: 1,
  mtu: 1420,
  oif: 7,
  protocol: "STATIC",
  type: "UNICAST",
  ...extra,
});
const rule = (family: 4 | 6): RuleState => ({
  family,
  priority: 32500,
  table: 180,
  fwmark: 0x40,
  fwmask: 0x60,
  action: "toTbl",
  hasSelectors: false,
});
const isNoop = (ops: RoutingOps) => Object.values(ops).every((list: unknown[]) => list.length === 0);

const converged = (): RoutingObserved => ({
  link: LINK,
  addresses: [{ linkIndex: 7, prefix: ULA, scope: 0 }, LINK_LOCAL],
  routes: [route("0.0.0.0/0"), route("::/0")],
  rules: [rule(4), rule(6)],
});

t.test("converged state: nothing to do", async (t) => {
  const ops = diffRouting(plan, converged());
  t.ok(isNoop(ops), JSON.stringify(ops));
});

t.test("a fresh link: everything to do", async (t) => {
  const ops = diffRouting(plan, { link: LINK, addresses: [LINK_LOCAL], routes: [], rules: [] });
  t.same(ops.addAddresses.map(String), [String(ULA)]);
  t.same(ops.removeAddresses, []);
  t.same(
    ops.addRoutes.map((r) => String(r.dst)),
    ["0.0.0.0/0", "::/0"],
  );
  t.same(ops.addRoutes[0], { dst: Prefix.parse("0.0.0.0/0"), table: 180, metric: 1, mtu: 1420 });
  t.same(
    ops.addRules.map((r) => r.family),
    [4, 6],
  );
});

t.test("drift", async (t) => {
  const cases: Array<
    [string, (o: RoutingObserved) => RoutingObserved, (ops: ReturnType<typeof diffRouting>) => unknown]
  > = [
    [
      "IPv6 rule deleted",
      (o) => ({ ...o, rules: [rule(4)] }),
      (ops) => ops.addRules.length === 1 && ops.addRules[0]!.family === 6,
    ],
    [
      "rule with another mask is not ours",
      (o) => ({ ...o, rules: [rule(4), { ...rule(6), fwmask: 0xff }] }),
      (ops) => ops.addRules.length === 1,
    ],
    [
      "route MTU differs: replace",
      (o) => ({ ...o, routes: [route("0.0.0.0/0", { mtu: 1500 }), route("::/0")] }),
      (ops) =>
        ops.removeRoutes.length === 1 && ops.addRoutes.length === 1 && ops.removeRoutes[0]!.mtu === 1500,
    ],
    ["route missing", (o) => ({ ...o, routes: [route("::/0")] }), (ops) => ops.addRoutes.length === 1],
    [
      "stale route of ours",
      (o) => ({ ...o, routes: [...o.routes, route("10.0.0.0/8")] }),
      (ops) => ops.removeRoutes.length === 1 && ops.addRoutes.length === 0,
    ],
    [
      "our rule under an older priority",
      (o) => ({ ...o, rules: [...o.rules, { ...rule(4), priority: 32000 }] }),
      (ops) =>
        ops.removeRules.length === 1 && ops.removeRules[0]!.priority === 32000 && ops.addRules.length === 0,
    ],
    [
      "our route left in an older table",
      (o) => ({ ...o, routes: [...o.routes, route("0.0.0.0/0", { table: 170 })] }),
      (ops) => ops.removeRoutes.length === 1 && ops.removeRoutes[0]!.table === 170,
    ],
    [
      "stale address from an old cluster ID",
      (o) => ({
        ...o,
        addresses: [...o.addresses, { linkIndex: 7, prefix: Prefix.parse("fd00:1::1/64"), scope: 0 }],
      }),
      (ops) => ops.removeAddresses.length === 1 && String(ops.removeAddresses[0]) === "fd00:1::1/64",
    ],
    [
      "an IPv4 address on our link",
      (o) => ({
        ...o,
        addresses: [...o.addresses, { linkIndex: 7, prefix: Prefix.parse("10.9.9.9/24"), scope: 0 }],
      }),
      (ops) => ops.removeAddresses.length === 1,
    ],
    [
      "address with another length",
      (o) => ({ ...o, addresses: [{ linkIndex: 7, prefix: Prefix.of(ULA.ip, 128), scope: 0 }, LINK_LOCAL] }),
      (ops) => ops.removeAddresses.length === 1 && ops.addAddresses.length === 1,
    ],
  ];
  for (const [name, change, check] of cases) {
    const ops = diffRouting(plan, change(converged()));
    t.ok(check(ops), name);
    t.notOk(isNoop(ops), `${name}: not a no-op`);
  }
});

t.test("the link is updated when down or at another MTU", async (t) => {
  t.equal(linkNeedsUpdate(plan, LINK), false);
  t.equal(linkNeedsUpdate(plan, { ...LINK, up: false }), true, "down");
  t.equal(linkNeedsUpdate(plan, { ...LINK, mtu: 1500 }), true, "MTU");
});

t.test("the kernel's routes through the link in main and local are not ours", async (t) => {
  const kernelRoutes = [
    route("fd7f:175a:b97c:5602::/64", { table: 254, protocol: "KERNEL", metric: 256, mtu: 0 }),
    route("fe80::/64", { table: 254, protocol: "KERNEL", metric: 256, mtu: 0 }),
    route("fd7f:175a:b97c:5602:1234:56ff:fe78:9abc/128", { table: 255, type: "LOCAL", mtu: 0 }),
  ];
  t.ok(isNoop(diffRouting(plan, { ...converged(), routes: [...converged().routes, ...kernelRoutes] })));
});

t.test("link-local addresses are left alone", async (t) => {
  const ops = diffRouting(plan, {
    ...converged(),
    addresses: [
      { linkIndex: 7, prefix: ULA, scope: 0 },
      { linkIndex: 7, prefix: Prefix.parse("fe80::9/64"), scope: 0 },
    ],
  });
  t.same(ops.removeAddresses, [], "fe80::/10 even when reported with global scope");
});
