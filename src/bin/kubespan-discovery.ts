#!/usr/bin/env node
import { Command } from "commander";
import { VERSION } from "../version.js";

// Placeholder until the daemon lands: it only documents itself.
new Command("kubespan-discovery")
  .description(
    "clean-room Talos-compatible discovery server (not implemented yet in this build: only --help and --version work)",
  )
  .version(VERSION)
  .action(function (this: Command) {
    this.help({ error: true });
  })
  .parse();
