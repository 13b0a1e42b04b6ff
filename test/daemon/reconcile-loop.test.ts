import t from "tap";
import { ReconcileLoop } from "../../src/daemon/reconcile-loop.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test("bursts of triggers coalesce and passes never overlap", async (t) => {
  let active = 0;
  let maxActive = 0;
  let passes = 0;
  const loop = new ReconcileLoop(
    async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      passes++;
      // A burst arriving during a pass queues exactly one rerun.
      if (passes === 1) for (let i = 0; i < 50; i++) loop.trigger();
      await sleep(30);
      active--;
      return undefined;
    },
    { slowTickMs: 60_000, debounceMs: 5 },
  );
  t.teardown(() => loop.stop());
  for (let i = 0; i < 50; i++) loop.trigger();
  await sleep(200);
  t.equal(maxActive, 1, "never two passes at once");
  t.equal(passes, 2, "one pass for the first burst, one queued rerun for the second");
});

t.test("an isolated trigger runs at once; one right after a pass waits out the debounce", async (t) => {
  const DEBOUNCE = 1_500;
  const starts: number[] = [];
  const loop = new ReconcileLoop(
    async () => {
      starts.push(Date.now());
      return undefined;
    },
    { slowTickMs: 60_000, debounceMs: DEBOUNCE },
  );
  t.teardown(() => loop.stop());
  const first = Date.now();
  loop.trigger();
  while (starts.length === 0 && Date.now() - first < DEBOUNCE) await sleep(10);
  t.equal(starts.length, 1, `the first pass ran before the debounce interval (${starts[0]! - first} ms)`);
  loop.trigger();
  await sleep(200);
  t.equal(starts.length, 1, "a trigger right after a pass is held back");
  while (starts.length === 1 && Date.now() - first < 4 * DEBOUNCE) await sleep(10);
  t.equal(starts.length, 2, "and runs once the interval is over");
  // Timers run on a monotonic clock, Date.now() on the wall clock: they may disagree by a millisecond.
  t.ok(starts[1]! - starts[0]! >= DEBOUNCE - 2, `${starts[1]! - starts[0]!} ms after the first start`);
});

t.test("a pass can ask to be called again early (fast polling)", async (t) => {
  let passes = 0;
  const loop = new ReconcileLoop(
    async () => {
      passes++;
      return passes < 4 ? Date.now() + 10 : undefined;
    },
    { slowTickMs: 60_000, debounceMs: 0 },
  );
  t.teardown(() => loop.stop());
  loop.trigger();
  await sleep(200);
  t.equal(passes, 4, "polled until the pass stopped asking, then waits for the slow tick");
});

t.test("failures are retried with backoff and shown in status", async (t) => {
  let calls = 0;
  const seen: string[] = [];
  const loop = new ReconcileLoop(
    async () => {
      calls++;
      if (calls < 3) throw new Error(`boom ${calls}`);
      return undefined;
    },
    {
      slowTickMs: 60_000,
      debounceMs: 0,
      minRetryMs: 10,
      maxRetryMs: 20,
      onError: () => seen.push(`${loop.status().lastError}/${loop.status().consecutiveFailures}`),
    },
  );
  t.teardown(() => loop.stop());
  loop.trigger();
  await sleep(150);
  t.equal(calls, 3);
  t.same(seen, ["boom 1/1", "boom 2/2"], "each failure is visible in status while it lasts");
  t.equal(loop.status().lastError, "", "cleared after a successful pass");
  t.equal(loop.status().consecutiveFailures, 0);
});

t.test("runNow waits for the pass; stop prevents further passes", async (t) => {
  let passes = 0;
  const loop = new ReconcileLoop(
    async () => {
      passes++;
      await sleep(10);
      return Date.now() + 5;
    },
    { debounceMs: 50 },
  );
  await loop.runNow();
  t.equal(passes, 1);
  await loop.stop();
  await sleep(50);
  t.equal(passes, 1, "no pass after stop");
});
