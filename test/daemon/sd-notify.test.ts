import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import t from "tap";
import {
  createNotifier,
  NotifyError,
  type SendDatagram,
  sdNotifyAddonPath,
  watchdogIntervalMs,
} from "../../src/daemon/sd-notify.js";

function recorder(errno = 0) {
  const sent: [string, string][] = [];
  const send: SendDatagram = (path, message) => {
    sent.push([path, message]);
    return errno;
  };
  return { sent, send };
}

t.test("without NOTIFY_SOCKET everything is a silent no-op", async (t) => {
  const { sent, send } = recorder();
  let scheduled = 0;
  const n = createNotifier({ WATCHDOG_USEC: "1000000" }, { send, setInterval: () => scheduled++ });
  n.ready("up");
  n.status("x");
  n.watchdog();
  n.stopping();
  n.startWatchdog()();
  t.equal(n.enabled, false, "reported as disabled, so callers can skip building status lines");
  t.same(sent, []);
  t.equal(scheduled, 0);
});

t.test("messages follow sd_notify(3)", async (t) => {
  const { sent, send } = recorder();
  const n = createNotifier({ NOTIFY_SOCKET: "/run/systemd/notify" }, { send });
  t.equal(n.enabled, true);
  n.ready();
  n.ready("mesh up: 3 peers");
  n.status("line one\nWATCHDOG=1");
  n.watchdog();
  n.stopping();
  t.same(sent, [
    ["/run/systemd/notify", "READY=1"],
    ["/run/systemd/notify", "READY=1\nSTATUS=mesh up: 3 peers"],
    ["/run/systemd/notify", "STATUS=line one WATCHDOG=1"],
    ["/run/systemd/notify", "WATCHDOG=1"],
    ["/run/systemd/notify", "STOPPING=1"],
  ]);
});

t.test("a failed send throws NotifyError with the errno name", async (t) => {
  const n = createNotifier({ NOTIFY_SOCKET: "@sock" }, { send: recorder(111).send });
  t.throws(() => n.ready(), new NotifyError("@sock", 111, "ECONNREFUSED"));
  t.throws(() => n.ready(), { message: "sd_notify to @sock failed: ECONNREFUSED" });
});

t.test("watchdog interval is half of WATCHDOG_USEC and respects WATCHDOG_PID", async (t) => {
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" }, 42), 15000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42" }, 42), 15000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 42), undefined);
  t.equal(watchdogIntervalMs({}, 42), undefined);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "0" }, 42), undefined);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: "soon" }, 42), undefined);
});

t.test("startWatchdog pings on the schedule and stops", async (t) => {
  const { sent, send } = recorder();
  const timers: { callback: () => void; ms: number }[] = [];
  const cleared: unknown[] = [];
  const n = createNotifier(
    { NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "20000000", WATCHDOG_PID: "99" },
    {
      send,
      pid: 99,
      setInterval: (callback, ms) => timers.push({ callback, ms }),
      clearInterval: (handle) => cleared.push(handle),
    },
  );
  const stop = n.startWatchdog();
  t.equal(timers.length, 1);
  t.equal(timers[0]?.ms, 10000);
  timers[0]?.callback();
  timers[0]?.callback();
  t.same(sent, [
    ["/n", "WATCHDOG=1"],
    ["/n", "WATCHDOG=1"],
  ]);
  stop();
  t.same(cleared, [1], "the handle returned by setInterval is cleared");
});

t.test("watchdog errors go to onError, not to the event loop", async (t) => {
  const timers: (() => void)[] = [];
  const n = createNotifier(
    { NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "1000000" },
    { send: recorder(2).send, setInterval: (callback) => timers.push(callback), clearInterval: () => {} },
  );
  const errors: Error[] = [];
  n.startWatchdog((err) => errors.push(err));
  timers[0]?.();
  t.equal(errors.length, 1);
  t.equal((errors[0] as NotifyError).code, "ENOENT");
});

t.test("no watchdog for another process", async (t) => {
  let scheduled = 0;
  const n = createNotifier(
    { NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "1000000", WATCHDOG_PID: "1" },
    { send: recorder().send, pid: 2, setInterval: () => scheduled++ },
  );
  n.startWatchdog()();
  t.equal(scheduled, 0);
});

// The real addon against a real AF_UNIX datagram socket. Node cannot bind
// one, so a small Python receiver prints each datagram as a JSON line.
const RECEIVER = `
import json, socket, sys
path, count = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\\0" + path[1:] if path.startswith("@") else path)
s.settimeout(20)
print("ready", flush=True)
for _ in range(count):
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

const addonMissing =
  !existsSync(sdNotifyAddonPath()) && 'native addon not built (run "npm run build:native")';
const pythonMissing =
  spawnSync("python3", ["--version"]).status !== 0 && "python3 is needed to receive unix datagrams";
const skipReal = addonMissing || pythonMissing;

/** Runs `act` once the receiver is bound; returns the first `count` datagrams. */
async function receive(socketPath: string, count: number, act: () => void): Promise<string[]> {
  const child = spawn("python3", ["-c", RECEIVER, socketPath, String(count)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.value !== "ready") throw new Error("the receiver did not start");
    act();
    const received: string[] = [];
    for (let i = 0; i < count; i++) {
      const line = await lines.next();
      if (line.done) break;
      received.push(JSON.parse(line.value));
    }
    return received;
  } finally {
    child.kill();
  }
}

// sun_path holds at most 107 bytes, so the socket lives in a short temp dir.
function shortTempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "ks-notify-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("the addon delivers datagrams to a filesystem socket", { skip: skipReal }, async (t) => {
  const socketPath = join(shortTempDir(t), "notify.sock");
  const n = createNotifier({ NOTIFY_SOCKET: socketPath });
  const received = await receive(socketPath, 3, () => {
    n.ready("ready to mesh");
    n.status("2 peers up");
    n.watchdog();
  });
  t.same(received, ["READY=1\nSTATUS=ready to mesh", "STATUS=2 peers up", "WATCHDOG=1"]);
});

t.test("the addon supports abstract socket names", { skip: skipReal }, async (t) => {
  const socketPath = `@kubespan-test-${process.pid}`;
  const n = createNotifier({ NOTIFY_SOCKET: socketPath });
  const received = await receive(socketPath, 1, () => n.stopping());
  t.same(received, ["STOPPING=1"]);
});

t.test("the addon reports errno", { skip: skipReal }, async (t) => {
  const missing = join(shortTempDir(t), "absent.sock");
  t.throws(() => createNotifier({ NOTIFY_SOCKET: missing }).ready(), { code: "ENOENT" });
  t.throws(() => createNotifier({ NOTIFY_SOCKET: `/${"x".repeat(120)}` }).ready(), { code: "ENAMETOOLONG" });
  const addon = createRequire(import.meta.url)(sdNotifyAddonPath());
  t.throws(() => addon.notify(1, "READY=1"), new TypeError("socketPath must be a string"));
  t.throws(() => addon.notify("/x"), new TypeError("notify(socketPath, message) takes two strings"));
});
