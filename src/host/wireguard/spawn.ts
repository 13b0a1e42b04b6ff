// Starting and stopping the userspace implementation (wireguard-go, boringtun).
//
// The implementation is left to daemonize itself rather than run under `-f` as
// our child, because restarts must not drop traffic:
// - a daemonized process is re-parented to init and, started in its own
//   session, gets no signal meant for the daemon's process group; a foreground
//   child would lose its stdout/stderr pipe when the daemon exits, and a Go
//   program dies of SIGPIPE on its first log line after that;
// - wireguard-go's launcher creates the TUN device and binds the UAPI socket
//   before it forks, so its exit status is the readiness signal;
// - after a restart the daemon finds the device through its link and socket
//   (select.ts), the same way it found it the first time.
// Under systemd this needs `KillMode=process` (see docs/host.md), otherwise the
// unit's cgroup is killed whole on restart.
import { spawn } from "node:child_process";
import { readdir, readFile, readlink } from "node:fs/promises";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WireGuardError } from "./types.js";
import { uapiResponds } from "./uapi.js";

export interface UserspaceOptions {
  binary: string;
  socketPath: string;
  /** Bound on the launcher's run plus the wait for the socket. */
  startTimeoutMs: number;
}

const STDERR_LIMIT = 4096;

export async function startUserspace(ifname: string, options: UserspaceOptions): Promise<void> {
  const deadline = Date.now() + options.startTimeoutMs;
  // LOG_LEVEL would make wireguard-go hand our pipes to the daemonized child.
  const { LOG_LEVEL: _dropped, WG_PROCESS_FOREGROUND: _alsoDropped, ...env } = process.env;
  const child = spawn(options.binary, [ifname], { detached: true, stdio: ["ignore", "ignore", "pipe"], env });
  child.unref();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_LIMIT);
  });
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), options.startTimeoutMs);
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? err.message);
    });
    child.once("exit", (exitCode, signal) => {
      clearTimeout(timer);
      resolve(exitCode ?? `signal ${signal}`);
    });
  });
  child.stderr?.destroy();
  if (code === "ENOENT") throw new WireGuardError(`userspace WireGuard binary not found: ${options.binary}`);
  if (code === "timeout") {
    throw new WireGuardError(
      `${options.binary} ${ifname} did not finish starting within ${options.startTimeoutMs} ms`,
    );
  }
  if (code !== 0) {
    const detail = lastLines(stderr);
    throw new WireGuardError(
      `${options.binary} ${ifname} failed (exit ${code})${detail ? `: ${detail}` : ""}`,
    );
  }
  while (!(await uapiResponds(options.socketPath))) {
    if (Date.now() > deadline) {
      throw new WireGuardError(
        `${options.binary} ${ifname} started but ${options.socketPath} does not answer`,
      );
    }
    await sleep(50);
  }
}

/** Stops the implementation serving `ifname` in this network namespace; resolves once its socket is gone. */
export async function stopUserspace(ifname: string, options: UserspaceOptions): Promise<boolean> {
  const pid = await findUserspacePid(ifname, options.binary);
  if (pid === undefined) return false;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return false;
  }
  const deadline = Date.now() + options.startTimeoutMs;
  while ((await uapiResponds(options.socketPath)) && Date.now() < deadline) await sleep(50);
  return true;
}

/**
 * The pid of `<binary> <ifname>` in this process's network namespace. The UAPI
 * socket directory is shared by all namespaces, so the namespace check keeps
 * us from touching a namesake elsewhere.
 */
export async function findUserspacePid(ifname: string, binary: string): Promise<number | undefined> {
  const ownNetns = await readlink("/proc/self/ns/net");
  const wanted = basename(binary);
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0").filter((a) => a !== "");
      if (argv.length < 2 || basename(argv[0]!) !== wanted || argv[argv.length - 1] !== ifname) continue;
      if ((await readlink(`/proc/${entry}/ns/net`)) === ownNetns) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

function lastLines(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^[│┌└─ ]*$/.test(l))
    .slice(-3)
    .join(" / ");
}
