// `npm run bench [-- name...]`: runs the benchmarks one after another, each in
// its own process (they measure RSS and CPU, and some need root and network
// namespaces). Every benchmark writes bench/results/<name>.json.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BENCHMARKS = [
  "host-apply",
  "server-fanout",
  "convergence",
  "first-handshake",
  "failover",
  "propagation",
  "footprint",
] as const;

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; available: ${BENCHMARKS.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : BENCHMARKS) {
  console.log(`=== ${name}`);
  const result = spawnSync(process.execPath, [join(import.meta.dirname, `${name}.js`)], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
