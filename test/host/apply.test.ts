// Applying host plans to real kernel objects in a network namespace, checked
// with the real tools: idempotence, drift repair, roaming, adoption after a
// restart, conflicts, rp_filter, and a teardown that leaves the host as it was.
import t from "tap";
import type { ApplyResult, HostChange } from "../../src/host/apply.js";
import {
  buildHostPlan,
  DEFAULT_HOST_SETTINGS,
  type HostPlan,
  type HostSettings,
} from "../../src/host/plan.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";
import { AgentError, type HostAgent } from "../lab/host-agent-client.js";
import { deviceFromWire, toWire } from "../lab/host-json.js";
import { hostSnapshot, ipAddresses, ipLink, ipRoutes, ipRules, nftTable, wgDump } from "../lab/host-tools.js";
import { Lab, type Netns } from "../lab/netns.js";
import { keyPair, randomKey } from "../lab/wg-keys.js";

const me = keyPair();
const peerA = keyPair();
const peerB = keyPair();
const PSK = randomKey();

function plan(
  ifname: string,
  settings: Partial<HostSettings> = {},
  endpointA = "192.0.2.10:51820",
): HostPlan {
  return buildHostPlan(
    { ...DEFAULT_HOST_SETTINGS, linkName: ifname, ...settings },
    {
      privateKey: me.privateKey,
      presharedKey: PSK,
      address: IP.parse("fd7f:175a:b97c:5602::a"),
      peers: [
        {
          publicKey: peerA.publicKey,
          endpoint: Endpoint.parse(endpointA),
          allowedIPs: [Prefix.parse("10.244.1.0/24"), Prefix.parse("fd7f:175a:b97c:5602::b/128")],
        },
        { publicKey: peerB.publicKey, endpoint: undefined, allowedIPs: [Prefix.parse("10.244.2.0/24")] },
      ],
      routed: [Prefix.parse("10.244.1.0/24"), Prefix.parse("10.244.2.0/24"), Prefix.parse("2001:db8:7::/48")],
    },
  );
}

const apply = (agent: HostAgent, p: HostPlan) =>
  agent.call<ApplyResult>("apply", { plan: JSON.parse(toWire(p)) });
const teardown = (agent: HostAgent, p: HostPlan) =>
  agent.call<HostChange[]>("teardown", { plan: JSON.parse(toWire(p)) });
const summary = (changes: HostChange[]) => changes.map((c) => `${c.area} ${c.action} ${c.detail}`);

async function wireguardGoPid(ns: Netns, ifname: string): Promise<string | undefined> {
  const pids = (await ns.run(["ip", "netns", "pids", ns.name]).catch(() => "")).split(/\s+/).filter(Boolean);
  const out = await ns.exec(["ps", "-o", "pid=,args=", "-p", pids.join(",") || "0"]);
  return out.stdout
    .split("\n")
    .find((l) => l.trim().endsWith(`wireguard-go ${ifname}`))
    ?.trim()
    .split(/\s+/)[0];
}

/** Checks the namespace holds exactly what `p` asks for, with wg, ip and nft. */
async function assertProgrammed(t: Tap, ns: Netns, p: HostPlan) {
  const ifname = p.link.name;
  const dump = await wgDump(ns, ifname);
  t.equal(dump.privateKey, me.privateKey, "wg: private key");
  t.equal(dump.listenPort, 51820, "wg: port");
  t.equal(dump.fwmark, "0x20", "wg: fwmark");
  t.same(dump.peers.map((x) => x.publicKey).sort(), [peerA.publicKey, peerB.publicKey].sort(), "wg: peers");
  for (const peer of dump.peers) {
    t.equal(peer.presharedKey, PSK, "wg: PSK = cluster secret");
    t.equal(peer.keepalive, "25", "wg: keepalive");
  }
  const a = dump.peers.find((x) => x.publicKey === peerA.publicKey)!;
  t.same(a.allowedIPs.sort(), ["10.244.1.0/24", "fd7f:175a:b97c:5602::b/128"], "wg: allowed IPs");
  const rules = (await ipRules(ns)).filter((r) => r["priority"] === 32500);
  t.equal(rules.length, 2, "ip rule: one per family");
  for (const rule of rules)
    t.match(rule, { fwmark: "0x40", fwmask: "0x60", table: "180" }, "ip rule: mark and table");
  const routes = await ipRoutes(ns, 180);
  t.equal(routes.length, 2, "ip route: two in table 180");
  for (const route of routes) {
    t.match(
      route,
      { dst: "default", dev: ifname, protocol: "static", metric: 1 },
      "ip route: default, static, metric 1",
    );
    t.same(route["metrics"], [{ mtu: 1420 }], "route MTU");
  }
  const link = await ipLink(ns, ifname);
  t.equal(link?.["mtu"], 1420, "link MTU");
  t.ok((link?.["flags"] as string[] | undefined)?.includes("UP"), "link up");
  t.same(await ipAddresses(ns, ifname), ["fd7f:175a:b97c:5602::a/64"], "ULA /64");
  const table = await nftTable(ns, "kubespan");
  t.ok(table, "nft table inet kubespan");
  const set = (name: string) =>
    (
      table?.find((i) => (i["set"] as { name?: string } | undefined)?.name === name)?.["set"] as {
        elem?: unknown[];
      }
    )?.elem;
  t.same(set("dst4"), [{ range: ["10.244.1.0", "10.244.2.255"] }], "nft dst4: the two adjacent /24s merged");
  t.same(set("dst6"), [{ prefix: { addr: "2001:db8:7::", len: 48 } }], "nft dst6");
}

