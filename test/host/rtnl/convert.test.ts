import type { rt } from "netlink";
import { putU32 } from "netlink";
import t from "tap";
import {
  addressFromMessage,
  headerTable,
  linkFromMessage,
  linkInfoOfKind,
  linkKind,
  routeFromMessage,
  ruleFromMessage,
} from "../../../src/host/rtnl/convert.js";

const NO_SUPPRESSION = Buffer.from([255, 255, 255, 255]);

t.test("link kind round trip through IFLA_LINKINFO", async (t) => {
  for (const kind of ["wireguard", "tun", "veth"]) t.equal(linkKind(linkInfoOfKind(kind)), kind);
  t.equal(linkKind(Buffer.alloc(0)), undefined, "no IFLA_INFO_KIND");
});

t.test("linkFromMessage", async (t) => {
  const msg: rt.LinkMessage = {
    kind: "link",
    data: { index: 5, flags: { up: true, running: true } },
    attrs: { ifname: "kubespan", mtu: 1420, linkinfo: linkInfoOfKind("tun") },
  };
  t.same(linkFromMessage(msg), { index: 5, name: "kubespan", mtu: 1420, up: true, kind: "tun" });
  t.same(
    linkFromMessage({ kind: "link", data: { index: 1, flags: {} }, attrs: { ifname: "lo", mtu: 65536 } }),
    {
      index: 1,
      name: "lo",
      mtu: 65536,
      up: false,
      kind: undefined,
    },
  );
});

t.test("addressFromMessage prefers IFA_LOCAL", async (t) => {
  const a = addressFromMessage({
    kind: "address",
    data: { family: 2, prefixlen: 32, index: 3, scope: 0 },
    attrs: { address: Buffer.from([10, 0, 0, 2]), local: Buffer.from([10, 0, 0, 1]) },
  });
  t.equal(String(a?.prefix), "10.0.0.1/32");
  t.equal(addressFromMessage({ kind: "address", data: { family: 2, index: 3 }, attrs: {} }), undefined);
});

t.test("routeFromMessage", async (t) => {
  const route = routeFromMessage({
    kind: "route",
    data: { family: 10, dstLen: 0, table: 252, protocol: "STATIC", type: "UNICAST" },
    attrs: { table: 1000, oif: 7, priority: 1, metrics: { mtu: putU32(1420) } },
  });
  t.same(
    { ...route, dst: String(route?.dst) },
    { dst: "::/0", table: 1000, metric: 1, mtu: 1420, oif: 7, protocol: "STATIC", type: "UNICAST" },
    "a table above 255 comes from RTA_TABLE",
  );
  t.equal(
    routeFromMessage({ kind: "route", data: { family: 128 }, attrs: {} }),
    undefined,
    "IPMR family skipped",
  );
  t.equal(headerTable(180), 180);
  t.equal(headerTable(1000), 252);
});

t.test("ruleFromMessage", async (t) => {
  const base: rt.RuleMessage = {
    kind: "rule",
    data: { family: 2, table: 180, action: "toTbl", flags: {} },
    attrs: { priority: 32500, table: 180, fwmark: 0x40, fwmask: 0x60, suppressPrefixlen: NO_SUPPRESSION },
  };
  t.same(ruleFromMessage(base), {
    family: 4,
    priority: 32500,
    table: 180,
    fwmark: 0x40,
    fwmask: 0x60,
    action: "toTbl",
    hasSelectors: false,
  });
  const selectors: Array<[string, rt.RuleMessage]> = [
    ["source", { ...base, data: { ...base.data, srcLen: 8 } }],
    ["input interface", { ...base, attrs: { ...base.attrs, iifname: "eth0" } }],
    ["invert", { ...base, data: { ...base.data, flags: { invert: true } } }],
    ["suppress_prefixlength 0", { ...base, attrs: { ...base.attrs, suppressPrefixlen: Buffer.alloc(4) } }],
  ];
  for (const [name, msg] of selectors) t.equal(ruleFromMessage(msg)?.hasSelectors, true, name);
  const local = ruleFromMessage({
    kind: "rule",
    data: { family: 10, table: 255, action: "toTbl" },
    attrs: { table: 255 },
  });
  t.match(
    local,
    { family: 6, priority: 0, fwmark: 0, fwmask: 0 },
    "the local rule has no priority attribute",
  );
  t.equal(
    ruleFromMessage({ ...base, attrs: { priority: 1, fwmark: 0x1 } })?.fwmask,
    0xffffffff,
    "a mark without mask matches all bits",
  );
});
