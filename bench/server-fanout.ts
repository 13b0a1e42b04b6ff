// Benchmark of the discovery server's Watch fan-out: one cluster with 1 024
// affiliates and 1 024 concurrent watchers.
// - latency: time from sending an AffiliateUpdate to its delivery at the last
//   of the 1 024 watchers, at a light load (p50/p99) and at full load;
// - throughput: sustained updates per second with every update reaching
//   every watcher (closed loop, a bounded number of updates in flight);
// - memory: the server's resident set size (idle with all watchers, peak).
// Targets: p99 ≤ 100 ms, ≥ 2 000 updates/s, RSS ≤ 300 MB.
//
// Run after `npm run build`: `node dist/bench/server-fanout.js`. The server
// runs in a child process (the built kubespan-discovery program) on
// 127.0.0.1, so the RSS is the server's alone; the watchers speak gRPC over
// raw HTTP/2 to keep the load generator light. Results go to
// bench/results/server-fanout.json.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { createServer } from "node:net";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata } from "@grpc/grpc-js";
import {
  type AffiliateUpdateRequest,
  ClusterClient,
  WatchRequest,
} from "../src/gen/sidero/discovery/server/cluster.js";

const AFFILIATES = 1024;
const WATCHERS = 1024;
const CONNECTIONS = 64;
const DATA_BYTES = 300;
const LIGHT_UPDATES = 300;
const LIGHT_INTERVAL_MS = 40;
const LOAD_SECONDS = 10;
const IN_FLIGHT = 16;
const CLUSTER = "bench-cluster";
const TARGETS = { p99_ms: 100, updates_per_second: 2000, rss_mb: 300 };
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER = join(ROOT, "dist", "src", "bin", "kubespan-discovery.js");
const RESULTS = join(ROOT, "bench", "results", "server-fanout.json");

/** Each simulated node has its own address, as behind a proxy that sets X-Real-IP. */
const nodeIP = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const affiliateId = (i: number) => `node${String(i).padStart(4, "0")}`;

/** Polls `done` every 10 ms; fails the run if it does not hold within `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what} did not finish within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function memoryKiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

/** Delivery bookkeeping: when each update was sent and when its last copy arrived. */
class Deliveries {
  private readonly sentAt: number[] = [];
  private readonly copies: number[] = [];
  readonly latencies: number[] = [];
  completed = 0;
  onComplete: (() => void) | undefined;

  send(seq: number): void {
    this.sentAt[seq] = performance.now();
    this.copies[seq] = 0;
  }

  receive(seq: number): void {
    const copies = (this.copies[seq] ?? 0) + 1;
    this.copies[seq] = copies;
    if (copies !== WATCHERS) return;
    this.latencies.push(performance.now() - this.sentAt[seq]!);
    this.completed++;
    this.onComplete?.();
  }
}

/** Varints here are lengths below 2^28, so 32-bit arithmetic is enough. */
function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  for (let p = at, shift = 0; ; shift += 7) {
    const byte = buf[p++]!;
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, p];
  }
}

/**
 * The sequence number in the first 4 data bytes of a one-affiliate
 * WatchResponse, read without decoding the whole message: the load generator
 * must stay cheaper than the server it measures.
 */
function sequenceOf(message: Buffer): number | undefined {
  if (message[0] !== 0x0a) return undefined;
  for (let [, p] = readVarint(message, 1); p < message.length; ) {
    const tag = message[p++];
    const [length, start] = readVarint(message, p);
    if (tag === 0x12 && length >= 4) return message.readUInt32BE(start);
    p = start + length;
  }
  return undefined;
}

/** Splits a byte stream into gRPC length-prefixed messages, joining chunks only once a whole message is there. */
class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  next(): Buffer | undefined {
    if (this.size < 5) return undefined;
    if (this.chunks[0]!.length < 5) this.chunks = [Buffer.concat(this.chunks)];
    const length = this.chunks[0]!.readUInt32BE(1);
    if (this.size < 5 + length) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const rest = all.subarray(5 + length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return all.subarray(5, 5 + length);
  }
}

/** One Watch stream over a raw HTTP/2 session; parses gRPC length-prefixed frames. */
function watch(
  session: http2.ClientHttp2Session,
  index: number,
  deliveries: Deliveries,
  ready: () => void,
  lost: () => void,
) {
  const stream = session.request({
    ":method": "POST",
    ":path": "/sidero.discovery.server.Cluster/Watch",
    "content-type": "application/grpc",
    te: "trailers",
    "x-real-ip": nodeIP(index),
  });
  const body = Buffer.from(WatchRequest.encode({ clusterId: CLUSTER }).finish());
  const header = Buffer.alloc(5);
  header.writeUInt32BE(body.length, 1);
  stream.end(Buffer.concat([header, body]));
  const frames = new FrameReader();
  let first = true;
  stream.on("data", (chunk: Buffer) => {
    frames.push(chunk);
    for (let message = frames.next(); message; message = frames.next()) {
      if (first) {
        first = false;
        ready();
        continue;
      }
      const seq = sequenceOf(message);
      if (seq !== undefined) deliveries.receive(seq);
    }
  });
  stream.on("trailers", (trailers) => {
    if (trailers["grpc-status"] !== "0") lost();
  });
  return stream;
}

