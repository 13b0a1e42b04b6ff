import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import t from "tap";
import { probeSocket } from "../../src/api/socket-probe.js";
import { leaveStaleSocket, tempDir } from "./harness.js";

t.test("missing: no file, or no parent directory", async (t) => {
  const dir = tempDir(t);
  t.same(await probeSocket(join(dir, "none.sock"), 1000), { state: "missing" });
  t.same(await probeSocket(join(dir, "no-dir", "none.sock"), 1000), { state: "missing" });
});

t.test("not-socket: a regular file is never mistaken for a stale socket", async (t) => {
  const file = join(tempDir(t), "regular");
  writeFileSync(file, "data");
  t.same(await probeSocket(file, 1000), { state: "not-socket" });
});

t.test("stale: a socket file whose process died", async (t) => {
  const path = join(tempDir(t), "stale.sock");
  await leaveStaleSocket(path);
  t.ok(existsSync(path), "the killed process left its socket file");
  t.same(await probeSocket(path, 1000), { state: "stale" });
});

t.test("live: something accepts connections", async (t) => {
  const path = join(tempDir(t), "live.sock");
  const server = createServer((socket) => socket.end());
  await new Promise<void>((listening) => server.listen(path, listening));
  t.teardown(() => new Promise<void>((closed) => server.close(() => closed())));
  t.same(await probeSocket(path, 1000), { state: "live" });
});

t.test(
  "denied: the directory cannot be entered",
  { skip: process.getuid?.() === 0 ? "running as root: file permissions do not apply to root" : false },
  async (t) => {
    const dir = join(tempDir(t), "locked");
    mkdirSync(dir);
    chmodSync(dir, 0o000);
    t.teardown(() => chmodSync(dir, 0o755));
    t.same(await probeSocket(join(dir, "kubespand.sock"), 1000), { state: "denied" });
  },
);
