import type { Command } from "commander";
import { Status } from "../../gen/kubespan/v1/api.js";
import { type CommandContext, type OutputOptions, outputOption } from "../context.js";
import { renderDocument } from "../render/document.js";
import { renderStatus } from "../render/status.js";

export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command("status")
    .description("show this node's identity, discovery connections, WireGuard backend and peers")
    .addOption(outputOption())
    .action(async (options: OutputOptions, command: Command) => {
      const status = await ctx.withDaemon(command, (client) => client.status());
      ctx.print(
        options.output === "table"
          ? renderStatus(status, ctx.renderContext())
          : renderDocument(Status.toJSON(status), options.output, false),
      );
    });
}
