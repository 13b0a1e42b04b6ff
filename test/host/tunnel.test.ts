// Two namespaces on a veth, each programmed by the host layer with a
// wireguard-go device: traffic to the peer's ULA uses the connected /64,
// traffic to a routed IPv4 address of the peer only gets there through the
// marks, rule and table 180 (the default route points at a dead gateway).
import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import type { ApplyResult } from "../../src/host/apply.js";
import {
  buildHostPlan,
  DEFAULT_HOST_SETTINGS,
  type HostPlan,
  type RpFilterMode,
} from "../../src/host/plan.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";
import type { HostAgent } from "../lab/host-agent-client.js";
import { toWire } from "../lab/host-json.js";
import { wgDump } from "../lab/host-tools.js";
import { Lab, type Netns } from "../lab/netns.js";
import { keyPair, randomKey } from "../lab/wg-keys.js";

const PSK = randomKey();
const ULA_A = "fd7f:175a:b97c:5602::a";
const ULA_B = "fd7f:175a:b97c:5602::b";
const NODE_A = "10.99.0.1";
const NODE_B = "10.99.0.2";
/** An address only B has, standing for a pod CIDR reached through the tunnel. */
const POD_B = "192.168.200.1";
const PORT = 5201;

interface Side {
  keys: ReturnType<typeof keyPair>;
  ula: string;
  node: string;
}

function planFor(
  ifname: string,
  self: Side,
  peer: Side,
  peerRouted: string[],
  rpFilter: RpFilterMode,
): HostPlan {
  const allowed = [`${peer.ula}/128`, `${peer.node}/32`, ...peerRouted].map((x) => Prefix.parse(x));
  return buildHostPlan(
    { ...DEFAULT_HOST_SETTINGS, linkName: ifname, rpFilter },
    {
      privateKey: self.keys.privateKey,
      presharedKey: PSK,
      address: IP.parse(self.ula),
      peers: [
        {
          publicKey: peer.keys.publicKey,
          endpoint: Endpoint.parse(`${peer.node}:51820`),
          allowedIPs: allowed,
        },
      ],
      routed: allowed.filter((p) => p.family === 4),
    },
  );
}

const apply = (agent: HostAgent, plan: HostPlan) =>
  agent.call<ApplyResult>("apply", { plan: JSON.parse(toWire(plan)) });

async function ping(ns: Netns, address: string, attempts = 3): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if ((await ns.exec(["ping", "-c", "1", "-W", "2", address])).code === 0) return true;
  }
  return false;
}

const SERVER = `
const net = require("node:net"), crypto = require("node:crypto");
net.createServer((c) => {
  const h = crypto.createHash("sha256"); let n = 0;
  c.on("data", (d) => { h.update(d); n += d.length; });
  c.on("end", () => c.end(n + " " + h.digest("hex")));
}).listen(${PORT}, "${POD_B}", () => console.log("listening"));`;

const CLIENT = `
const net = require("node:net"), crypto = require("node:crypto");
const data = crypto.randomBytes(4 * 1024 * 1024);
const want = data.length + " " + crypto.createHash("sha256").update(data).digest("hex");
let got = "";
const c = net.connect(${PORT}, "${POD_B}", () => c.end(data));
c.setTimeout(20000, () => { console.log(JSON.stringify({ want, got: "timeout" })); process.exit(1); });
c.on("data", (d) => (got += d));
c.on("end", () => console.log(JSON.stringify({ want, got })));`;

