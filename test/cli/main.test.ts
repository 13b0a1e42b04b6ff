import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import { parse } from "yaml";
import { LEAVE_QUESTION } from "../../src/cli/commands/leave.js";
import { runCli } from "../../src/cli/main.js";
import { PeerStatusList, Status } from "../../src/gen/kubespan/v1/api.js";
import { VERSION } from "../../src/version.js";
import { FakeSource, peer } from "../api/fake-source.js";
import { leaveStaleSocket, runServer, tempDir } from "../api/harness.js";
import { loadFakeData } from "./fixtures.js";
import { matchGolden } from "./golden.js";
import { testIO } from "./test-io.js";

async function daemon(t: Test) {
  const source = new FakeSource(loadFakeData());
  const { socketPath } = await runServer(t, source);
  return { source, socketPath };
}

t.test("status prints the one-screen summary from the daemon", async (t) => {
  const { socketPath } = await daemon(t);
  const { io, stdout, stderr } = testIO();
  t.equal(await runCli(["--socket", socketPath, "status"], io), 0);
  t.equal(stderr.text, "");
  t.match(stdout.text, /^Node ID: {5}xGzXB795lreHGdovrEYOOxvufZTFd1CldVV3ohHNugO$/m);
  t.match(stdout.text, /^4 peers: 2 up, 1 down, 1 unknown$/m);
  t.match(
    stdout.text,
    /^edge-3 +unknown +\[2001:db8::2\]:51820 .* 10\.0\.0\.2:51820 timeout 6s, \[2001:db8::2\]:51820 trying$/m,
  );
  t.notMatch(stdout.text, "\x1b[", "no colour when stdout is not a terminal");
});

t.test("status on a terminal is coloured unless NO_COLOR is set", async (t) => {
  const { socketPath } = await daemon(t);
  const colored = testIO({ tty: true });
  t.equal(await runCli(["--socket", socketPath, "status"], colored.io), 0);
  t.match(colored.stdout.text, "\x1b[32mup\x1b[0m");
  const plain = testIO({ tty: true, env: { NO_COLOR: "1" } });
  t.equal(await runCli(["--socket", socketPath, "status"], plain.io), 0);
  t.notMatch(plain.stdout.text, "\x1b[");
});

t.test("get peers -o json is the PeerStatusList JSON form", async (t) => {
  const { socketPath, source } = await daemon(t);
  const { io, stdout } = testIO();
  t.equal(await runCli(["--socket", socketPath, "get", "peers", "-o", "json"], io), 0);
  const parsed = JSON.parse(stdout.text);
  t.same(PeerStatusList.fromJSON(parsed).items, source.data.status.peers);
  t.same(
    parsed.items.map((p: { label: string; state: string }) => [p.label, p.state]),
    [
      ["cp-1", "up"],
      ["edge-3", "unknown"],
      ["worker-2", "up"],
      ["db-4", "down"],
    ],
  );
});

t.test("get prints every resource's table as fetched from the daemon", async (t) => {
  const { socketPath } = await daemon(t);
  for (const kind of ["identity", "affiliates", "members", "peers", "peerspecs", "endpoints"]) {
    const { io, stdout } = testIO();
    t.equal(await runCli(["--socket", socketPath, "get", kind], io), 0, kind);
    matchGolden(t, `get-${kind}.txt`, stdout.text);
  }
});

t.test("status -o yaml is the Status JSON form", async (t) => {
  const { socketPath, source } = await daemon(t);
  const { io, stdout } = testIO();
  t.equal(await runCli(["--socket", socketPath, "status", "-o", "yaml"], io), 0);
  t.same(Status.fromJSON(parse(stdout.text)), source.data.status);
});

