// Writes bench/results/<name>.json with the machine, date and commit beside the figures.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../test/lab/root.js";

export async function writeResult(name: string, body: Record<string, unknown>): Promise<void> {
  const dir = join(projectRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  const result = {
    benchmark: name,
    date: new Date().toISOString(),
    commit: run("git", ["-C", projectRoot(), "rev-parse", "HEAD"]),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cpus: cpus().length,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      kernel: readFileSync("/proc/sys/kernel/osrelease", "utf8").trim(),
      node: process.version,
    },
    ...body,
  };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