t.test("two nodes through the tunnel", async (t) => {
  const lab = Lab.create(t);
  const [nsA, nsB] = [await lab.netns("a"), await lab.netns("b")];
  const [vethA, vethB] = [lab.ifname("va"), lab.ifname("vb")];
  await lab.veth(nsA, vethA, nsB, vethB, [[`${NODE_A}/24`], [`${NODE_B}/24`]]);
  await nsB.run(["ip", "address", "add", `${POD_B}/32`, "dev", "lo"]);
  // A host with a real default route, whose gateway is dead: only the tunnel reaches POD_B.
  await nsA.run(["ip", "route", "add", "default", "via", "10.99.0.254", "dev", vethA]);
  // Strict reverse-path filtering on A, which drops the replies until rp_filter
  // is fixed (loose mode would drop them too: the link has no IPv4 address).
  await nsA.run(["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1"]);

  const a: Side = { keys: keyPair(), ula: ULA_A, node: NODE_A };
  const b: Side = { keys: keyPair(), ula: ULA_B, node: NODE_B };
  const [ifA, ifB] = [lab.ifname("a"), lab.ifname("b")];
  const [agentA, agentB] = [await lab.agent(nsA), await lab.agent(nsB)];
  const warned = await apply(agentA, planFor(ifA, a, b, [`${POD_B}/24`], "warn"));
  await apply(agentB, planFor(ifB, b, a, [], "warn"));
  t.match(warned.warnings.join("\n"), `rp_filter is 1 on ${ifA}`, "A is warned about rp_filter on the link");

  await t.test("the peer's ULA answers through the connected /64", async (t) => {
    t.ok(await ping(nsA, ULA_B), `ping ${ULA_B}`);
    const peer = (await wgDump(nsA, ifA)).peers[0]!;
    t.ok(peer.latestHandshake > 0, "handshake done");
    t.ok(peer.rx > 0 && peer.tx > 0, "traffic counted on the peer");
  });

  await t.test(
    "rp_filter drops the routed replies, loose as well as strict; the opted-in fix lets them through",
    async (t) => {
      t.equal(await ping(nsA, POD_B, 1), false, "dropped while strict");
      await nsA.run(["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=2"]);
      t.equal(await ping(nsA, POD_B, 1), false, "dropped while loose: the link has no IPv4 address");
      const route = await nsA.run(["ip", "route", "get", POD_B, "mark", "0x40"]);
      t.match(route, `dev ${ifA} table 180`, "marked traffic is routed into the tunnel");
      const fixed = await apply(agentA, planFor(ifA, a, b, [`${POD_B}/24`], "fix"));
      t.ok(
        fixed.changes.some((c) => c.area === "sysctl" && c.detail === "net.ipv4.conf.all.rp_filter 2 → 0"),
      );
      t.ok(await ping(nsA, POD_B), `ping ${POD_B}`);
    },
  );

  await t.test("a TCP transfer to the routed address", async (t) => {
    const server = lab.spawn(nsB, [process.execPath, "-e", SERVER]);
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once("data", () => resolve());
      server.once("exit", (code) => reject(new Error(`server exited ${code}`)));
    });
    const result = JSON.parse(await nsA.run([process.execPath, "-e", CLIENT], { timeoutMs: 30_000 })) as {
      want: string;
      got: string;
    };
    t.equal(result.got, result.want, "4 MiB arrived intact");
  });

  await t.test("a kick sends a packet to the peer at once", async (t) => {
    // A ping resets WireGuard's timers, so nothing else is due for 25 s.
    t.ok(await ping(nsA, ULA_B));
    const before = (await wgDump(nsA, ifA)).peers[0]!.tx;
    await agentA.call("kick", { publicKey: b.keys.publicKey, keepaliveSeconds: 25 });
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await sleep(100);
      after = (await wgDump(nsA, ifA)).peers[0]!.tx;
    }
    t.ok(after - before >= 32, `a keepalive left (${after - before} bytes)`);
    t.equal((await wgDump(nsA, ifA)).peers[0]!.keepalive, "25");
  });

  await t.test("re-creating a peer that holds a session handshakes again at once", async (t) => {
    t.ok(await ping(nsA, ULA_B));
    const before = (await wgDump(nsA, ifA)).peers[0]!.latestHandshake;
    // wg reports handshakes in whole seconds; WireGuard itself would not handshake again for 2 min.
    await sleep(1_100);
    const plan = planFor(ifA, a, b, [`${POD_B}/24`], "fix");
    await agentA.call("rehandshake", { plan: JSON.parse(toWire(plan)) });
    let latest = before;
    for (let i = 0; i < 50 && latest === before; i++) {
      await sleep(100);
      latest = (await wgDump(nsA, ifA)).peers[0]!.latestHandshake;
    }
    t.ok(latest > before, `a new handshake (${before} → ${latest})`);
    t.ok(await ping(nsA, ULA_B), "traffic flows on the new session");
  });
});
