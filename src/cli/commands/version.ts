import type { Command } from "commander";
import { VERSION } from "../../version.js";
import type { CommandContext } from "../context.js";

export function registerVersion(program: Command, ctx: CommandContext): void {
  program
    .command("version")
    .description("print the kubespanctl version and, when it is reachable, the kubespand version")
    .option("--client", "print only the kubespanctl version")
    .action(async (options: { client?: boolean }, command: Command) => {
      ctx.print(`kubespanctl ${VERSION}\n`);
      if (options.client) return;
      const status = await ctx.withDaemon(command, (client) => client.status());
      ctx.print(`kubespand ${status.version || "(version not reported)"}\n`);
    });
}
