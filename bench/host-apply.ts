// Benchmark of the WireGuard apply path on one wireguard-go device, against
// the wireguard-tools doing the same work in the same run:
// - cold: program 1 000 and 5 000 peers on an empty device (read, diff,
//   patch) vs `wg setconf` of the same configuration;
// - no-op: apply the same 5 000 peers again (read, diff, nothing to send) vs
//   `wg show <if> dump`.
// Targets: cold ≤ 1.2 × wg setconf, no-op ≤ 1.5 × wg show dump.
//
// Run as root after `npm run build`: `node dist/bench/host-apply.js`. The
// device lives in a network namespace created for the run (the script
// re-runs itself inside it) and stays down, so no packet is ever sent.
// Results go to bench/results/host-apply.json.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diffDevice, isEmptyDiff } from "../src/host/wireguard/diff.js";
import { startUserspace, stopUserspace } from "../src/host/wireguard/spawn.js";
import type { DesiredDevice } from "../src/host/wireguard/types.js";
import { UapiBackend, uapiSocketPath } from "../src/host/wireguard/uapi.js";
import { Endpoint, IP, Prefix } from "../src/net/ip.js";
import { round2 } from "./bench-lab.js";

const SIZES = [1000, 5000];
const ROUNDS = 9;
/** Rounds run first and not counted: the JIT warms up on them. */
const WARMUP = 1;
const TARGET_COLD = 1.2;
const TARGET_NOOP = 1.5;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS = join(ROOT, "bench", "results", "host-apply.json");

interface Figures {
  cold: Record<string, { ours_ms: number; wg_setconf_ms: number; ratio: number }>;
  noop: Record<string, { ours_ms: number; wg_show_dump_ms: number; ratio: number }>;
}

/** A key in base64 from 32 random bytes (clamped as X25519 private keys are). */
function randomKey(): string {
  const bytes = randomBytes(32);
  bytes[0]! &= 248;
  bytes[31] = (bytes[31]! & 127) | 64;
  return bytes.toString("base64");
}

function desiredDevice(count: number): DesiredDevice {
  const psk = randomKey();
  return {
    privateKey: randomKey(),
    listenPort: 51820,
    fwmark: 0x20,
    peers: Array.from({ length: count }, (_, i) => ({
      publicKey: randomKey(),
      presharedKey: psk,
      endpoint: Endpoint.of(IP.v4(0xc6336400n + BigInt(i % 250)), 51820),
      keepaliveSeconds: 25,
      allowedIPs: [
        Prefix.of(IP.v6((0xfd7f175ab97c5602n << 64n) | BigInt(i + 1)), 128),
        Prefix.of(IP.v4(0x0a000000n + BigInt(i)), 32),
        Prefix.of(IP.v4(0x64000000n + BigInt(i) * 256n), 24),
        Prefix.of(IP.v6((0xfd00n << 112n) | (BigInt(i) << 64n)), 64),
      ],
    })),
  };
}

