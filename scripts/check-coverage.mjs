#!/usr/bin/env node
// Prints line coverage of the pure core (from the last `tap` run) and fails
// when any pure-core module falls below the floor. The pure core is the code
// that decides: crypto, codec, identity, cluster logic and mesh logic.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const FLOOR = 90;
const PURE_CORE = [
  /^src\/discovery\/(crypto|codec)\.ts$/,
  /^src\/identity\//,
  /^src\/cluster\//,
  /^src\/mesh\//,
];

execFileSync("npx", ["tap", "report", "json-summary"], { stdio: ["ignore", "ignore", "inherit"] });
const summary = JSON.parse(readFileSync(".tap/report/coverage-summary.json", "utf8"));
const root = `${process.cwd()}/`;
let covered = 0;
let total = 0;
const below = [];
for (const [file, data] of Object.entries(summary)) {
  const rel = file.startsWith(root) ? file.slice(root.length) : file;
  if (!PURE_CORE.some((re) => re.test(rel))) continue;
  covered += data.lines.covered;
  total += data.lines.total;
  if (data.lines.pct < FLOOR) below.push(`${rel}: ${data.lines.pct}%`);
}
const pct = total === 0 ? 0 : (100 * covered) / total;
console.log(
  `pure-core line coverage: ${pct.toFixed(1)}% (${covered}/${total} lines, floor ${FLOOR}% per module)`,
);
if (total === 0) {
  console.error("check-coverage: no pure-core module was covered; did the tests run?");
  process.exit(1);
}
if (below.length > 0) {
  console.error(`check-coverage: below ${FLOOR}%:\n  ${below.join("\n  ")}`);
  process.exit(1);
}
