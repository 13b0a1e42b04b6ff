#!/usr/bin/env node
import { Command } from "commander";
import { VERSION } from "../version.js";

// Placeholder until the daemon lands: it only documents itself.
new Command("kubespand")
  .description(
    "the kubespan-node mesh daemon (not implemented yet in this build: only --help and --version work)",
  )
  .version(VERSION)
  .action(function (this: Command) {
    this.help({ error: true });
  })
  .parse();
