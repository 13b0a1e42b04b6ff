// The real executable in a child process: exit codes reach the shell, and
// the socket's file mode really keeps other users out.
import { spawn } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { FakeSource } from "../api/fake-source.js";
import { runServer, tempDir } from "../api/harness.js";
import { loadFakeData } from "./fixtures.js";

const bin = fileURLToPath(new URL("../../src/bin/kubespanctl.ts", import.meta.url));
const NOBODY = 65534;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

// The child reuses the test runner's TypeScript loader to run the source
// directly, but not the hooks the runner injects into child processes
// through NODE_OPTIONS (`env -u` drops them): they write files under the
// repository, which another user may not do.
const loader = process.execArgv.filter((arg) => arg.includes("typescript"));
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name === "PATH" || name.startsWith("TS_NODE_")),
);

function start(args: string[], uid?: number) {
  // `env` execs node in place, so signals sent to the child reach kubespanctl itself.
  const child = spawn("env", ["-u", "NODE_OPTIONS", process.execPath, ...loader, bin, ...args], {
    env: { ...env, KUBESPAN_SOCKET: "/nonexistent/kubespand.sock" },
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  const result: Result = { status: null, stdout: "", stderr: "" };
  child.stdout.on("data", (chunk) => (result.stdout += chunk));
  child.stderr.on("data", (chunk) => (result.stderr += chunk));
  const finished = new Promise<Result>((done) =>
    child.on("close", (status) => {
      result.status = status;
      done(result);
    }),
  );
  return { child, result, finished };
}

function kubespanctl(args: string[], uid?: number): Promise<Result> {
  return start(args, uid).finished;
}

t.test("a daemon that is not running exits 1 with the socket path", async (t) => {
  const result = await kubespanctl(["status"]);
  t.equal(result.status, 1);
  t.equal(result.stderr, "error: kubespand is not running: no socket at /nonexistent/kubespand.sock\n");
});

t.test("a usage error exits 2", async (t) => {
  const result = await kubespanctl(["get", "pods"]);
  t.equal(result.status, 2);
  t.match(result.stderr, /Known resources/);
});

t.test(
  "a user outside the socket's group is told to run as root or join the group",
  { skip: process.getuid?.() === 0 ? false : "needs root to run the client as another user" },
  async (t) => {
    const dir = tempDir(t);
    chmodSync(dir, 0o755);
    const socketPath = join(dir, "kubespand.sock");
    await runServer(t, new FakeSource(loadFakeData()), socketPath);
    const result = await kubespanctl(["--socket", socketPath, "status"], NOBODY);
    t.equal(result.status, 1);
    t.equal(
      result.stderr,
      `error: permission denied on ${socketPath}: run as root or join the group that owns it\n`,
    );
  },
);

t.test("Ctrl-C ends a watch with exit code 0", async (t) => {
  const { socketPath } = await runServer(t, new FakeSource(loadFakeData()));
  const { child, result, finished } = start(["--socket", socketPath, "get", "members", "--watch"]);
  await new Promise<void>((printed) => {
    const check = () => {
      if (!result.stdout.includes("gateway")) return;
      child.stdout.off("data", check);
      printed();
    };
    child.stdout.on("data", check);
  });
  child.kill("SIGINT");
  const { status, stderr } = await finished;
  t.equal(status, 0);
  t.equal(stderr, "");
});
