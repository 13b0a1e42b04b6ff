import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ServiceError, status } from "@grpc/grpc-js";
import t, { type Test } from "tap";
import { ApiError } from "../../src/api/errors.js";
import { ApiServerError, startApiServer } from "../../src/api/server.js";
import type { KubeSpanClient, Status } from "../../src/gen/kubespan/v1/api.js";
import { loadFakeData } from "../cli/fixtures.js";
import { emptyStatus, FakeSource, peer } from "./fake-source.js";
import { connectClient, leaveStaleSocket, runServer, silentLogger, tempDir } from "./harness.js";

type Call<T> = (cb: (err: ServiceError | null, res: T) => void) => void;
const call = <T>(invoke: Call<T>) =>
  new Promise<T>((done, fail) => invoke((err, res) => (err ? fail(err) : done(res))));

async function serve(t: Test, source = new FakeSource(loadFakeData())) {
  const running = await runServer(t, source);
  return { ...running, source, client: connectClient(t, running.socketPath) };
}

t.test("unary calls return what the source holds", async (t) => {
  const { client, source } = await serve(t);
  const data = source.data;
  t.same(await call<Status>((cb) => client.getStatus({}, cb)), data.status);
  t.same(await call((cb) => client.getIdentity({}, cb)), data.status.identity);
  t.same(await call((cb) => client.listAffiliates({ raw: false }, cb)), { items: data.affiliates });
  t.same(await call((cb) => client.listAffiliates({ raw: true }, cb)), { items: data.rawAffiliates });
  t.same(await call((cb) => client.listMembers({}, cb)), { items: data.members });
  t.same(await call((cb) => client.listPeerSpecs({}, cb)), { items: data.peerSpecs });
  t.same(await call((cb) => client.listPeerStatuses({}, cb)), { items: data.status.peers });
  t.same(await call((cb) => client.listEndpoints({}, cb)), { items: data.endpoints });
});

t.test("the socket gets the requested mode in a directory created 0755", async (t) => {
  const socketPath = join(tempDir(t), "run", "kubespan", "kubespand.sock");
  await runServer(t, new FakeSource(loadFakeData()), socketPath);
  t.ok(statSync(socketPath).isSocket());
  t.equal(statSync(socketPath).mode & 0o777, 0o660);
  t.equal(statSync(join(socketPath, "..")).mode & 0o777, 0o755);
});

t.test("a stale socket from a crashed daemon is replaced", async (t) => {
  const socketPath = join(tempDir(t), "kubespand.sock");
  await leaveStaleSocket(socketPath);
  const { socketPath: path } = await runServer(t, new FakeSource(loadFakeData()), socketPath);
  const client = connectClient(t, path);
  t.equal((await call<Status>((cb) => client.getStatus({}, cb))).version, "0.1.0");
});

t.test("a second daemon refuses to take over a live socket", async (t) => {
  const first = await serve(t);
  await t.rejects(
    startApiServer({ socketPath: first.socketPath, mode: 0o660, source: first.source, logger: silentLogger }),
    new ApiServerError(`another kubespand is already serving on ${first.socketPath}; stop it first`),
  );
  t.same(await call((cb) => first.client.listMembers({}, cb)), { items: first.source.data.members });
});

t.test("a regular file at the socket path is left alone", async (t) => {
  const path = join(tempDir(t), "kubespand.sock");
  writeFileSync(path, "not a socket");
  await t.rejects(
    startApiServer({
      socketPath: path,
      mode: 0o660,
      source: new FakeSource(loadFakeData()),
      logger: silentLogger,
    }),
    { name: "ApiServerError", message: `${path} exists and is not a socket; refusing to replace it` },
  );
  t.equal(readFileSync(path, "utf8"), "not a socket");
});

t.test("source errors reach the client with a matching code and message", async (t) => {
  const { client, source } = await serve(t);
  source.failure = new ApiError("unavailable", "identity is not loaded yet");
  await t.rejects(
    call((cb) => client.getIdentity({}, cb)),
    {
      code: status.UNAVAILABLE,
      details: "identity is not loaded yet",
    },
  );
  source.failure = new Error("boom");
  await t.rejects(
    call((cb) => client.listMembers({}, cb)),
    {
      code: status.INTERNAL,
      details: "internal error in kubespand: boom",
    },
  );
});

