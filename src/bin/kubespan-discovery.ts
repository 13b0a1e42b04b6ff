#!/usr/bin/env node
// kubespan-discovery: the self-hosted discovery service. Runs until SIGTERM
// or SIGINT, then stops accepting, ends Watch streams with status OK, saves
// the state file and exits 0.
import type { Command } from "commander";
import pino from "pino";
import { flagsToOptions, serverCommand } from "../server/flags.js";
import { startServer } from "../server/server.js";
import { VERSION } from "../version.js";

// Annotated so that program.error() is known to end the process.
const program: Command = serverCommand().version(VERSION);
program.parse();

let parsed: ReturnType<typeof flagsToOptions>;
try {
  parsed = flagsToOptions(program.opts());
} catch (err) {
  program.error(`error: ${(err as Error).message}`, { exitCode: 2 });
}

const logger = pino({ name: "kubespan-discovery", level: parsed.debug ? "debug" : "info" });

try {
  const server = await startServer({ ...parsed.options, logger });
  logger.info({ version: VERSION }, "kubespan-discovery started");
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down");
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
} catch (err) {
  logger.fatal({ err: (err as Error).message }, "kubespan-discovery failed to start");
  process.exit(1);
}
