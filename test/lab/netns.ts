// A small network-namespace lab for integration tests: namespaces, veth pairs,
// bridges and processes with names unique to one run, always destroyed at the
// end of the test, also when it fails (t.teardown) or the process is
// interrupted (SIGINT, SIGTERM, SIGHUP: Ctrl-C, a test timeout, a closed
// terminal).
//
// Everything the lab starts runs inside a namespace it created, so teardown
// can end exactly those processes: the ones `ip netns pids` lists for our
// namespaces (this includes daemonized wireguard-go, which outlives the
// command that started it).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { HostAgent } from "./host-agent-client.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TeardownTarget {
  teardown(fn: () => unknown): void;
}

const UAPI_DIR = "/var/run/wireguard";
const EXIT_WAIT_MS = 5_000;

/** Runs a command to completion (bounded) and returns its output, whatever the exit code. */
export function execute(
  argv: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command!, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

export class Netns {
  constructor(readonly name: string) {}

  /** Runs argv inside the namespace; resolves with the result whatever the exit code. */
  exec(argv: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return execute(["ip", "netns", "exec", this.name, ...argv], options);
  }

  /** Runs argv inside the namespace and returns stdout; throws with stderr on a non-zero exit. */
  async run(argv: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.exec(argv, options);
    if (result.code !== 0) {
      throw new Error(`[${this.name}] ${argv.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  async json<T = unknown>(argv: string[]): Promise<T> {
    return JSON.parse(await this.run(argv)) as T;
  }
}

/** Labs not destroyed yet, for the signal handler. */
const liveLabs = new Set<Lab>();
let signalsHooked = false;

/** On a terminating signal, destroys every live lab before exiting as the signal would have. */
function destroyLabsOnSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(name, () => {
      void Promise.allSettled([...liveLabs].map((lab) => lab.destroy())).finally(() =>
        process.exit(128 + constants.signals[name]),
      );
    });
  }
}

export class Lab {
  /** Six hex digits shared by every name of this run. */
  readonly id = randomBytes(3).toString("hex");
  private readonly namespaces: Netns[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly agents: HostAgent[] = [];
  private destroyed = false;

  constructor() {
    liveLabs.add(this);
    destroyLabsOnSignals();
  }

  /** A lab whose namespaces and processes are destroyed when the test ends. */
  static create(t: TeardownTarget): Lab {
    const lab = new Lab();
    t.teardown(() => lab.destroy());
    return lab;
  }

  /** An interface name unique to this run: "ks" + id + suffix, at most 15 characters. */
  ifname(suffix: string): string {
    const name = `ks${this.id}${suffix}`;
    if (name.length > 15) throw new Error(`interface name ${name} is longer than 15 characters`);
    return name;
  }

  /** A namespace with loopback up. */
  async netns(label: string): Promise<Netns> {
    const ns = new Netns(`kslab-${this.id}-${label}`);
    await execute(["ip", "netns", "add", ns.name]).then(check(`ip netns add ${ns.name}`));
    this.namespaces.push(ns);
    await ns.run(["ip", "link", "set", "lo", "up"]);
    return ns;
  }

  /** A veth pair with one end in each namespace, both up, with optional addresses ("10.0.0.1/24"). */
  async veth(a: Netns, aName: string, b: Netns, bName: string, addresses: [string[], string[]] = [[], []]) {
    await execute([
      "ip",
      "link",
      "add",
      aName,
      "netns",
      a.name,
      "type",
      "veth",
      "peer",
      "name",
      bName,
      "netns",
      b.name,
    ]).then(check(`veth ${aName}/${bName}`));
    for (const [ns, name, list] of [
      [a, aName, addresses[0]],
      [b, bName, addresses[1]],
    ] as const) {
      for (const address of list) await ns.run(["ip", "address", "add", address, "dev", name, "nodad"]);
      await ns.run(["ip", "link", "set", name, "up"]);
    }
  }

  /** A bridge in `ns` enslaving the given links, up. */
  async bridge(ns: Netns, name: string, members: string[]): Promise<void> {
    await ns.run(["ip", "link", "add", name, "type", "bridge"]);
    for (const member of members) await ns.run(["ip", "link", "set", member, "master", name]);
    await ns.run(["ip", "link", "set", name, "up"]);
  }

  /** A long-running process inside `ns`, ended at teardown. */
  spawn(ns: Netns, argv: string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns.name, ...argv], { stdio: ["pipe", "pipe", "pipe"] });
    this.children.push(child);
    return child;
  }

  /** A child process inside `ns` that drives the host layer (test/lab/host-agent.ts). */
  async agent(ns: Netns): Promise<HostAgent> {
    const agent = await HostAgent.start(ns.name);
    this.agents.push(agent);
    return agent;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    liveLabs.delete(this);
    for (const agent of this.agents) await agent.stop();
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const ns of this.namespaces) {
      await endProcesses(ns);
      await execute(["ip", "netns", "del", ns.name]);
    }
    // A killed wireguard-go leaves its socket behind in the shared directory.
    const sockets = await readdir(UAPI_DIR).catch(() => [] as string[]);
    for (const file of sockets.filter((f) => f.startsWith(`ks${this.id}`))) {
      await rm(`${UAPI_DIR}/${file}`, { force: true });
    }
  }
}

/** Ends every process still running in the namespace: SIGTERM, then SIGKILL after a bounded wait. */
async function endProcesses(ns: Netns): Promise<void> {
  const list = await execute(["ip", "netns", "pids", ns.name]);
  const pids = list.stdout
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function check(what: string) {
  return (result: CommandResult) => {
    if (result.code !== 0) throw new Error(`${what} failed: ${result.stderr.trim()}`);
    return result;
  };
}
