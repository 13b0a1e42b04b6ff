#!/usr/bin/env node
import { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/index.js";
import { main } from "../daemon/main.js";
import { VERSION } from "../version.js";

const program = new Command("kubespand")
  .description("kubespan-node mesh daemon: joins a Talos-compatible KubeSpan WireGuard mesh")
  .version(VERSION)
  .option("-c, --config <path>", "configuration file", DEFAULT_CONFIG_PATH)
  .option("--check-config", "validate the configuration file and exit", false)
  .option("--cleanup-on-exit", "remove the interface, routes, rules and nftables table on stop", false)
  .option("--log-level <level>", "override log.level from the configuration")
  .parse();

const opts = program.opts<{
  config: string;
  checkConfig: boolean;
  cleanupOnExit: boolean;
  logLevel?: string;
}>();
process.exitCode = await main({
  configPath: opts.config,
  checkConfig: opts.checkConfig,
  cleanupOnExit: opts.cleanupOnExit,
  logLevel: opts.logLevel,
});
process.exit();
