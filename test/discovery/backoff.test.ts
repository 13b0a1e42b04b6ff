import t from "tap";
import { Backoff } from "../../src/discovery/backoff.js";

t.test("first wait is 0.25–0.75 s and the interval grows by 1.5 up to 60 s", async (t) => {
  const low = new Backoff({ random: () => 0 });
  const high = new Backoff({ random: () => 0.999999 });
  t.equal(low.next(), 250);
  t.equal(high.next(), 750);
  t.equal(low.next(), 375, "second interval is 750 ms ± 50 %");
  const waits: number[] = [];
  for (let i = 0; i < 30; i++) waits.push(low.next());
  t.equal(waits.at(-1), 30_000, "capped at 60 s, minus the 50 % randomisation");
});

t.test("reset starts over", async (t) => {
  const b = new Backoff({ random: () => 0.5 });
  b.next();
  b.next();
  b.next();
  b.reset();
  t.equal(b.next(), 500);
});
