import t from "tap";
import { Throttle } from "../../src/api/throttle.js";
import { ManualTimers } from "./manual-timers.js";

function setup() {
  const timers = new ManualTimers();
  const fired: number[] = [];
  const throttle = new Throttle(() => fired.push(timers.now()), 250, timers);
  return { timers, fired, throttle };
}

t.test("the first trigger fires at once", async (t) => {
  const { fired, throttle } = setup();
  throttle.trigger();
  t.same(fired, [0]);
});

t.test("a burst inside the interval collapses into one call at its end", async (t) => {
  const { timers, fired, throttle } = setup();
  throttle.trigger();
  timers.advance(10);
  for (let i = 0; i < 100; i++) throttle.trigger();
  t.same(fired, [0], "nothing more before the interval ends");
  t.equal(timers.scheduled, 1, "one call is scheduled for the whole burst");
  timers.advance(240);
  t.same(fired, [0, 250]);
});

t.test("a steady stream of changes fires at most once per interval", async (t) => {
  const { timers, fired, throttle } = setup();
  for (let ms = 0; ms < 1000; ms += 10) {
    throttle.trigger();
    timers.advance(10);
  }
  // Triggers stop at 990 ms; the last burst's call lands at the end of its interval.
  t.same(fired, [0, 250, 500, 750, 1000]);
});

t.test("a lone change after a quiet period fires immediately", async (t) => {
  const { timers, fired, throttle } = setup();
  throttle.trigger();
  timers.advance(5_000);
  throttle.trigger();
  t.same(fired, [0, 5_000]);
});

t.test("stop drops the pending call and ignores later triggers", async (t) => {
  const { timers, fired, throttle } = setup();
  throttle.trigger();
  throttle.trigger();
  throttle.stop();
  t.equal(timers.scheduled, 0);
  timers.advance(1_000);
  throttle.trigger();
  t.same(fired, [0]);
});
