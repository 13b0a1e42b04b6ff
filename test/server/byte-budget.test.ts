// The shared budget for snapshot bytes in flight.
import t from "tap";
import { ByteBudget } from "../../src/server/byte-budget.js";

t.test("requests start at once while they fit, then in arrival order", async (t) => {
  const budget = new ByteBudget(100);
  const started: string[] = [];
  budget.acquire(60, () => started.push("a"));
  budget.acquire(30, () => started.push("b"));
  budget.acquire(50, () => started.push("c"));
  budget.acquire(5, () => started.push("d"));
  t.same(started, ["a", "b"], "d waits behind c even though it would fit");
  t.equal(budget.inUse, 90);
  budget.release(60);
  t.same(started, ["a", "b", "c", "d"]);
  t.equal(budget.inUse, 85);
});

t.test("a request larger than the budget runs alone", async (t) => {
  const budget = new ByteBudget(10);
  const started: string[] = [];
  budget.acquire(5, () => started.push("small"));
  budget.acquire(50, () => started.push("huge"));
  t.same(started, ["small"]);
  budget.release(5);
  t.same(started, ["small", "huge"]);
});

t.test("a withdrawn request never starts and does not block others", async (t) => {
  const budget = new ByteBudget(10);
  const started: string[] = [];
  budget.acquire(10, () => started.push("a"));
  const withdraw = budget.acquire(10, () => started.push("b"));
  budget.acquire(10, () => started.push("c"));
  withdraw();
  budget.release(10);
  t.same(started, ["a", "c"]);
});
