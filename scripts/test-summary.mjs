#!/usr/bin/env node
// One plain closing line for the last `tap` run, counted per test file from
// the TAP streams tap keeps in .tap/test-results.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith(".tap")
        ? [join(dir, entry.name)]
        : [],
  );
}

let passed = 0;
let failed = 0;
for (const file of files(".tap/test-results")) {
  if (/^\s*not ok /m.test(readFileSync(file, "utf8"))) failed++;
  else passed++;
}
console.log(`test files: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