t.test("aliases, --raw and yaml", async (t) => {
  const { socketPath } = await daemon(t);
  const peerStatus = testIO();
  t.equal(await runCli(["--socket", socketPath, "get", "PeerStatuses"], peerStatus.io), 0);
  t.match(peerStatus.stdout.text, /^NAME +STATE +ENDPOINT/);
  const raw = testIO();
  t.equal(await runCli(["--socket", socketPath, "get", "affiliate", "--raw", "-o", "yaml"], raw.io), 0);
  t.match(raw.stdout.text, /^items:\n {2}- id: discovery\.talos\.dev:443\/Q32p/);
  t.match(raw.stdout.text, /source: discovery\.internal:3000/);
});

t.test("KUBESPAN_SOCKET names the socket when --socket is absent", async (t) => {
  const { socketPath } = await daemon(t);
  const { io, stdout } = testIO({ env: { KUBESPAN_SOCKET: socketPath } });
  t.equal(await runCli(["get", "identity", "-o", "json"], io), 0);
  t.equal(JSON.parse(stdout.text).nodeId, "xGzXB795lreHGdovrEYOOxvufZTFd1CldVV3ohHNugO");
});

t.test("get --watch -o json prints a line per change until interrupted", async (t) => {
  const { socketPath, source } = await daemon(t);
  const { io, stdout, interrupt } = testIO();
  const exit = runCli(["--socket", socketPath, "get", "peers", "--watch", "-o", "json"], io);
  await stdout.waitFor((text) => text.endsWith("\n"));
  source.update((data) => data.status.peers.push(peer("new-5", "unknown")));
  await stdout.waitFor((text) => text.includes("new-5"));
  interrupt();
  t.equal(await exit, 0);
  const lines = stdout.text.trimEnd().split("\n");
  t.equal(lines.length, 2, "one document before and one after the change");
  t.same(
    lines.map((line) => JSON.parse(line).items.length),
    [4, 5],
  );
});

t.test("get --watch reprints the table with a timestamp header", async (t) => {
  const { socketPath, source } = await daemon(t);
  const { io, stdout, interrupt } = testIO();
  const exit = runCli(["--socket", socketPath, "get", "peer", "-w"], io);
  await stdout.waitFor((text) => text.includes("worker-2"));
  source.update((data) => data.status.peers.push(peer("new-5", "unknown")));
  await stdout.waitFor((text) => text.includes("new-5"));
  interrupt();
  t.equal(await exit, 0);
  const frames = stdout.text.split("[2026-03-01T12:00:00.000Z] kubespanctl get peers\n").slice(1);
  t.equal(frames.length, 2);
  t.notMatch(frames[0]!, /new-5/);
  t.match(frames[1]!, /^new-5 +unknown/m);
});

t.test("get --watch fails when the daemon stops", async (t) => {
  const source = new FakeSource(loadFakeData());
  const { socketPath, server } = await runServer(t, source);
  const { io, stdout, stderr } = testIO();
  const exit = runCli(["--socket", socketPath, "get", "members", "--watch"], io);
  await stdout.waitFor((text) => text.includes("gateway"));
  await server.close();
  t.equal(await exit, 1);
  t.equal(stderr.text, "error: kubespand ended the watch: it is shutting down\n");
});

t.test("leave --yes calls the daemon", async (t) => {
  const { socketPath, source } = await daemon(t);
  const { io, stdout } = testIO();
  t.equal(await runCli(["--socket", socketPath, "leave", "--yes"], io), 0);
  t.equal(source.leaveCalls, 1);
  t.match(stdout.text, /^Left the cluster/);
});

t.test("leave without --yes refuses when stdin is not a terminal", async (t) => {
  const { socketPath, source } = await daemon(t);
  const { io, stderr } = testIO();
  t.equal(await runCli(["--socket", socketPath, "leave"], io), 2);
  t.match(stderr.text, /stdin is not a terminal; pass --yes/);
  t.equal(source.leaveCalls, 0);
});

t.test("leave on a terminal asks first and only 'y' goes ahead", async (t) => {
  const { socketPath, source } = await daemon(t);
  const yes = testIO({ tty: true, input: "y\n" });
  t.equal(await runCli(["--socket", socketPath, "leave"], yes.io), 0);
  t.equal(yes.stderr.text, `${LEAVE_QUESTION} [y/N] `);
  t.equal(source.leaveCalls, 1);

  for (const input of ["\n", "n\n", "whatever\n", ""]) {
    const no = testIO({ tty: true, input });
    t.equal(await runCli(["--socket", socketPath, "leave"], no.io), 1, JSON.stringify(input));
    t.match(no.stderr.text, /error: leave cancelled\n$/);
  }
  t.equal(source.leaveCalls, 1, "declining never calls Leave");
});

