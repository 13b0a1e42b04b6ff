// Runs the real API server on a socket in a fresh temporary directory (not
// under the test fixture folder: unix socket paths are limited to 107 bytes).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { pino } from "pino";
import type { Test } from "tap";
import { type ApiServer, startApiServer } from "../../src/api/server.js";
import type { ApiSource } from "../../src/api/source.js";
import { KubeSpanClient } from "../../src/gen/kubespan/v1/api.js";

export const silentLogger = pino({ level: "silent" });

export function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), "kubespan-api-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Running {
  socketPath: string;
  server: ApiServer;
}

export async function runServer(t: Test, source: ApiSource, socketPath?: string): Promise<Running> {
  const path = socketPath ?? join(tempDir(t), "kubespand.sock");
  const server = await startApiServer({ socketPath: path, mode: 0o660, source, logger: silentLogger });
  t.teardown(() => server.close());
  return { socketPath: path, server };
}

export function connectClient(t: Test, socketPath: string): KubeSpanClient {
  const client = new KubeSpanClient(`unix://${socketPath}`, credentials.createInsecure());
  t.teardown(() => client.close());
  return client;
}

/** Leaves a socket file behind the way a crashed daemon does: its process is killed. */
export async function leaveStaleSocket(path: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ["-e", `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("ready"))`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((ready) => child.stdout.once("data", () => ready()));
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGKILL");
  await exited;
}