/** The same device as a wg(8) configuration file. */
function wgConfig(device: DesiredDevice): string {
  const lines = [
    "[Interface]",
    `PrivateKey = ${device.privateKey}`,
    `ListenPort = ${device.listenPort}`,
    "FwMark = 0x20",
  ];
  for (const peer of device.peers) {
    lines.push("", "[Peer]", `PublicKey = ${peer.publicKey}`, `PresharedKey = ${peer.presharedKey}`);
    lines.push(`Endpoint = ${peer.endpoint}`, `PersistentKeepalive = ${peer.keepaliveSeconds}`);
    lines.push(`AllowedIPs = ${peer.allowedIPs.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

function wg(args: string[]): number {
  const start = performance.now();
  const result = spawnSync("wg", args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`wg ${args.join(" ")} failed: ${result.stderr}`);
  return elapsed;
}

/** Collects garbage first (the inner run has --expose-gc), as a fresh wg process starts with an empty heap. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs the two sides of one comparison in alternating order, WARMUP + ROUNDS times. */
async function compare(
  ours: () => Promise<number>,
  tool: () => Promise<number>,
): Promise<{ ours: number; tool: number }> {
  const times = { ours: [] as number[], tool: [] as number[] };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // Alternating keeps either side from always running right after the other's garbage.
    const order = round % 2 === 0 ? (["ours", "tool"] as const) : (["tool", "ours"] as const);
    for (const side of order) {
      const ms = await (side === "ours" ? ours() : tool());
      if (round >= WARMUP) times[side].push(ms);
    }
  }
  return { ours: median(times.ours), tool: median(times.tool) };
}

async function measureInside(): Promise<Figures> {
  const ifname = `ksbench${randomBytes(2).toString("hex")}`;
  const socketPath = uapiSocketPath(ifname);
  const options = { binary: "wireguard-go", socketPath, startTimeoutMs: 10_000 };
  await startUserspace(ifname, options);
  const dir = mkdtempSync(join(tmpdir(), "ks-bench-"));
  const backend = new UapiBackend(ifname, { timeoutMs: 120_000 });
  const figures: Figures = { cold: {}, noop: {} };
  try {
    for (const count of SIZES) {
      const device = desiredDevice(count);
      const full = join(dir, `full-${count}.conf`);
      const empty = join(dir, "empty.conf");
      writeFileSync(full, wgConfig(device));
      writeFileSync(empty, wgConfig({ ...device, peers: [] }));
      const cold = await compare(
        async () => {
          wg(["setconf", ifname, empty]);
          const ms = await timed(async () => {
            const diff = diffDevice(device, await backend.read());
            await backend.configure(diff.patch);
          });
          if (!isEmptyDiff(diffDevice(device, await backend.read())))
            throw new Error("cold apply did not converge");
          return ms;
        },
        async () => {
          wg(["setconf", ifname, empty]);
          return wg(["setconf", ifname, full]);
        },
      );
      figures.cold[count] = {
        ours_ms: round2(cold.ours),
        wg_setconf_ms: round2(cold.tool),
        ratio: round2(cold.ours / cold.tool),
      };
      if (count !== SIZES[SIZES.length - 1]) continue;
      // The device holds `device` now: both sides only read.
      const noop = await compare(
        () =>
          timed(async () => {
            if (!isEmptyDiff(diffDevice(device, await backend.read())))
              throw new Error("no-op apply found changes");
          }),
        async () => wg(["show", ifname, "dump"]),
      );
      figures.noop[count] = {
        ours_ms: round2(noop.ours),
        wg_show_dump_ms: round2(noop.tool),
        ratio: round2(noop.ours / noop.tool),
      };
    }
  } finally {
    await stopUserspace(ifname, options);
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).split("\n")[0]!.trim();
  } catch {
    return "unknown";
  }
}

function runOutside(): void {
  const netns = `ksbench-${randomBytes(3).toString("hex")}`;
  execFileSync("ip", ["netns", "add", netns]);
  let output: string;
  try {
    output = execFileSync(
      "ip",
      ["netns", "exec", netns, process.execPath, "--expose-gc", fileURLToPath(import.meta.url), "--inside"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } finally {
    execFileSync("ip", ["netns", "del", netns]);
  }
  const figures = JSON.parse(output) as Figures;
  const worstCold = Math.max(...Object.values(figures.cold).map((c) => c.ratio));
  const worstNoop = Math.max(...Object.values(figures.noop).map((c) => c.ratio));
  const result = {
    benchmark: "host-apply",
    date: new Date().toISOString(),
    commit: firstLine("git", ["-C", ROOT, "rev-parse", "HEAD"]),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cpus: cpus().length,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      wireguard_go: firstLine("wireguard-go", ["--version"]),
      wg: firstLine("wg", ["--version"]),
    },
    method:
      `median of ${ROUNDS} rounds after ${WARMUP} warm-up, ours and the tool's in alternating order, ` +
      "garbage collected before each of ours; " +
      "peers with a PSK, an endpoint, keepalive 25 s and 4 allowed IPs; device down",
    figures,
    targets: { cold_ratio_max: TARGET_COLD, noop_ratio_max: TARGET_NOOP },
    pass: worstCold <= TARGET_COLD && worstNoop <= TARGET_NOOP,
  };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

if (process.argv.includes("--inside")) {
  process.stdout.write(JSON.stringify(await measureInside()));
} else {
  runOutside();
}
