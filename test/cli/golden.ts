// Golden-file comparison for rendered output. Set UPDATE_GOLDEN=1 to rewrite
// the files after an intended change, then review the diff.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Test } from "tap";

export function matchGolden(t: Test, name: string, actual: string): void {
  const file = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  if (!existsSync(file)) {
    t.fail(`golden file test/cli/golden/${name} is missing; run with UPDATE_GOLDEN=1 to create it`);
    return;
  }
  t.equal(actual, readFileSync(file, "utf8"), `output matches golden/${name}`);
}
