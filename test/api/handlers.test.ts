// Watch stream behaviour that needs control over time and flow control,
// driven through the handlers with a stand-in for the gRPC call.
import { EventEmitter } from "node:events";
import type { ServerWritableStream } from "@grpc/grpc-js";
import t from "tap";
import { createHandlers, WATCH_INTERVAL_MS } from "../../src/api/handlers.js";
import type { Status, WatchRequest } from "../../src/gen/kubespan/v1/api.js";
import { emptyStatus, FakeSource } from "./fake-source.js";
import { silentLogger } from "./harness.js";
import { ManualTimers } from "./manual-timers.js";

class FakeCall extends EventEmitter {
  readonly request = {};
  readonly written: string[] = [];
  /** What write() answers: false means the transport buffer is full. */
  accepting = true;
  ended = false;
  write(status: Status): boolean {
    this.written.push(status.version);
    return this.accepting;
  }
  end(): void {
    this.ended = true;
  }
}

function setup() {
  const timers = new ManualTimers();
  const source = new FakeSource({
    status: { ...emptyStatus(), version: "v0" },
    affiliates: [],
    rawAffiliates: [],
    members: [],
    peerSpecs: [],
    endpoints: [],
  });
  const handlers = createHandlers(source, silentLogger, timers);
  const call = new FakeCall();
  handlers.implementation.watch(call as unknown as ServerWritableStream<WatchRequest, Status>);
  const change = (version: string) => source.update((data) => (data.status.version = version));
  return { timers, source, handlers, call, change };
}

t.test("changes within the interval arrive as one message with the latest state", async (t) => {
  const { timers, call, change } = setup();
  t.same(call.written, ["v0"], "the current state is sent at once");
  change("v1");
  change("v2");
  change("v3");
  t.same(call.written, ["v0"]);
  timers.advance(WATCH_INTERVAL_MS);
  t.same(call.written, ["v0", "v3"]);
});

t.test("a backed-up stream skips intermediate states and catches up on drain", async (t) => {
  const { timers, call, change } = setup();
  call.accepting = false;
  timers.advance(WATCH_INTERVAL_MS);
  change("v1");
  t.same(call.written, ["v0", "v1"], "the write that filled the buffer");
  change("v2");
  timers.advance(WATCH_INTERVAL_MS);
  change("v3");
  timers.advance(WATCH_INTERVAL_MS);
  t.same(call.written, ["v0", "v1"], "nothing more while backed up");
  call.accepting = true;
  call.emit("drain");
  timers.advance(WATCH_INTERVAL_MS);
  t.same(call.written, ["v0", "v1", "v3"], "only the latest state, within an interval of the drain");
});

t.test("a drain without changes sends nothing", async (t) => {
  const { timers, call, change } = setup();
  call.accepting = false;
  timers.advance(WATCH_INTERVAL_MS);
  change("v1");
  call.accepting = true;
  call.emit("drain");
  timers.advance(WATCH_INTERVAL_MS);
  t.same(call.written, ["v0", "v1"]);
});

t.test("endWatches ends the stream and stops listening to the source", async (t) => {
  const { timers, source, handlers, call, change } = setup();
  handlers.endWatches();
  t.ok(call.ended);
  t.equal(source.subscriberCount, 0);
  change("v1");
  timers.advance(WATCH_INTERVAL_MS);
  t.same(call.written, ["v0"]);
});

t.test("a cancelled call stops listening without ending the stream itself", async (t) => {
  const { source, handlers, call } = setup();
  call.emit("cancelled");
  t.equal(source.subscriberCount, 0);
  handlers.endWatches();
  t.notOk(call.ended, "a cancelled call is not ended again");
});
