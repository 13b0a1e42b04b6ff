// The kubespan-discovery program as an operator runs it: start, serve, and a
// graceful stop on SIGTERM (Watch streams end with OK, state saved, exit 0).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import t from "tap";
import { decodeClusterRecord } from "../../src/server/snapshot.js";
import { readClusterRecords } from "../../src/server/snapshot-file.js";
import { b, connect, unary, update, WatchReader } from "./helpers.js";

const BIN = new URL("../../src/bin/kubespan-discovery.ts", import.meta.url).pathname;

function run(args: string[]): {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
} {
  // The same loader flags as this test process, so the TypeScript entry point runs as is.
  const child = spawn(process.execPath, [...process.execArgv, BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      lines.push({ raw: line });
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, exit };
}

async function waitForLine(lines: Record<string, unknown>[], msg: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = lines.find((l) => l.msg === msg);
    if (line) return line;
    if (Date.now() > deadline)
      throw new Error(`no "${msg}" log line within ${timeoutMs} ms: ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test("SIGTERM: watches end with OK, the state is saved, exit 0", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kubespan-discovery-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "state.binpb");
  const { child, lines, exit } = run([
    "--addr=127.0.0.1:0",
    "--landing-addr=",
    "--metrics-addr=",
    `--snapshot-path=${path}`,
  ]);
  t.teardown(() => child.kill("SIGKILL"));
  const listening = await waitForLine(lines, "gRPC listening");
  const client = connect(t, String(listening.address));
  await unary(client, "affiliateUpdate", update("c", "af", { affiliateData: b("secret-ciphertext") }));
  const watch = WatchReader.open(client, "c");
  await watch.next();

  child.kill("SIGTERM");
  t.equal(await watch.end(10_000), "end", "the watch ended with status OK");
  t.equal(await exit, 0, "exit code 0");
  t.ok(existsSync(path), "the state file was written at shutdown");
  const ids: string[] = [];
  for await (const payload of readClusterRecords(path)) ids.push(decodeClusterRecord(payload).id);
  t.same(ids, ["c"]);

  const rpc = lines.find((l) => l.method === "AffiliateUpdate");
  t.match(rpc, { msg: "rpc", code: "OK", cluster: "c", affiliate: "af", peer: /^127\.0\.0\.1:\d+$/ });
  t.type(rpc?.duration_ms, "number");
  const all = JSON.stringify(lines);
  t.notOk(
    all.includes("secret-ciphertext") || all.includes(b("secret-ciphertext").toString("base64")),
    "no data in logs",
  );
});

t.test("bad flags exit 2 with a clear message", async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, BIN, "--gc-interval=often"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  t.equal(code, 2);
  t.match(stderr, /--gc-interval: invalid duration "often"/);
});

t.test("a busy port fails startup with exit 1", async (t) => {
  const first = run([
    "--addr=127.0.0.1:0",
    "--landing-addr=",
    "--metrics-addr=",
    "--snapshots-enabled=false",
  ]);
  t.teardown(() => first.child.kill("SIGKILL"));
  const listening = await waitForLine(first.lines, "gRPC listening");
  const second = run([
    `--addr=127.0.0.1:${listening.port}`,
    "--landing-addr=",
    "--metrics-addr=",
    "--snapshots-enabled=false",
  ]);
  t.equal(await second.exit, 1);
  t.match(await waitForLine(second.lines, "kubespan-discovery failed to start"), { level: 60 });
});
