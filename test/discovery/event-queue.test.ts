import t from "tap";
import { EventQueue } from "../../src/discovery/event-queue.js";

t.test("next returns pushed items in order, waiting when empty", async (t) => {
  const q = new EventQueue<number>();
  q.push(1);
  t.equal(await q.next(), 1);
  setTimeout(() => q.push(2), 5);
  t.equal(await q.next(), 2);
});

t.test("nextWithin takes only a matching item and keeps the others in order", async (t) => {
  const q = new EventQueue<string>();
  q.push("a");
  q.push("stop");
  q.push("b");
  t.equal(await q.nextWithin(10, (x) => x === "stop"), "stop");
  t.equal(await q.next(), "a");
  t.equal(await q.next(), "b");
});

t.test("nextWithin times out with undefined and still sees later matches", async (t) => {
  const q = new EventQueue<string>();
  q.push("noise");
  t.equal(await q.nextWithin(5, (x) => x === "stop"), undefined);
  setTimeout(() => q.push("stop"), 5);
  t.equal(await q.nextWithin(1000, (x) => x === "stop"), "stop");
  t.equal(await q.next(), "noise");
});
