// The test side of the host agent (host-agent.ts): starts it inside a
// namespace and turns its JSON-line answers into promises.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { toWire } from "./host-json.js";

const AGENT = fileURLToPath(new URL("./host-agent.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 60_000;

/** An error raised inside the agent, with its name and fields (e.g. a ConflictError's conflicts). */
export class AgentError extends Error {
  constructor(readonly remote: { name: string; message: string; [field: string]: unknown }) {
    super(remote.message);
    this.name = remote.name;
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class HostAgent {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = "";

  private constructor(private readonly child: ChildProcess) {}

  static async start(netns: string): Promise<HostAgent> {
    const child = spawn(
      "ip",
      ["netns", "exec", netns, process.execPath, "--import", "@tapjs/typescript/import", AGENT],
      {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    const agent = new HostAgent(child);
    child.stderr?.on("data", (c: Buffer) => {
      agent.stderr = (agent.stderr + c.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`host agent did not start: ${agent.stderr}`)),
        START_TIMEOUT_MS,
      );
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        const message = JSON.parse(line) as {
          ready?: boolean;
          id?: number;
          ok?: boolean;
          result?: unknown;
          error?: never;
        };
        if (message.ready) {
          clearTimeout(timer);
          resolve();
          return;
        }
        agent.settle(message as { id: number; ok: boolean; result?: unknown; error?: never });
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`host agent exited (${code}): ${agent.stderr}`));
        for (const p of agent.pending.values())
          p.reject(new Error(`host agent exited (${code}): ${agent.stderr}`));
      });
    });
    return agent;
  }

  call<T = unknown>(op: string, args: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`host agent: ${op} did not answer within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.stdin!.write(`${toWire({ id, op, args })}\n`);
    });
  }

  /** Ends the agent the way a daemon stops: no teardown. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private settle(message: { id: number; ok: boolean; result?: unknown; error?: AgentError["remote"] }): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new AgentError(message.error ?? { name: "Error", message: "unknown agent error" }));
  }
}
