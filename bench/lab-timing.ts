// Timing helpers shared by the lab benchmarks: pings that record when each
// target first answered, the daemons' own log timestamps, the local API
// through one long-lived client, and medians.
import type { ChildProcess } from "node:child_process";
import type { KubeSpanClient, PeerSpec, PeerStatus } from "../src/gen/kubespan/v1/api.js";
import { IP } from "../src/net/ip.js";
import type { MeshNode } from "../test/lab/mesh.js";
import type { Lab, Netns } from "../test/lab/netns.js";

/** A ping runs at most this long, so a benchmark that stops early leaves nothing behind for long. */
const PING_DEADLINE_S = 90;

/**
 * One `ping -6 -D` per target under a single shell in `ns` (one process start
 * instead of one per target), every 100 ms. A reply's time is ping's own
 * receive timestamp, so how often we look at the output does not matter.
 */
export class Pinger {
  readonly startedAt = Date.now();
  private readonly firstReplies = new Map<string, number>();
  private readonly child: ChildProcess;
  private pending = "";
  /** The last lines ping wrote to stderr, for a failure message. */
  private errors: string[] = [];

  constructor(
    lab: Lab,
    ns: Netns,
    readonly targets: readonly string[],
  ) {
    const script = [
      "trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM",
      `for a in "$@"; do ping -6 -D -n -i 0.1 -W 1 -w ${PING_DEADLINE_S} "$a" & done`,
      "wait",
    ].join("\n");
    const canonical = targets.map((t) => IP.parse(t).toString());
    this.child = lab.spawn(ns, ["sh", "-c", script, "sh", ...canonical]);
    this.child.stdout?.on("data", (chunk: Buffer) => this.read(chunk.toString()));
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.errors = [
        ...this.errors,
        ...chunk
          .toString()
          .split("\n")
          .filter((l) => l !== ""),
      ].slice(-5);
    });
  }

  /** When `target` first answered (ms since the epoch), if it has. */
  firstReply(target: string): number | undefined {
    return this.firstReplies.get(IP.parse(target).toString());
  }

  get allAnswered(): boolean {
    return this.targets.every((t) => this.firstReply(t) !== undefined);
  }

  /** The last of the targets' first replies; undefined until all have answered. */
  get lastFirstReply(): number | undefined {
    if (!this.allAnswered) return undefined;
    return Math.max(...this.targets.map((t) => this.firstReply(t)!));
  }

  /** Targets that have not answered yet, with ping's last complaints. */
  describeMissing(): string {
    const missing = this.targets.filter((t) => this.firstReply(t) === undefined);
    return `${missing.length} unanswered (${missing.join(", ")}); stderr: ${this.errors.join(" | ") || "-"}`;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
  }

  private read(text: string): void {
    const lines = (this.pending + text).split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^\[(\d+\.\d+)\] \d+ bytes from (\S+): icmp_seq=/.exec(line);
      const from = m ? IP.tryParse(m[2]!)?.toString() : undefined;
      if (m && from !== undefined && !this.firstReplies.has(from)) {
        this.firstReplies.set(from, Math.round(Number(m[1]) * 1000));
      }
    }
  }
}

export interface LogEntry {
  /** ms since the epoch, as the daemon stamped it. */
  time: number;
  msg: string;
  fields: Record<string, unknown>;
}

/** The daemon's JSON log lines (non-JSON output is skipped). */
export function logEntries(node: MeshNode): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of node.log) {
    try {
      const fields = JSON.parse(line) as Record<string, unknown>;
      if (typeof fields.time === "number" && typeof fields.msg === "string") {
        out.push({ time: fields.time, msg: fields.msg, fields });
      }
    } catch {
      // wireguard-go or Node.js warnings on stderr: not ours to time.
    }
  }
  return out;
}

/** The first log entry with this message, if any. */
export function firstLog(node: MeshNode, msg: string): LogEntry | undefined {
  return logEntries(node).find((e) => e.msg === msg);
}

export function peerStatuses(client: KubeSpanClient): Promise<PeerStatus[]> {
  return new Promise((resolve, reject) =>
    client.listPeerStatuses({}, (err, res) => (err ? reject(err) : resolve(res.items))),
  );
}

export function peerSpecs(client: KubeSpanClient): Promise<PeerSpec[]> {
  return new Promise((resolve, reject) =>
    client.listPeerSpecs({}, (err, res) => (err ? reject(err) : resolve(res.items))),
  );
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds as seconds with two decimals, for the JSON. */
export function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}
