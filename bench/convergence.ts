// convergence: 10 nodes on one LAN, their daemons started back to back.
// Figure: time from the last daemon's spawn until every node's WireGuard
// device has handshaken with every other node (90 directed observations,
// 45 pairs) and all 90 directed pings over the KubeSpan addresses answer.
// Baseline, same namespaces, same run: wireguard-go devices given complete
// static configurations with `wg setconf`, timed from the last setconf to all
// 90 pings answering. Median of 3 rounds, each on a freshly built mesh.
import { readFileSync } from "node:fs";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeSpanClient } from "../src/gen/kubespan/v1/api.js";
import { api, KUBESPAND, type Mesh, startDaemon, startMesh, waitFor, withLogs } from "../test/lab/mesh.js";
import { execute, type Lab } from "../test/lab/netns.js";
import { keyPair, randomKey } from "../test/lab/wg-keys.js";
import { withBenchLab } from "./bench-lab.js";
import { firstLog, logEntries, median, Pinger, peerStatuses, seconds } from "./lab-timing.js";
import { writeResult } from "./result.js";

const ROUNDS = 3;
const NODES = 10;
const TARGET_S = 2;
const TIMEOUT_MS = 120_000;
const POLL_MS = 250;
const API_POLL_MS = 1_000;
const STATIC_PORT = 51830;
const READY = "KubeSpan interface programmed";
const DEVICE = "WireGuard backend:";
/** USER_HZ: the unit of /proc/<pid>/stat times on every Linux architecture we run on. */
const CLOCK_TICKS_PER_S = 100;

interface DaemonRound {
  /** All from the last spawn, ms. */
  handshakesMs: number;
  pingsMs: number;
  lastFirstLogMs: number;
  lastReadyMs: number;
  lastPingerStartMs: number;
  /** Per node, from its own spawn, ms. */
  firstLogMs: number[];
  /** Spawn to the WireGuard device opened (wireguard-go started). */
  deviceMs: number[];
  readyMs: number[];
  /** CPU time (user + system) each daemon had used when the mesh was complete, ms. */
  cpuMs: number[];
}

async function daemonConvergence(mesh: Mesh): Promise<DaemonRound> {
  const spawnedAt: number[] = [];
  for (const node of mesh.nodes) {
    spawnedAt.push(Date.now());
    startDaemon(mesh, node);
  }
  const lastSpawn = spawnedAt.at(-1)!;
  const clients = mesh.nodes.map(api);
  const pingers = new Map<string, Pinger>();
  // node name + peer key → the first handshake time that node's daemon reported
  const handshakes = new Map<string, number>();
  let lastApiPoll = 0;
  const recorded = (name: string) =>
    [...handshakes.keys()].filter((k) => k.startsWith(`${name}/`)).length === NODES - 1;
  try {
    const done = async () => {
      const addresses = mesh.nodes.map((n) => firstLog(n, "identity loaded")?.fields.address);
      for (const node of mesh.nodes) {
        // Before its interface exists a node has no route to the KubeSpan /64 and ping would give up.
        if (pingers.has(node.name) || !firstLog(node, READY) || addresses.includes(undefined)) continue;
        const others = addresses.filter((_, i) => mesh.nodes[i] !== node) as string[];
        pingers.set(node.name, new Pinger(mesh.lab, node.ns, others));
      }
      // The daemons read their devices once a second at best, so asking more often would only
      // add the API's CPU cost to the convergence being measured.
      if (Date.now() - lastApiPoll >= API_POLL_MS) {
        lastApiPoll = Date.now();
        const pending = mesh.nodes.filter((n) => !recorded(n.name));
        await Promise.all(
          pending.map((n) => recordHandshakes(n.name, clients[mesh.nodes.indexOf(n)]!, handshakes)),
        );
      }
      const pinged = pingers.size === NODES && [...pingers.values()].every((p) => p.allAnswered);
      return pinged && handshakes.size === NODES * (NODES - 1);
    };
    const state = () =>
      `${handshakes.size} of ${NODES * (NODES - 1)} handshakes recorded; ` +
      mesh.nodes
        .map((n) => `${n.name}: ${pingers.get(n.name)?.describeMissing() ?? "not ready, no pings yet"}`)
        .join("; ");
    await withLogs(mesh, waitForEvery(done, state, TIMEOUT_MS));
    const readyAt = mesh.nodes.map((n) => firstLog(n, READY)!.time);
    const firstLogAt = mesh.nodes.map((n) => logEntries(n)[0]!.time);
    const deviceAt = mesh.nodes.map((n) => logEntries(n).find((e) => e.msg.startsWith(DEVICE))!.time);
    return {
      handshakesMs: Math.max(...handshakes.values()) - lastSpawn,
      pingsMs: Math.max(...[...pingers.values()].map((p) => p.lastFirstReply!)) - lastSpawn,
      lastFirstLogMs: Math.max(...firstLogAt) - lastSpawn,
      lastReadyMs: Math.max(...readyAt) - lastSpawn,
      lastPingerStartMs: Math.max(...[...pingers.values()].map((p) => p.startedAt)) - lastSpawn,
      firstLogMs: firstLogAt.map((t, i) => t - spawnedAt[i]!),
      deviceMs: deviceAt.map((t, i) => t - spawnedAt[i]!),
      readyMs: readyAt.map((t, i) => t - spawnedAt[i]!),
      cpuMs: mesh.nodes.map((n) => cpuMs(n.process!.pid!)),
    };
  } finally {
    for (const p of pingers.values()) p.stop();
    for (const c of clients) c.close();
  }
}