t.test("leave calls the source once and reports its failure", async (t) => {
  const { client, source } = await serve(t);
  t.same(await call((cb) => client.leave({}, cb)), {});
  t.equal(source.leaveCalls, 1);
  source.leaveFailure = new ApiError("failed-precondition", "already left");
  await t.rejects(
    call((cb) => client.leave({}, cb)),
    {
      code: status.FAILED_PRECONDITION,
      details: "already left",
    },
  );
  t.equal(source.leaveCalls, 2);
});

/** Collects a Watch stream's messages; `next()` waits for the next one. */
function watchMessages(client: KubeSpanClient) {
  const stream = client.watch({});
  const received: Status[] = [];
  const waiters: (() => void)[] = [];
  stream.on("data", (message: Status) => {
    received.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  const until = (predicate: () => boolean) =>
    new Promise<void>((done) => {
      const check = () => (predicate() ? done() : waiters.push(check));
      check();
    });
  const ended = new Promise<{ code: number }>((done) => {
    stream.on("status", (s) => done(s));
    stream.on("error", () => {});
  });
  return { stream, received, until, ended };
}

t.test("watch sends the full status at once, then after a change", async (t) => {
  const { client, source } = await serve(t);
  const watch = watchMessages(client);
  await watch.until(() => watch.received.length >= 1);
  t.same(watch.received[0], source.data.status);
  source.update((data) => data.status.peers.push(peer("new-5", "unknown")));
  await watch.until(() => watch.received.some((s) => s.peers.some((p) => p.label === "new-5")));
  t.same(watch.received.at(-1), source.data.status);
  watch.stream.cancel();
});

t.test("a burst of changes is coalesced and ends on the latest state", async (t) => {
  const { client, source } = await serve(t);
  const watch = watchMessages(client);
  await watch.until(() => watch.received.length >= 1);
  for (let i = 0; i < 50; i++) source.update((data) => (data.status.version = `burst-${i}`));
  await watch.until(() => watch.received.at(-1)?.version === "burst-49");
  // The burst is synchronous: at most one immediate message and one at the end of the interval.
  t.ok(watch.received.length <= 3, `${watch.received.length} messages for 50 changes`);
  watch.stream.cancel();
});

t.test("a cancelled watch unsubscribes from the source", async (t) => {
  const { client, source } = await serve(t);
  const watch = watchMessages(client);
  await watch.until(() => watch.received.length >= 1);
  t.equal(source.subscriberCount, 1);
  const unsubscribed = new Promise<void>((done) => source.once("unsubscribed", done));
  watch.stream.cancel();
  await unsubscribed;
  t.equal(source.subscriberCount, 0);
});

t.test("a failing source ends the watch with its error", async (t) => {
  const { client, source } = await serve(t);
  const watch = watchMessages(client);
  await watch.until(() => watch.received.length >= 1);
  source.failure = new ApiError("unavailable", "shutting down");
  source.update(() => {});
  t.match(await watch.ended, { code: status.UNAVAILABLE, details: "shutting down" });
  t.equal(source.subscriberCount, 0);
});

t.test("close ends open watches cleanly and removes the socket", async (t) => {
  const source = new FakeSource({ ...loadFakeData(), status: emptyStatus() });
  const socketPath = join(tempDir(t), "kubespand.sock");
  const server = await startApiServer({ socketPath, mode: 0o660, source, logger: silentLogger });
  const watch = watchMessages(connectClient(t, socketPath));
  await watch.until(() => watch.received.length >= 1);
  await server.close();
  t.match(await watch.ended, { code: status.OK });
  t.equal(source.subscriberCount, 0);
  t.notOk(existsSync(socketPath), "socket file removed");
  await server.close();
  t.pass("closing twice is harmless");
});

t.test("a relative socket path is resolved against the working directory", async (t) => {
  const dir = tempDir(t);
  t.chdir(dir);
  const server = await startApiServer({
    socketPath: "run/kubespand.sock",
    mode: 0o660,
    source: new FakeSource(loadFakeData()),
    logger: silentLogger,
  });
  t.teardown(() => server.close());
  t.ok(statSync(join(dir, "run", "kubespand.sock")).isSocket());
});
