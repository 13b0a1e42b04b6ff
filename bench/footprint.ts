// footprint: the memory and CPU of one kubespand with 1 000 peers (simulated
// members on the lab's real discovery server, none of which ever answers),
// against the same daemon with no peer at all, measured first in the same run.
// Each window is 60 s: RSS sampled every second (VmRSS; VmHWM is the peak over
// the process's life), CPU = utime + stime delta ÷ wall time, as % of one
// core, with the daemon's reaped children (the nft it spawns) given apart.
// wireguard-go is measured the same way.
//
// Unreachable peers back off between candidate rounds (probe-policy.ts: two
// free rounds, then 5, 10, 20 and 30 s pauses, each round a 4 s try), so the
// daemon settles into one round per peer per 34 s about 100 s after a peer's
// first try; the 1 000-peer window starts SETTLE_S after the last peer is on
// the device.
//
// When a target is missed, the daemon is restarted on the same state with
// --cpu-prof, --trace-gc and an nft wrapper that logs each call, and the
// result says where the time goes (bench/cpu-profile.ts), how many nft runs a
// second it spawns and how much of the heap is live after a full GC.
//
// Run as root after `npm run build`: `node dist/bench/footprint.js`.
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KUBESPAND, type MeshNode, startMesh, status, waitFor, withLogs } from "../test/lab/mesh.js";
import { execute, type Netns } from "../test/lab/netns.js";
import { round2, withBenchLab } from "./bench-lab.js";
import { type CpuProfile, summariseProfile } from "./cpu-profile.js";
import { writeResult } from "./result.js";
import { MemberSimulator, TRUST_X_REAL_IP } from "./sim-members.js";

const PEERS = 1000;
const WINDOW_S = 60;
const BASELINE_SETTLE_S = 20;
const SETTLE_S = 120;
/** The profiled restart: settle as above, then profile this long. */
const PROFILE_S = 40;
const TARGETS = { rss_mb: 100, cpu_pct: 1 };
/** Clock ticks per second, the unit of /proc/<pid>/stat times. */
const CLK_TCK = Number((await execute(["getconf", "CLK_TCK"])).stdout.trim()) || 100;

interface Usage {
  rss_mb_avg: number;
  rss_mb_max: number;
  hwm_mb: number;
  cpu_pct: number;
  /** Including children the process waited for (the daemon's nft runs). */
  cpu_pct_with_children: number;
}

/** utime, stime, cutime, cstime in clock ticks. */
async function cpuTicks(pid: number): Promise<{ own: number; children: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // fields[0] is field 3 of proc(5): utime is field 14, cstime field 17.
  return { own: fields[11]! + fields[12]!, children: fields[13]! + fields[14]! };
}