/** The assertions assertProgrammed uses, as tap's Test provides them. */
interface Tap {
  equal(found: unknown, wanted: unknown, message: string): unknown;
  same(found: unknown, wanted: unknown, message: string): unknown;
  match(found: unknown, pattern: unknown, message: string): unknown;
  ok(value: unknown, message: string): unknown;
}

t.test("apply, re-apply, drift, roaming, restart, conflicts, teardown", async (t) => {
  const lab = Lab.create(t);
  const ns = await lab.netns("apply");
  const uplink = lab.ifname("up");
  const ifname = lab.ifname("ks");
  // A veth pair stands in for the uplink (this kernel may lack the dummy driver);
  // no IPv6 link-local addresses, which would appear at an unknown time and
  // make the before/after snapshots differ.
  await ns.run(["ip", "link", "add", uplink, "type", "veth", "peer", "name", lab.ifname("uq")]);
  for (const name of [uplink, lab.ifname("uq")])
    await ns.run(["ip", "link", "set", name, "addrgenmode", "none"]);
  await ns.run(["ip", "address", "add", "10.99.0.1/24", "dev", uplink]);
  await ns.run(["ip", "link", "set", lab.ifname("uq"), "up"]);
  await ns.run(["ip", "link", "set", uplink, "up"]);
  await ns.run(["ip", "route", "add", "default", "via", "10.99.0.254", "dev", uplink]);
  const before = await hostSnapshot(ns);
  let agent = await lab.agent(ns);
  const desired = plan(ifname);

  await t.test("first apply creates everything, with the userspace backend here", async (t) => {
    const result = await apply(agent, desired);
    const kernelHasWireGuard =
      (await ns.exec(["ip", "link", "add", lab.ifname("p"), "type", "wireguard"])).code === 0;
    if (kernelHasWireGuard) await ns.run(["ip", "link", "del", lab.ifname("p")]);
    t.equal(result.backend.kind, kernelHasWireGuard ? "kernel" : "userspace");
    if (!kernelHasWireGuard)
      t.match(result.backend.reason, /kernel cannot create a wireguard link.*started wireguard-go/);
    t.equal(result.backend.adopted, false);
    t.same([...new Set(result.changes.map((c) => c.area))].sort(), [
      "address",
      "link",
      "nftables",
      "route",
      "rule",
      "wireguard",
    ]);
    await assertProgrammed(t, ns, desired);
  });

  await t.test("the same plan again changes nothing", async (t) => {
    t.same((await apply(agent, desired)).changes, []);
  });

  await t.test("drift made by hand is repaired", async (t) => {
    await ns.run(["ip", "-6", "rule", "del", "priority", "32500"]);
    await ns.run(["wg", "set", ifname, "peer", peerB.publicKey, "remove"]);
    await ns.run(["ip", "-4", "route", "del", "default", "table", "180"]);
    await ns.run(["nft", "flush", "chain", "inet", "kubespan", "output"]);
    await ns.run(["ip", "link", "set", ifname, "mtu", "1500"]);
    const changes = summary((await apply(agent, desired)).changes);
    t.same(changes.sort(), [
      `link update ${ifname} up, MTU 1420`,
      "nftables update table inet kubespan replaced",
      "route add default (IPv4) table 180 metric 1 mtu 1420",
      "rule add IPv6 priority 32500 fwmark 0x40/0x60 lookup 180",
      `wireguard add peer ${peerB.publicKey.slice(0, 8)}…`,
    ]);
    await assertProgrammed(t, ns, desired);
    t.same((await apply(agent, desired)).changes, [], "then nothing");
  });

  await t.test("applyPeers sends the peer difference and touches nothing else", async (t) => {
    await ns.run(["ip", "-6", "rule", "del", "priority", "32500"]);
    const moved = plan(ifname, {}, "192.0.2.12:51820");
    const result = await agent.call<ApplyResult>("applyPeers", { plan: JSON.parse(toWire(moved)) });
    t.same(summary(result.changes), [`wireguard update peer ${peerA.publicKey.slice(0, 8)}…`]);
    const dump = await wgDump(ns, ifname);
    t.equal(dump.peers.find((x) => x.publicKey === peerA.publicKey)?.endpoint, "192.0.2.12:51820");
    t.equal((await ipRules(ns)).filter((r) => r["priority"] === 32500).length, 1, "the rule drift is left");
    t.same(
      summary((await apply(agent, desired)).changes).sort(),
      [
        "rule add IPv6 priority 32500 fwmark 0x40/0x60 lookup 180",
        `wireguard update peer ${peerA.publicKey.slice(0, 8)}…`,
      ],
      "until the next full apply repairs it",
    );
  });

  await t.test("an unset endpoint keeps the roamed one; a set one is enforced", async (t) => {
    await ns.run(["wg", "set", ifname, "peer", peerB.publicKey, "endpoint", "198.51.100.7:40001"]);
    await ns.run(["wg", "set", ifname, "peer", peerA.publicKey, "endpoint", "198.51.100.8:40002"]);
    const changes = summary((await apply(agent, desired)).changes);
    t.same(
      changes,
      [`wireguard update peer ${peerA.publicKey.slice(0, 8)}…`],
      "only the peer with a set endpoint",
    );
    const dump = await wgDump(ns, ifname);
    t.equal(
      dump.peers.find((x) => x.publicKey === peerB.publicKey)?.endpoint,
      "198.51.100.7:40001",
      "roamed kept",
    );
    t.equal(
      dump.peers.find((x) => x.publicKey === peerA.publicKey)?.endpoint,
      "192.0.2.10:51820",
      "desired restored",
    );
    const moved = plan(ifname, {}, "192.0.2.11:51820");
    t.same(summary((await apply(agent, moved)).changes), [
      `wireguard update peer ${peerA.publicKey.slice(0, 8)}…`,
    ]);
    t.same((await apply(agent, desired)).changes.length, 1, "and back");
  });

  await t.test("a restarted daemon adopts the device without changing anything", async (t) => {
    const pid = await wireguardGoPid(ns, ifname);
    t.ok(pid, "wireguard-go runs");
    await agent.stop();
    agent = await lab.agent(ns);
    const opened = deviceFromWire(
      await agent.call<Record<string, unknown>>("open", { plan: JSON.parse(toWire(desired)) }),
    );
    t.same(
      opened.peers.map((p) => p.publicKey).sort(),
      [peerA.publicKey, peerB.publicKey].sort(),
      "open reads the adopted device before anything is planned",
    );
    t.equal(
      opened.peers.find((p) => p.publicKey === peerB.publicKey)?.endpoint?.toString(),
      "198.51.100.7:40001",
    );
    const result = await apply(agent, desired);
    t.same(result.changes, []);
    t.equal(result.backend.adopted, true);
    t.match(result.backend.reason, /existing/);
    t.equal(await wireguardGoPid(ns, ifname), pid, "the same wireguard-go process kept running");
    await agent.call("kick", { publicKey: peerA.publicKey, keepaliveSeconds: 25 });
    t.equal((await wgDump(ns, ifname)).peers.find((x) => x.publicKey === peerA.publicKey)?.keepalive, "25");
  });

  await t.test("strict rp_filter: warned by default, fixed when opted in", async (t) => {
    // The kernel side of this is shown by the tunnel test; here: what is read and written.
    await ns.run(["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1"]);
    const warned = await apply(agent, desired);
    t.same(warned.changes, []);
    t.equal(warned.warnings.length, 2, "the link and the uplink");
    t.match(warned.warnings.join("\n"), `rp_filter is 1 on ${ifname}`);
    t.match(warned.warnings.join("\n"), `rp_filter is strict on ${uplink}`);
    const fixed = await apply(agent, plan(ifname, { rpFilter: "fix" }));
    const other = lab.ifname("uq");
    t.same(
      summary(fixed.changes).sort(),
      [
        "sysctl update net.ipv4.conf.all.rp_filter 1 → 0",
        "sysctl update net.ipv4.conf.lo.rp_filter 0 → 1",
        `sysctl update net.ipv4.conf.${other}.rp_filter 0 → 1`,
        `sysctl update net.ipv4.conf.${uplink}.rp_filter 0 → 2`,
      ].sort(),
      "the link gets 0, the uplink loose, every other interface keeps strict",
    );
    t.equal((await ns.run(["sysctl", "-n", `net.ipv4.conf.${uplink}.rp_filter`])).trim(), "2");
    t.same((await apply(agent, desired)).warnings, [], "loose now: no warning");
  });

  await t.test("conflicts stop the apply, name the setting and change nothing", async (t) => {
    const cases: Array<[string, string[][], string[][], string]> = [
      [
        "foreign rule at our priority",
        [["ip", "rule", "add", "priority", "32500", "lookup", "100"]],
        [["ip", "rule", "del", "priority", "32500", "lookup", "100"]],
        "rulePriority",
      ],
      [
        "foreign route in our table",
        [["ip", "route", "add", "10.77.0.0/16", "dev", uplink, "table", "180"]],
        [["ip", "route", "del", "10.77.0.0/16", "table", "180"]],
        "routingTable",
      ],
      [
        "foreign nftables rule setting our bit",
        [
          ["nft", "add", "table", "ip", "foreign"],
          ["nft", "add", "chain", "ip", "foreign", "out", "{ type filter hook output priority 0; }"],
          ["nft", "add", "rule", "ip", "foreign", "out", "meta", "mark", "set", "0x40"],
        ],
        [["nft", "delete", "table", "ip", "foreign"]],
        "marks",
      ],
    ];
    for (const [name, setup, undo, setting] of cases) {
      for (const argv of setup) await ns.run(argv);
      const snapshot = await hostSnapshot(ns);
      const err = await apply(agent, plan(ifname, { mtu: 1400 })).catch((e: unknown) => e);
      t.type(err, AgentError, name);
      t.equal((err as AgentError).name, "ConflictError", `${name}: ConflictError`);
      t.match((err as AgentError).message, `(setting: ${setting})`, `${name}: names ${setting}`);
      t.same(await hostSnapshot(ns), snapshot, `${name}: nothing touched (the MTU change was not applied)`);
      for (const argv of undo) await ns.run(argv);
    }
  });

  await t.test("a changed priority or table applies live, replacing our old rules and routes", async (t) => {
    const priority = summary((await apply(agent, plan(ifname, { rulePriority: 32400 }))).changes);
    t.same(priority.sort(), [
      "rule add IPv4 priority 32400 fwmark 0x40/0x60 lookup 180",
      "rule add IPv6 priority 32400 fwmark 0x40/0x60 lookup 180",
      "rule remove IPv4 priority 32500 fwmark 0x40/0x60 lookup 180",
      "rule remove IPv6 priority 32500 fwmark 0x40/0x60 lookup 180",
    ]);
    const table = summary((await apply(agent, plan(ifname, { routingTable: 170 }))).changes);
    t.same(table.filter((c) => c.startsWith("route")).sort(), [
      "route add default (IPv4) table 170 metric 1 mtu 1420",
      "route add default (IPv6) table 170 metric 1 mtu 1420",
      "route remove default (IPv4) table 180 metric 1 mtu 1420",
      "route remove default (IPv6) table 180 metric 1 mtu 1420",
    ]);
    t.same(await ipRoutes(ns, 180), [], "nothing left in the old table");
    await apply(agent, desired);
    await assertProgrammed(t, ns, desired);
    t.same((await apply(agent, desired)).changes, []);
  });

  await t.test("teardown removes everything it created and nothing else", async (t) => {
    const changes = await teardown(agent, desired);
    t.ok(changes.some((c) => c.area === "link" && c.action === "remove"));
    t.equal(await wireguardGoPid(ns, ifname), undefined, "wireguard-go stopped");
    t.same(await hostSnapshot(ns), before, "rules, routes, links, addresses and nft tables as before");
    t.same(await teardown(agent, desired), [], "a second teardown finds nothing");
  });
});

t.test("a link of another kind with our name is refused, not adopted", async (t) => {
  const lab = Lab.create(t);
  const ns = await lab.netns("foreign");
  const ifname = lab.ifname("ks");
  await ns.run(["ip", "link", "add", ifname, "type", "bridge"]);
  const agent = await lab.agent(ns);
  const err = await apply(agent, plan(ifname)).catch((e: unknown) => e);
  t.equal((err as AgentError).name, "WireGuardError");
  t.match((err as AgentError).message, `link ${ifname} already exists as bridge`);
  t.ok(await ipLink(ns, ifname), "the foreign link is left alone");
  t.equal(await nftTable(ns, "kubespan"), undefined, "nothing else was created");

  const probe = await ns.exec(["ip", "link", "add", lab.ifname("p"), "type", "wireguard"]);
  await t.test(
    "forcing the kernel backend without kernel WireGuard",
    { skip: probe.code === 0 && "this kernel has WireGuard" },
    async (t) => {
      const forced = await apply(agent, plan(lab.ifname("k"), { backend: "kernel" })).catch(
        (e: unknown) => e,
      );
      t.match(
        (forced as AgentError).message,
        /kernel WireGuard backend unavailable: the kernel cannot create a wireguard link/,
      );
    },
  );
});