t.test("a daemon that is not running is reported with the socket path", async (t) => {
  const socketPath = join(tempDir(t), "kubespand.sock");
  const { io, stderr, stdout } = testIO();
  t.equal(await runCli(["--socket", socketPath, "status"], io), 1);
  t.equal(stderr.text, `error: kubespand is not running: no socket at ${socketPath}\n`);
  t.equal(stdout.text, "");
});

t.test("a socket left by a crashed daemon, and a file that is no socket", async (t) => {
  const dir = tempDir(t);
  const stale = join(dir, "stale.sock");
  await leaveStaleSocket(stale);
  const first = testIO();
  t.equal(await runCli(["--socket", stale, "status"], first.io), 1);
  t.equal(
    first.stderr.text,
    `error: kubespand is not running: nothing listens on ${stale} (left over from a stopped daemon)\n`,
  );
  const file = join(dir, "regular");
  writeFileSync(file, "");
  const second = testIO();
  t.equal(
    await runCli(["get", "peers", "--socket", file], second.io),
    1,
    "--socket also works after the command",
  );
  t.match(second.stderr.text, `${file} is not a socket`);
});

t.test("daemon errors are shown with exit code 1", async (t) => {
  const { socketPath, source } = await daemon(t);
  source.failure = new Error("state not loaded");
  const { io, stderr } = testIO();
  t.equal(await runCli(["--socket", socketPath, "get", "members"], io), 1);
  t.equal(stderr.text, "error: kubespand: internal error in kubespand: state not loaded\n");
});

t.test("usage errors exit with code 2", async (t) => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["get", "pods"], /Known resources: identity, affiliates, members, peers, peerspecs, endpoints/],
    [["get", "peers", "-o", "xml"], /Allowed choices are table, json, yaml/],
    [["get", "peers", "--raw"], /--raw applies to affiliates only/],
    [["get"], /missing required argument 'resource'/],
    [["status", "extra"], /too many arguments/],
    [["completion", "fish"], /Allowed choices are bash, zsh/],
    [[], /Usage: kubespanctl/],
  ];
  for (const [argv, message] of cases) {
    const { io, stderr } = testIO();
    t.equal(await runCli(["--socket", "/nonexistent/kubespand.sock", ...argv], io), 2, argv.join(" "));
    t.match(stderr.text, message, argv.join(" "));
  }
});

t.test("--help works on every command and exits 0", async (t) => {
  for (const argv of [[], ["status"], ["get"], ["leave"], ["version"], ["completion"]]) {
    const { io, stdout } = testIO();
    t.equal(await runCli([...argv, "--help"], io), 0, argv.join(" "));
    t.match(stdout.text, /^Usage: kubespanctl/, argv.join(" "));
  }
});

t.test("version shows the client and, when reachable, the daemon", async (t) => {
  const { socketPath } = await daemon(t);
  const both = testIO();
  t.equal(await runCli(["--socket", socketPath, "version"], both.io), 0);
  t.equal(both.stdout.text, `kubespanctl ${VERSION}\nkubespand 0.1.0\n`);

  const clientOnly = testIO();
  t.equal(await runCli(["--socket", "/nonexistent/kubespand.sock", "version", "--client"], clientOnly.io), 0);
  t.equal(clientOnly.stdout.text, `kubespanctl ${VERSION}\n`);

  const unreachable = testIO();
  t.equal(await runCli(["--socket", "/nonexistent/kubespand.sock", "version"], unreachable.io), 1);
  t.equal(unreachable.stdout.text, `kubespanctl ${VERSION}\n`);
  t.match(unreachable.stderr.text, /kubespand is not running/);
});
