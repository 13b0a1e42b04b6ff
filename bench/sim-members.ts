// Simulated cluster members for lab benchmarks: one process in the hub
// namespace (bench/sim-members-child.ts) publishes N members to the lab's
// real discovery server. This side starts it and talks to it in JSON lines
// over stdin/stdout; the cluster secret travels on stdin only.
//
// Times are wall-clock milliseconds with sub-millisecond resolution
// (wallNow), so the child's timestamps compare with this process's.
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Mesh } from "../test/lab/mesh.js";
import { projectRoot } from "../test/lab/root.js";

/** The discovery server's flag that lets each simulated member count as its own host. */
export const TRUST_X_REAL_IP = "--trust-x-real-ip";
/** Port of every member's first endpoint. */
export const SIM_PORT = 51820;

export interface SimMember {
  /** Node ID, the affiliate ID. */
  id: string;
  nodename: string;
  publicKey: string;
  /** KubeSpan address in the cluster /64. */
  address: string;
  /** Underlay (node) address, 10.80.0.0/16. */
  underlay: string;
  /** The member's current own endpoint, "ip:port". */
  endpoint: string;
}

export interface StartRequest {
  type: "start";
  seq: number;
  server: string;
  clusterId: string;
  secret: string;
  count: number;
  ttlSeconds: number;
  port: number;
}

export type Request =
  | StartRequest
  | { type: "watch"; seq: number }
  | { type: "change"; seq: number; index: number; endpoint: string };

export interface ChangeTiming {
  /** Just before the AffiliateUpdate call. */
  sentAt: number;
  /** When the server acknowledged it. */
  ackAt: number;
  /** When the simulator's own Watch stream delivered it; absent without a Watch or after 5 s. */
  watchAt?: number;
}

export type Reply =
  | { type: "ready"; seq: number; members: SimMember[] }
  | { type: "watching"; seq: number }
  | ({ type: "changed"; seq: number } & ChangeTiming)
  | { type: "error"; seq: number; message: string };

/** Wall-clock ms with the monotonic clock's resolution. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

const CHILD = join(projectRoot(), "dist/bench/sim-members-child.js");
/** Publishing 1 000 members takes a few seconds; a loaded machine gets ample slack. */
const START_TIMEOUT_MS = 180_000;
const CALL_TIMEOUT_MS = 30_000;

export class MemberSimulator {
  private seq = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly stderr: string[] = [];
  members: SimMember[] = [];

  private constructor(private readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const reply = JSON.parse(line) as Reply;
      this.pending.get(reply.seq)?.(reply);
      this.pending.delete(reply.seq);
    });
    child.stderr?.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    child.on("exit", (code) => {
      const error: Reply = { type: "error", seq: -1, message: `simulator exited (${code}): ${this.tail()}` };
      for (const resolve of this.pending.values()) resolve(error);
      this.pending.clear();
    });
  }

  /** Starts the simulator in the mesh's hub and publishes `count` members (TTL ≤ 30 min). */
  static async start(mesh: Mesh, count: number, ttlSeconds = 1800): Promise<MemberSimulator> {
    const child = mesh.lab.spawn(mesh.hub, ["node", CHILD]);
    const sim = new MemberSimulator(child);
    const reply = await sim.call(
      (seq) => ({
        type: "start",
        seq,
        server: new URL(mesh.discoveryURL).host,
        clusterId: `lab-${mesh.lab.id}`,
        secret: mesh.clusterSecret,
        count,
        ttlSeconds,
        port: SIM_PORT,
      }),
      START_TIMEOUT_MS,
    );
    if (reply.type !== "ready") throw new Error(`simulator did not start: ${describe(reply)}`);
    sim.members = reply.members;
    return sim;
  }

  /** Opens the simulator's own Watch stream, the baseline for delivery times. */
  async watch(): Promise<void> {
    const reply = await this.call((seq) => ({ type: "watch", seq }));
    if (reply.type !== "watching") throw new Error(`simulator watch failed: ${describe(reply)}`);
  }

  /** Gives member `index` the new own endpoint `endpoint` ("ip:port"). */
  async change(index: number, endpoint: string): Promise<ChangeTiming> {
    const reply = await this.call((seq) => ({ type: "change", seq, index, endpoint }));
    if (reply.type !== "changed") throw new Error(`simulator change failed: ${describe(reply)}`);
    const member = this.members[index];
    if (member) member.endpoint = endpoint;
    return { sentAt: reply.sentAt, ackAt: reply.ackAt, ...optionalWatch(reply.watchAt) };
  }

  /** Closes stdin (the simulator exits) and waits, bounded; the lab kills it otherwise. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin?.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }

  private call(build: (seq: number) => Request, timeoutMs = CALL_TIMEOUT_MS): Promise<Reply> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        resolve({ type: "error", seq, message: `no reply within ${timeoutMs} ms: ${this.tail()}` });
      }, timeoutMs);
      this.pending.set(seq, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.stdin!.write(`${JSON.stringify(build(seq))}\n`);
    });
  }

  private tail(): string {
    return this.stderr.join("").trim().split("\n").slice(-5).join(" | ");
  }
}

function describe(reply: Reply): string {
  return reply.type === "error" ? reply.message : `unexpected reply ${reply.type}`;
}

function optionalWatch(watchAt: number | undefined): { watchAt?: number } {
  return watchAt === undefined ? {} : { watchAt };
}