async function memoryKiB(pid: number, name: "VmRSS" | "VmHWM"): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const value = new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${name} for pid ${pid}`);
  return Number(value);
}

/** Samples each pid once a second for `seconds`; the same window for all of them. */
async function measure(pids: Record<string, number>, seconds: number): Promise<Record<string, Usage>> {
  const names = Object.keys(pids);
  const start = await Promise.all(names.map((n) => cpuTicks(pids[n]!)));
  const startedAt = performance.now();
  const rss: number[][] = names.map(() => []);
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    for (const [i, n] of names.entries()) rss[i]!.push(await memoryKiB(pids[n]!, "VmRSS"));
  }
  const end = await Promise.all(names.map((n) => cpuTicks(pids[n]!)));
  const elapsedS = (performance.now() - startedAt) / 1000;
  const pct = (ticks: number) => round2((ticks / CLK_TCK / elapsedS) * 100);
  const usage: Record<string, Usage> = {};
  for (const [i, n] of names.entries()) {
    const own = end[i]!.own - start[i]!.own;
    usage[n] = {
      rss_mb_avg: mb(rss[i]!.reduce((a, b) => a + b, 0) / rss[i]!.length),
      rss_mb_max: mb(Math.max(...rss[i]!)),
      hwm_mb: mb(await memoryKiB(pids[n]!, "VmHWM")),
      cpu_pct: pct(own),
      cpu_pct_with_children: pct(own + end[i]!.children - start[i]!.children),
    };
  }
  return usage;
}

async function cmdline(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").filter((a) => a !== "");
}

/**
 * The daemon's own pid. `ip netns exec` execs its command, so the spawned
 * pid is the daemon itself; checked, and otherwise looked for among its children.
 */
async function daemonPid(node: MeshNode): Promise<{ pid: number; wrapperExecs: boolean }> {
  const spawned = node.process?.pid;
  if (spawned === undefined) throw new Error(`${node.name} has no daemon process`);
  if ((await cmdline(spawned)).includes(KUBESPAND)) return { pid: spawned, wrapperExecs: true };
  const children = await readFile(`/proc/${spawned}/task/${spawned}/children`, "utf8");
  for (const child of children
    .split(" ")
    .filter((c) => c !== "")
    .map(Number)) {
    if ((await cmdline(child)).includes(KUBESPAND)) return { pid: child, wrapperExecs: false };
  }
  throw new Error(`no kubespand process under pid ${spawned}`);
}

/** The wireguard-go serving `ifname`, among the namespace's processes. */
async function wireguardGoPid(ns: Netns, ifname: string): Promise<number> {
  const pids = (await ns.run(["ip", "netns", "pids", ns.name])).split(/\s+/).filter((p) => p !== "");
  for (const pid of pids.map(Number)) {
    const argv = await cmdline(pid).catch(() => [] as string[]);
    if (argv[0]?.endsWith("wireguard-go") && argv.includes(ifname)) return pid;
  }
  throw new Error(`no wireguard-go for ${ifname} in ${ns.name}`);
}

async function devicePeers(node: MeshNode): Promise<number> {
  const out = await node.ns.run(["wg", "show", node.ifname, "peers"]);
  return out.split("\n").filter((l) => l.trim() !== "").length;
}

/** A PATH directory whose `nft` logs each call (time and arguments) and runs the real one. */
async function nftWrapper(dir: string): Promise<{ path: string; log: string }> {
  const real = (await execute(["sh", "-c", "command -v nft"])).stdout.trim();
  const log = join(dir, "nft-calls.log");
  const script = `#!/bin/sh\necho "$(date +%s.%N) $*" >> ${log}\nexec ${real} "$@"\n`;
  await writeFile(join(dir, "nft"), script);
  await chmod(join(dir, "nft"), 0o755);
  return { path: dir, log };
}

/** nft runs per second over the last `seconds` of the log, by subcommand. */
function nftRates(log: string, seconds: number, endS: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of log.split("\n")) {
    const [at, ...args] = line.split(" ");
    if (!at || Number(at) < endS - seconds) continue;
    const kind = args.join(" ").replace(/ inet \S+$/, " inet <table>");
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round2(v / seconds)]));
}

