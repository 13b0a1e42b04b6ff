// A lab for one benchmark run (or one round of it): what the body registers
// on `target` is torn down afterwards in reverse order, also when it throws.
import { Lab, type TeardownTarget } from "../test/lab/netns.js";

export async function withBenchLab<T>(body: (lab: Lab, target: TeardownTarget) => Promise<T>): Promise<T> {
  const teardowns: Array<() => unknown> = [];
  const target: TeardownTarget = { teardown: (fn) => teardowns.push(fn) };
  const lab = Lab.create(target);
  try {
    return await body(lab, target);
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
}

/** Rounded to one or two decimals, for the JSON results. */
export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round2 = (x: number): number => Math.round(x * 100) / 100;
