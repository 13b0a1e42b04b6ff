// systemd readiness, status and watchdog notifications (sd_notify(3)).
//
// Everything is a silent no-op when the daemon does not run under systemd
// (no NOTIFY_SOCKET), so the same code runs in a terminal, in tests and as
// a Type=notify unit. The datagram itself goes through a small native addon
// (native/src/sd_notify.c), loaded only when there is something to send.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Sends one datagram; returns 0 or an errno. */
export type SendDatagram = (socketPath: string, message: string) => number;

export interface Notifier {
  /** False outside systemd (no NOTIFY_SOCKET): every call is then a no-op. */
  readonly enabled: boolean;
  /** READY=1, with an optional STATUS= line. */
  ready(status?: string): void;
  status(text: string): void;
  watchdog(): void;
  stopping(): void;
  /**
   * Sends WATCHDOG=1 every half WATCHDOG_USEC, as sd_watchdog_enabled(3)
   * advises. Returns the function that stops it. Does nothing when systemd
   * expects no watchdog pings from this process.
   */
  startWatchdog(onError?: (err: Error) => void): () => void;
}

export interface NotifierDeps {
  send?: SendDatagram;
  pid?: number;
  setInterval?: (callback: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export class NotifyError extends Error {
  override name = "NotifyError";

  constructor(
    readonly socketPath: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(`sd_notify to ${socketPath} failed: ${code}`);
  }
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env, deps: NotifierDeps = {}): Notifier {
  const socketPath = env.NOTIFY_SOCKET;
  const intervalMs = watchdogIntervalMs(env, deps.pid ?? process.pid);
  const send = (message: string): void => {
    if (!socketPath) return;
    const errno = (deps.send ?? loadAddon().notify)(socketPath, message);
    if (errno !== 0) throw new NotifyError(socketPath, errno, errnoName(errno));
  };
  return {
    enabled: Boolean(socketPath),
    ready: (status) => send(status === undefined ? "READY=1" : `READY=1\n${statusLine(status)}`),
    status: (text) => send(statusLine(text)),
    watchdog: () => send("WATCHDOG=1"),
    stopping: () => send("STOPPING=1"),
    startWatchdog(onError = () => {}) {
      if (!socketPath || intervalMs === undefined) return () => {};
      const schedule = deps.setInterval ?? unrefInterval;
      const cancel = deps.clearInterval ?? ((handle) => clearInterval(handle as NodeJS.Timeout));
      const handle = schedule(() => {
        try {
          send("WATCHDOG=1");
        } catch (err) {
          onError(err as Error);
        }
      }, intervalMs);
      return () => cancel(handle);
    },
  };
}

/**
 * Half of WATCHDOG_USEC in milliseconds, or undefined when the watchdog is
 * off or meant for another process (WATCHDOG_PID).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return usec / 2000;
}

// A newline would start a new KEY=VALUE assignment.
function statusLine(text: string): string {
  return `STATUS=${text.replace(/[\r\n]+/g, " ")}`;
}

function errnoName(errno: number): string {
  const entry = Object.entries(constants.errno).find(([, value]) => value === errno);
  return entry ? entry[0] : `errno ${errno}`;
}

function unrefInterval(callback: () => void, ms: number): NodeJS.Timeout {
  // The watchdog alone must not keep the process alive.
  return setInterval(callback, ms).unref();
}

interface Addon {
  notify: SendDatagram;
}

let addon: Addon | undefined;

/** Where the built addon lives, relative to the package root so that src/ and dist/src/ both find it. */
export function sdNotifyAddonPath(): string {
  return join(packageRoot(), "native", "build", "Release", "sd_notify.node");
}

function loadAddon(): Addon {
  if (addon) return addon;
  const path = sdNotifyAddonPath();
  if (!existsSync(path)) {
    throw new Error(`the sd_notify addon is not built: ${path} is missing (run "npm run build:native")`);
  }
  addon = createRequire(import.meta.url)(path) as Addon;
  return addon;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("kubespan-node: cannot find the package root (no package.json above)");
    dir = parent;
  }
  return dir;
}
