import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { confirm } from "../io.js";

export const LEAVE_QUESTION =
  "Delete this node's affiliate from the discovery service and tear down the mesh?";

export function registerLeave(program: Command, ctx: CommandContext): void {
  program
    .command("leave")
    .description("delete this node's affiliate from the discovery service and tear down the mesh")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (options: { yes?: boolean }, command: Command) => {
      if (!options.yes && !ctx.io.stdin.isTTY) {
        throw new UsageError("refusing to leave without confirmation: stdin is not a terminal; pass --yes");
      }
      // Connect before asking, so nobody confirms only to learn the daemon is not running.
      await ctx.withDaemon(command, async (client) => {
        if (!options.yes && !(await confirm(ctx.io, LEAVE_QUESTION))) throw new CliError("leave cancelled");
        await client.leave();
      });
      ctx.print("Left the cluster: affiliate deleted from the discovery service and mesh torn down.\n");
    });
}
