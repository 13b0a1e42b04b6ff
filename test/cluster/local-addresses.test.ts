import t from "tap";
import {
  type AddressScope,
  DEFAULT_INTERFACE_DENY_LIST,
  type HostAddress,
  isSideroLinkULA,
  selectLocalAddresses,
} from "../../src/cluster/local-addresses.js";
import { IP, Prefix } from "../../src/net/ip.js";

const fact = (
  ifname: string,
  address: string,
  extra: { up?: boolean; scope?: AddressScope } = {},
): HostAddress => ({
  ifname,
  address: Prefix.parse(address),
  up: extra.up ?? true,
  scope: extra.scope ?? "global",
});
const select = (facts: HostAddress[], options?: Parameters<typeof selectLocalAddresses>[1]) =>
  selectLocalAddresses(facts, options).map(String);

t.test("keeps global addresses on up links, IPv4 first, order and uniqueness kept", async (t) => {
  const facts = [
    fact("eth0", "2001:db8::5/64"),
    fact("eth0", "192.168.1.10/24"),
    fact("eth1", "10.0.0.5/8"),
    fact("eth1", "2001:db8::5/128"),
    fact("eth1", "192.168.1.10/32"),
    fact("eth2", "fd12::1/64"),
  ];
  t.same(select(facts), ["192.168.1.10", "10.0.0.5", "2001:db8::5", "fd12::1"]);
});

t.test("drops what must never be published", async (t) => {
  const cases: [string, HostAddress][] = [
    ["link down", fact("eth0", "192.168.1.10/24", { up: false })],
    ["link scope", fact("eth0", "192.168.1.11/24", { scope: "link" })],
    ["host scope", fact("eth0", "192.168.1.12/24", { scope: "host" })],
    ["site scope", fact("eth0", "fec0::1/64", { scope: "site" })],
    ["loopback v4", fact("eth0", "127.0.0.2/8")],
    ["loopback v6", fact("eth0", "::1/128")],
    ["link-local v4", fact("eth0", "169.254.1.1/16")],
    ["link-local v6", fact("eth0", "fe80::1/64")],
    ["multicast", fact("eth0", "224.0.0.5/32")],
    ["unspecified", fact("eth0", "0.0.0.0/0")],
    ["SideroLink ULA", fact("eth0", "fdae:41e4:649b:9303:60be:7e36:c270:3238/128")],
  ];
  for (const [name, f] of cases) t.same(select([f, fact("eth9", "203.0.113.1/24")]), ["203.0.113.1"], name);
});

t.test("default interface deny-list", async (t) => {
  const denied = [
    "lo",
    "docker0",
    "br-3f2a",
    "veth12ab",
    "cni0",
    "flannel.1",
    "cali1234",
    "cilium_host",
    "vxlan.calico",
    "kube-ipvs0",
    "kube-bridge",
    "tailscale0",
    "wg0",
    "zt5u4y",
    "nebula1",
    "virbr0",
  ];
  for (const ifname of denied) t.same(select([fact(ifname, "172.17.0.1/16")]), [], `${ifname} is denied`);
  for (const ifname of ["eth0", "ens3", "bond0", "enp0s31f6", "br0", "wlan0", "brdocker"]) {
    t.same(select([fact(ifname, "172.17.0.1/16")]), ["172.17.0.1"], `${ifname} is allowed`);
  }
  t.ok(Object.isFrozen(DEFAULT_INTERFACE_DENY_LIST));
  t.ok(DEFAULT_INTERFACE_DENY_LIST.includes("docker*"));
});

t.test("a custom deny-list replaces the default; glob special characters are literal", async (t) => {
  const facts = [fact("docker0", "172.17.0.1/16"), fact("eth0", "10.0.0.1/8"), fact("e.h1", "10.0.0.2/8")];
  t.same(select(facts, { denyInterfaces: ["eth?"] }), ["172.17.0.1", "10.0.0.2"]);
  t.same(
    select([fact("eXh1", "10.0.0.3/8")], { denyInterfaces: ["e.h1"] }),
    ["10.0.0.3"],
    "a dot is not a wildcard",
  );
  t.same(select(facts, { denyInterfaces: [] }), ["172.17.0.1", "10.0.0.1", "10.0.0.2"]);
});

t.test("excluded networks (pod/service CIDRs, VIPs)", async (t) => {
  const facts = [
    fact("eth0", "10.244.1.1/24"),
    fact("eth0", "192.168.1.10/24"),
    fact("eth0", "192.168.1.100/32"),
    fact("eth0", "fd00:10:96::a/64"),
  ];
  const excludedNetworks = [
    Prefix.parse("10.244.0.0/16"),
    Prefix.parse("192.168.1.100/32"),
    Prefix.parse("fd00:10:96::/112"),
  ];
  t.same(select(facts, { excludedNetworks }), ["192.168.1.10"]);
});

t.test("the KubeSpan link's address comes last, even on a renamed link", async (t) => {
  const ula = "fd50:8d60:4238:6302:f857:23ff:fe21:d1e0";
  const facts = [
    fact("kubespan", `${ula}/64`),
    fact("kubespan", "fe80::1/64", { scope: "link" }),
    fact("eth0", "2001:db8::1/64"),
    fact("eth0", "10.0.0.1/8"),
  ];
  t.same(select(facts), ["10.0.0.1", "2001:db8::1", ula]);
  t.same(select(facts, { excludedNetworks: [Prefix.parse("fd00::/8")] }), ["10.0.0.1", "2001:db8::1", ula]);
  t.same(
    select([fact("kubespan", `${ula}/64`, { up: false }), fact("eth0", "10.0.0.1/8")]),
    ["10.0.0.1"],
    "only once up",
  );
  const renamed = [fact("ks0", `${ula}/64`), fact("kubespan", "fd99::1/64"), fact("eth0", "10.0.0.1/8")];
  t.same(select(renamed, { kubespanInterface: "ks0" }), ["10.0.0.1", ula], "the old name stays denied");
});

t.test("isSideroLinkULA checks only bytes 0 and 7", async (t) => {
  t.ok(isSideroLinkULA(IP.parse("fdae:41e4:649b:9303::1")));
  t.ok(isSideroLinkULA(IP.parse("fd00:0:0:3::")));
  t.notOk(isSideroLinkULA(IP.parse("fd50:8d60:4238:6302::1")), "KubeSpan purpose");
  t.notOk(isSideroLinkULA(IP.parse("fc00:0:0:3::1")));
  t.notOk(isSideroLinkULA(IP.parse("10.0.0.3")));
});
