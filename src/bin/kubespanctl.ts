#!/usr/bin/env node
import { runCli } from "../cli/main.js";

const interrupted = new AbortController();
// The first Ctrl-C stops a --watch cleanly (exit 0); a second one kills the process.
process.once("SIGINT", () => {
  interrupted.abort();
  process.once("SIGINT", () => process.exit(130));
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  now: () => Date.now(),
  signal: interrupted.signal,
});