/** AffiliateUpdate from the affiliate's own address; `seq` goes in the first 4 data bytes. */
function update(client: ClusterClient, affiliate: number, seq?: number): Promise<void> {
  const metadata = new Metadata();
  metadata.set("x-real-ip", nodeIP(affiliate));
  const data = Buffer.alloc(DATA_BYTES, 0x5a);
  if (seq !== undefined) data.writeUInt32BE(seq, 0);
  const request: AffiliateUpdateRequest = {
    clusterId: CLUSTER,
    affiliateId: affiliateId(affiliate),
    affiliateData: data,
    affiliateEndpoints: [Buffer.alloc(16, affiliate & 255), Buffer.alloc(32, affiliate & 255)],
    ttl: { seconds: 1800, nanos: 0 },
  };
  return new Promise((resolve, reject) =>
    client.affiliateUpdate(request, metadata, (err) => (err ? reject(err) : resolve())),
  );
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};

async function measure(writer: ClusterClient, target: string, serverPid: number) {
  for (let i = 0; i < AFFILIATES; i += 64) {
    await Promise.all(Array.from({ length: 64 }, (_, k) => update(writer, i + k)));
  }
  const affiliatesOnly = memoryKiB(serverPid);
  const deliveries = new Deliveries();
  let aborted = 0;
  const sessions = Array.from({ length: CONNECTIONS }, () => http2.connect(`http://${target}`));
  let ready = 0;
  await new Promise<void>((resolve) => {
    for (let i = 0; i < WATCHERS; i++) {
      const onReady = () => ++ready === WATCHERS && resolve();
      watch(sessions[i % CONNECTIONS]!, i, deliveries, onReady, () => aborted++);
    }
  });
  const withWatchers = memoryKiB(serverPid);

  // Light load: one update every LIGHT_INTERVAL_MS.
  let seq = 0;
  for (; seq < LIGHT_UPDATES; seq++) {
    deliveries.send(seq);
    await update(writer, seq % AFFILIATES, seq);
    await new Promise((resolve) => setTimeout(resolve, LIGHT_INTERVAL_MS));
  }
  await until(() => deliveries.completed >= LIGHT_UPDATES || aborted > 0, 30_000, "light-load deliveries");
  const light = deliveries.latencies.splice(0);

  // Full load: keep IN_FLIGHT updates not yet delivered everywhere, for LOAD_SECONDS.
  const completedBefore = deliveries.completed;
  const started = performance.now();
  let inFlight = 0;
  let failedUpdates = 0;
  const pump = () => {
    while (inFlight < IN_FLIGHT && performance.now() < started + LOAD_SECONDS * 1000 && aborted === 0) {
      inFlight++;
      deliveries.send(seq);
      update(writer, seq % AFFILIATES, seq++).catch(() => {
        failedUpdates++;
        inFlight--;
        pump();
      });
    }
  };
  deliveries.onComplete = () => {
    inFlight--;
    pump();
  };
  pump();
  await until(() => inFlight === 0 || aborted > 0, LOAD_SECONDS * 1000 + 30_000, "full-load deliveries");
  const updatesPerSecond = Math.round(
    (deliveries.completed - completedBefore) / ((performance.now() - started) / 1000),
  );
  const loaded = deliveries.latencies;
  const peak = memoryKiB(serverPid);
  for (const session of sessions) session.close();
  return {
    latency_light_ms: { p50: percentile(light, 50), p99: percentile(light, 99), samples: light.length },
    latency_loaded_ms: { p50: percentile(loaded, 50), p99: percentile(loaded, 99), samples: loaded.length },
    updates_per_second: updatesPerSecond,
    messages_delivered_per_second: updatesPerSecond * WATCHERS,
    aborted_watchers: aborted,
    failed_updates: failedUpdates,
    server_rss_mb: {
      affiliates_only: Math.round(affiliatesOnly.rss / 1024),
      with_watchers: Math.round(withWatchers.rss / 1024),
      peak: Math.round(peak.peak / 1024),
    },
  };
}

/** The commit, suffixed with -dirty when the working tree has changes. */
function gitCommit(): string {
  try {
    const args = ["describe", "--always", "--dirty", "--abbrev=40"];
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const port = await freePort();
  const flags = [
    `--addr=127.0.0.1:${port}`,
    "--landing-addr=",
    "--metrics-addr=",
    "--snapshots-enabled=false",
  ];
  // Every simulated node has its own address, so each has its own rate-limit bucket.
  const server = spawn(process.execPath, [SERVER, ...flags, "--trust-x-real-ip"], { stdio: "ignore" });
  const target = `127.0.0.1:${port}`;
  try {
    const writer = new ClusterClient(target, credentials.createInsecure());
    await new Promise<void>((resolve, reject) =>
      writer.waitForReady(Date.now() + 15_000, (err) => (err ? reject(err) : resolve())),
    );
    const figures = await measure(writer, target, server.pid!);
    writer.close();
    const result = {
      benchmark: "server-fanout",
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        memory_gb: Math.round(totalmem() / 2 ** 30),
        kernel: release(),
        node: process.version,
      },
      setup: { affiliates: AFFILIATES, watchers: WATCHERS, connections: CONNECTIONS, data_bytes: DATA_BYTES },
      targets: TARGETS,
      figures,
      met: {
        p99: figures.latency_light_ms.p99 <= TARGETS.p99_ms,
        throughput: figures.updates_per_second >= TARGETS.updates_per_second,
        rss: figures.server_rss_mb.peak <= TARGETS.rss_mb,
      },
    };
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
