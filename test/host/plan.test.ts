import t from "tap";
import { DEFAULT_HOST_SETTINGS } from "../../src/host/plan.js";
import { HostPlanError, validateHostPlan } from "../../src/host/validate.js";
import { Prefix } from "../../src/net/ip.js";
import { key, samplePlan } from "./fixtures-plan.js";

t.test("defaults are the Talos values (spec §10.1)", async (t) => {
  t.match(DEFAULT_HOST_SETTINGS, {
    linkName: "kubespan",
    listenPort: 51820,
    mtu: 1420,
    marks: { wireguard: 0x20, route: 0x40, mask: 0x60 },
    routingTable: 180,
    rulePriority: 32500,
    routeMetric: 1,
    keepaliveSeconds: 25,
    nftTable: "kubespan",
    rpFilter: "warn",
  });
  t.ok(Object.isFrozen(DEFAULT_HOST_SETTINGS));
});

t.test("buildHostPlan", async (t) => {
  const plan = samplePlan();
  t.same(plan.link, { name: "kubespan", mtu: 1420 });
  t.equal(String(plan.address), "fd7f:175a:b97c:5602:1234:56ff:fe78:9abc/64");
  t.match(plan.wireguard, { privateKey: key(1), listenPort: 51820, fwmark: 0x20 });
  t.same(
    plan.wireguard.peers.map((p) => [p.presharedKey, p.keepaliveSeconds]),
    [
      [key(2), 25],
      [key(2), 25],
    ],
    "PSK = cluster secret, keepalive 25 s",
  );
  t.equal(plan.wireguard.peers[1]!.endpoint, undefined, "an unset endpoint stays unset");
  t.same(
    plan.routes.map((r) => [String(r.dst), r.table, r.metric, r.mtu]),
    [
      ["0.0.0.0/0", 180, 1, 1420],
      ["::/0", 180, 1, 1420],
    ],
  );
  t.same(plan.rules, [
    { family: 4, priority: 32500, table: 180, fwmark: 0x40, fwmask: 0x60 },
    { family: 6, priority: 32500, table: 180, fwmark: 0x40, fwmask: 0x60 },
  ]);
  t.same(plan.nftables.dst4.map(String), ["10.244.1.0/24", "10.244.2.0/24"]);
  t.same(plan.nftables.dst6.map(String), ["2001:db8:1::/48"]);
  t.doesNotThrow(() => validateHostPlan(plan));
});

t.test("settings flow into the plan", async (t) => {
  const plan = samplePlan({
    linkName: "ks0",
    mtu: 1380,
    routingTable: 1000,
    rulePriority: 100,
    marks: { wireguard: 0x100, route: 0x200, mask: 0x300 },
    listenPort: 0,
  });
  t.equal(plan.link.name, "ks0");
  t.equal(plan.wireguard.fwmark, 0x100);
  t.equal(plan.wireguard.listenPort, 0);
  t.match(plan.rules[0], { priority: 100, table: 1000, fwmark: 0x200, fwmask: 0x300 });
  t.match(plan.routes[1], { table: 1000, mtu: 1380 });
  t.equal(plan.nftables.mtu, 1380);
  t.doesNotThrow(() => validateHostPlan(plan));
});

t.test("validation names the field", async (t) => {
  const cases: Array<[string, (p: ReturnType<typeof samplePlan>) => void, string, RegExp]> = [
    ["long link name", (p) => (p.link.name = "a-very-long-name"), "link.name", /1 to 15/],
    ["link name with a slash", (p) => (p.link.name = "a/b"), "link.name", /got "a\/b"/],
    ["MTU below 1280", (p) => (p.link.mtu = 1200), "link.mtu", /from 1280 to 65535, got 1200/],
    [
      "IPv4 address",
      (p) => (p.address = Prefix.parse("10.0.0.1/64".replace("/64", "/24"))),
      "address",
      /IPv6 address with length 64/,
    ],
    ["address /128", (p) => (p.address = Prefix.parse("fd00::1/128")), "address", /length 64/],
    [
      "bad private key",
      (p) => (p.wireguard.privateKey = "secret-value"),
      "wireguard.privateKey",
      /32-byte key/,
    ],
    [
      "bad peer key",
      (p) => (p.wireguard.peers[0]!.publicKey = "x"),
      "wireguard.peers[0].publicKey",
      /32-byte key/,
    ],
    [
      "bad PSK",
      (p) => (p.wireguard.peers[1]!.presharedKey = "psk-value"),
      "wireguard.peers[1].presharedKey",
      /32-byte/,
    ],
    [
      "duplicate peer",
      (p) => (p.wireguard.peers[1]!.publicKey = key(10)),
      "wireguard.peers[1].publicKey",
      /duplicate peer/,
    ],
    [
      "allowed IP on two peers",
      (p) => p.wireguard.peers[1]!.allowedIPs.push(Prefix.parse("10.244.1.9/24")),
      "wireguard.peers[1].allowedIPs",
      /10\.244\.1\.0\/24 is also an allowed IP of wireguard\.peers\[0\]/,
    ],
    ["port", (p) => (p.wireguard.listenPort = 70000), "wireguard.listenPort", /0 to 65535/],
    [
      "keepalive",
      (p) => (p.wireguard.peers[0]!.keepaliveSeconds = -1),
      "wireguard.peers[0].keepaliveSeconds",
      /got -1/,
    ],
    ["main table", (p) => (p.routes[0]!.table = 254), "routes[0].table", /reserved routing table/],
    ["rule table 0", (p) => (p.rules[1]!.table = 0), "rules[1].table", /from 1/],
    ["priority after main", (p) => (p.rules[0]!.priority = 32766), "rules[0].priority", /1 to 32765/],
    ["fwmark outside mask", (p) => (p.rules[0]!.fwmark = 0x80), "rules[0].fwmark", /outside fwmask/],
    [
      "mark outside mask",
      (p) => (p.nftables.marks.route = 0x80),
      "nftables.marks.route",
      /0x80 has bits outside the mask 0x60/,
    ],
    [
      "marks overlap",
      (p) => (p.nftables.marks = { wireguard: 0x60, route: 0x40, mask: 0x60 }),
      "nftables.marks",
      /share bits/,
    ],
    ["table name", (p) => (p.nftables.table = "bad name"), "nftables.table", /identifier/],
    [
      "v6 prefix in dst4",
      (p) => p.nftables.dst4.push(Prefix.parse("fd00::/8")),
      "nftables.dst4",
      /IPv4 prefixes only, got fd00::\/8/,
    ],
  ];
  for (const [name, edit, field, message] of cases) {
    const plan = samplePlan();
    edit(plan);
    const err = t.throws(() => validateHostPlan(plan), HostPlanError, name) as HostPlanError;
    t.equal(err.field, field, `${name}: field`);
    t.match(err.message, message, `${name}: message`);
    t.notMatch(err.message, /secret-value|psk-value/, `${name}: no secret in the message`);
  }
});