/** CPU time a running process has used so far, ms (/proc/<pid>/stat utime + stime, in clock ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/**
 * Records, per directed pair, the handshake time the daemon's API shows the
 * first time it shows one. The API reports the latest handshake only, so when
 * a peer is re-created after its first session already carried pings, the
 * value recorded is that later handshake.
 */
async function recordHandshakes(name: string, client: KubeSpanClient, into: Map<string, number>) {
  const peers = await peerStatuses(client).catch(() => []);
  for (const p of peers) {
    const key = `${name}/${p.publicKey}`;
    if (p.lastHandshakeAt > 0 && !into.has(key)) into.set(key, p.lastHandshakeAt);
  }
}

/** Like waitFor, polling every POLL_MS, but a check that throws fails the wait at once. */
async function waitForEvery(
  check: () => Promise<boolean>,
  state: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no convergence within ${timeoutMs} ms: ${state()}`);
    await sleep(POLL_MS);
  }
}

/**
 * The hand-written baseline: one wireguard-go device per namespace with the
 * full peer list, a KubeSpan-like ULA /64 and keepalive 25 s (which, like the
 * daemon's kick, sends the first handshake at once). Returns ms from the last
 * `wg setconf` to all 90 pings answering.
 */
async function staticMesh(lab: Lab, mesh: Mesh): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), `ksstatic-${lab.id}-`));
  const nodes = mesh.nodes.map((node, i) => ({
    node,
    ifname: lab.ifname(`s${i + 1}`),
    address: `fdba:5e00::${i + 1}`,
    keys: keyPair(),
    conf: join(dir, `n${i + 1}.conf`),
  }));
  const psk = randomKey();
  const devices = nodes.map((n) => lab.spawn(n.node.ns, ["wireguard-go", "-f", n.ifname]));
  const pingers: Pinger[] = [];
  try {
    const socket = (ifname: string) => `/var/run/wireguard/${ifname}.sock`;
    await waitFor("the static wireguard-go devices", async () => {
      await Promise.all(nodes.map((n) => access(socket(n.ifname))));
      return true;
    });
    for (const n of nodes) {
      const peers = nodes.filter((other) => other !== n);
      const conf = [
        `[Interface]\nPrivateKey = ${n.keys.privateKey}\nListenPort = ${STATIC_PORT}\n`,
        ...peers.map(
          (p) =>
            `[Peer]\nPublicKey = ${p.keys.publicKey}\nPresharedKey = ${psk}\n` +
            `Endpoint = ${p.node.ip}:${STATIC_PORT}\nAllowedIPs = ${p.address}/128\nPersistentKeepalive = 25\n`,
        ),
      ].join("\n");
      await writeFile(n.conf, conf, { mode: 0o600 });
      await n.node.ns.run(["ip", "-6", "address", "add", `${n.address}/64`, "dev", n.ifname, "nodad"]);
      await n.node.ns.run(["ip", "link", "set", n.ifname, "up"]);
    }
    // The routes exist already, so the pings can start first and their start-up cost stays out of the figure.
    for (const n of nodes) {
      const targets = nodes.filter((o) => o !== n).map((o) => o.address);
      pingers.push(new Pinger(lab, n.node.ns, targets));
    }
    let lastSetconf = 0;
    for (const n of nodes) {
      lastSetconf = Date.now();
      await n.node.ns.run(["wg", "setconf", n.ifname, n.conf]);
    }
    await waitFor("all static pings to answer", async () => pingers.every((p) => p.allAnswered), TIMEOUT_MS);
    return Math.max(...pingers.map((p) => p.lastFirstReply!)) - lastSetconf;
  } finally {
    for (const p of pingers) p.stop();
    // wireguard-go removes its device and socket when it ends.
    await Promise.all(
      devices.map(async (d) => {
        const exited = new Promise((r) => d.once("exit", r));
        if (d.exitCode === null) d.kill("SIGTERM");
        await Promise.race([exited, sleep(5_000)]);
      }),
    );
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Node.js start plus loading the daemon's modules, alone: `--check-config`
 * stops right after. Returns wall and CPU ms (the shell's `times` reports
 * its children's user and system time).
 */
async function isolatedStart(mesh: Mesh): Promise<{ wallMs: number; cpuMs: number }> {
  const script = 'node "$0" --config "$1" --check-config >/dev/null && times';
  const started = Date.now();
  const r = await execute(["sh", "-c", script, KUBESPAND, mesh.nodes[0]!.configPath]);
  const wallMs = Date.now() - started;
  const children = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(r.stdout);
  if (r.code !== 0 || !children) throw new Error(`kubespand --check-config failed: ${r.stderr.trim()}`);
  const [user, sys] = [1, 3].map((i) => Number(children[i]) * 60 + Number(children[i + 1]));
  return { wallMs, cpuMs: (user! + sys!) * 1000 };
}

interface Round extends DaemonRound {
  staticMs: number;
  isolatedStart: { wallMs: number; cpuMs: number };
}

async function round(): Promise<Round> {
  return withBenchLab(async (lab, t) => {
    const mesh = await startMesh(lab, t, { nodes: NODES, startDaemons: false });
    const start = await isolatedStart(mesh);
    const staticMs = await staticMesh(lab, mesh);
    return { ...(await daemonConvergence(mesh)), staticMs, isolatedStart: start };
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const r = await round();
  rounds.push(r);
  console.log(
    `round ${i + 1}: handshakes ${seconds(r.handshakesMs)} s, pings ${seconds(r.pingsMs)} s ` +
      `(last node ready ${seconds(r.lastReadyMs)} s after the last spawn; daemons used ${seconds(sum(r.cpuMs))} ` +
      `CPU-s); static wg ${seconds(r.staticMs)} s`,
  );
}
const convergence = median(rounds.map((r) => Math.max(r.handshakesMs, r.pingsMs)));
const staticMs = median(rounds.map((r) => r.staticMs));
const perNode = (pick: (r: Round) => number[]) => rounds.flatMap(pick);
await writeResult("convergence", {
  method:
    `${NODES} nodes on one LAN (namespaces, wireguard-go), daemons spawned back to back; from the last spawn ` +
    "to every device reporting a handshake with every peer (local API, asked once a second) and all 90 directed pings over the " +
    "KubeSpan ULAs answering (ping -D timestamps). Baseline: the same namespaces with static wireguard-go " +
    "configurations (wg setconf, keepalive 25 s), from the last setconf to all 90 pings answering. " +
    `Median of ${ROUNDS} rounds, a fresh mesh each round.`,
  figures: {
    convergence_median_s: seconds(convergence),
    handshakes_median_s: seconds(median(rounds.map((r) => r.handshakesMs))),
    pings_median_s: seconds(median(rounds.map((r) => r.pingsMs))),
    static_baseline_median_s: seconds(staticMs),
    ratio_to_static: Math.round((convergence / staticMs) * 10) / 10,
    last_node_first_log_median_s: seconds(median(rounds.map((r) => r.lastFirstLogMs))),
    last_node_ready_median_s: seconds(median(rounds.map((r) => r.lastReadyMs))),
    node_spawn_to_first_log_median_s: seconds(median(perNode((r) => r.firstLogMs))),
    node_spawn_to_device_median_s: seconds(median(perNode((r) => r.deviceMs))),
    node_spawn_to_ready_median_s: seconds(median(perNode((r) => r.readyMs))),
    node_spawn_to_ready_max_s: seconds(Math.max(...perNode((r) => r.readyMs))),
    isolated_start_median_s: seconds(median(rounds.map((r) => r.isolatedStart.wallMs))),
    isolated_start_cpu_median_s: seconds(median(rounds.map((r) => r.isolatedStart.cpuMs))),
    daemon_cpu_to_convergence_median_s: seconds(median(perNode((r) => r.cpuMs))),
    daemons_cpu_to_convergence_total_median_s: seconds(median(rounds.map((r) => sum(r.cpuMs)))),
    rounds: rounds.map((r) => ({
      handshakes_s: seconds(r.handshakesMs),
      pings_s: seconds(r.pingsMs),
      static_s: seconds(r.staticMs),
      last_first_log_s: seconds(r.lastFirstLogMs),
      last_ready_s: seconds(r.lastReadyMs),
      last_pinger_start_s: seconds(r.lastPingerStartMs),
      spawn_to_ready_s: r.readyMs.map(seconds),
      daemons_cpu_s: seconds(sum(r.cpuMs)),
    })),
  },
  targets: { convergence_median_s_max: TARGET_S },
  met: { convergence: convergence <= TARGET_S * 1000 },
});
console.log(
  `convergence median ${seconds(convergence)} s (target ≤ ${TARGET_S} s); static wg ${seconds(staticMs)} s ` +
    `(ratio ${(convergence / staticMs).toFixed(1)})`,
);