/** Heap sizes from --trace-gc "Mark-Compact a (b) -> c (d) MB" lines: used (committed) before -> after. */
function fullGcs(lines: string[]) {
  const gcs = lines.flatMap((line) => {
    const m = /Mark-Compact[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
    return m ? [m.slice(1, 5).map(Number) as [number, number, number, number]] : [];
  });
  return {
    count: gcs.length,
    heap_used_before_mb_max: Math.max(...gcs.map((g) => g[0])),
    heap_live_after_mb_max: Math.max(...gcs.map((g) => g[2])),
    heap_committed_mb_max: Math.max(...gcs.map((g) => Math.max(g[1], g[3]))),
  };
}

/**
 * Restarts the daemon on the same state (the device and its peers stay) with
 * --cpu-prof, --trace-gc and an nft that logs its calls, settles as the
 * measured run did, and reports the last PROFILE_S seconds.
 */
async function diagnose(mesh: Awaited<ReturnType<typeof startMesh>>, node: MeshNode) {
  const dir = await mkdtemp(join(tmpdir(), "ks-footprint-"));
  try {
    const nft = await nftWrapper(dir);
    const running = node.process!;
    const exited = new Promise((r) => running.once("exit", r));
    running.kill("SIGTERM");
    await Promise.race([exited, sleep(20_000)]);
    const child = mesh.lab.spawn(node.ns, [
      "env",
      `PATH=${nft.path}:${process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`,
      "node",
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      "--trace-gc",
      KUBESPAND,
      "--config",
      node.configPath,
    ]);
    node.process = child;
    let inWindow = false;
    const gcLines: string[] = [];
    child.stdout?.on("data", (chunk: Buffer) => {
      if (inWindow)
        gcLines.push(
          ...chunk
            .toString()
            .split("\n")
            .filter((l) => l.includes("Mark-Compact")),
        );
    });
    await sleep(SETTLE_S * 1000);
    // V8 stamps samples with the monotonic clock in microseconds, as hrtime reads it.
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    inWindow = true;
    await sleep(PROFILE_S * 1000);
    inWindow = false;
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const endS = Date.now() / 1000;
    const stopped = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([stopped, sleep(30_000)]);
    const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
    if (file === undefined) throw new Error("the profiled daemon wrote no .cpuprofile");
    const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
    return {
      window_s: PROFILE_S,
      nft_runs_per_s: nftRates(await readFile(nft.log, "utf8").catch(() => ""), PROFILE_S, endS),
      full_gcs: fullGcs(gcLines),
      ...summariseProfile(profile, fromUs, toUs),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (kib: number) => Math.round((kib / 1024) * 10) / 10;

await withBenchLab(async (lab, target) => {
  const mesh = await startMesh(lab, target, { nodes: 1, serverArgs: [TRUST_X_REAL_IP] });
  const n1 = mesh.nodes[0]!;
  await withLogs(
    mesh,
    waitFor("n1 to program its interface", async () => (await status(n1)).interface !== ""),
  );
  const daemon = await daemonPid(n1);
  const pids = { kubespand: daemon.pid, wireguard_go: await wireguardGoPid(n1.ns, n1.ifname) };
  console.log(`lab ${lab.id}: kubespand pid ${pids.kubespand}, wireguard-go pid ${pids.wireguard_go}`);
  await sleep(BASELINE_SETTLE_S * 1000);
  const baseline = await measure(pids, WINDOW_S);
  console.log(`baseline (0 peers): ${JSON.stringify(baseline)}`);

  const publishStart = performance.now();
  const sim = await MemberSimulator.start(mesh, PEERS);
  target.teardown(() => sim.stop());
  const publishS = (performance.now() - publishStart) / 1000;
  await withLogs(
    mesh,
    waitFor(`${PEERS} peers on the device`, async () => (await devicePeers(n1)) === PEERS, 300_000),
  );
  const onDeviceS = (performance.now() - publishStart) / 1000;
  await sleep(SETTLE_S * 1000);
  const loaded = await measure(pids, WINDOW_S);
  console.log(`${PEERS} peers: ${JSON.stringify(loaded)}`);

  const daemonLoaded = loaded["kubespand"]!;
  const met = {
    rss: daemonLoaded.rss_mb_max <= TARGETS.rss_mb,
    cpu: daemonLoaded.cpu_pct_with_children <= TARGETS.cpu_pct,
  };
  const diagnosis = met.cpu && met.rss ? undefined : await diagnose(mesh, n1);
  const added = (field: "rss_mb_avg" | "cpu_pct_with_children") =>
    round2(daemonLoaded[field] - baseline["kubespand"]![field]);
  await writeResult("footprint", {
    method:
      `kubespand with ${PEERS} simulated peers (none answers) vs the same daemon with 0 peers, ` +
      `${WINDOW_S} s windows; RSS sampled every second (VmRSS), peak VmHWM; CPU = utime+stime delta ` +
      `÷ wall time (% of one core), with reaped children (nft) separately; settle ${SETTLE_S} s after ` +
      `all peers are on the device (candidate rounds back off to one per 34 s per peer)`,
    setup: {
      peers: PEERS,
      daemon_pid_is_spawned_pid: daemon.wrapperExecs,
      publish_s: round2(publishS),
      all_on_device_s: round2(onDeviceS),
    },
    figures: {
      baseline_0_peers: baseline,
      peers_1000: loaded,
      kubespand_added_by_peers: {
        rss_mb: added("rss_mb_avg"),
        cpu_pct_with_children: added("cpu_pct_with_children"),
      },
      ...(diagnosis ? { diagnosis_profiled_restart: diagnosis } : {}),
    },
    targets: { kubespand_rss_mb_max: TARGETS.rss_mb, kubespand_cpu_pct_max: TARGETS.cpu_pct },
    met,
  });
});
