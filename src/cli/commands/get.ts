import { Argument, type Command, InvalidArgumentError } from "commander";
import { type CommandContext, type OutputOptions, outputOption } from "../context.js";
import type { DaemonClient } from "../daemon.js";
import { UsageError } from "../errors.js";
import { renderDocument } from "../render/document.js";
import {
  type Fetched,
  fetchResource,
  RESOURCE_KINDS,
  type ResourceKind,
  resolveResource,
} from "../resources.js";

interface GetOptions extends OutputOptions {
  raw?: boolean;
  watch?: boolean;
}

const CLEAR_SCREEN = "\x1b[2J\x1b[H";

function parseResource(name: string): ResourceKind {
  const kind = resolveResource(name);
  if (!kind) throw new InvalidArgumentError(`Known resources: ${RESOURCE_KINDS.join(", ")}.`);
  return kind;
}

function render(ctx: CommandContext, fetched: Fetched, options: GetOptions, streaming: boolean): string {
  if (options.output === "table") return fetched.table(ctx.renderContext());
  return renderDocument(fetched.json, options.output, streaming);
}

/** Re-renders after every change; identical consecutive results are printed once. */
async function watch(client: DaemonClient, ctx: CommandContext, kind: ResourceKind, options: GetOptions) {
  let previous: string | undefined;
  for await (const _change of client.watch(ctx.io.signal)) {
    const fetched = await fetchResource(client, kind, options.raw === true);
    const key = JSON.stringify(fetched.json);
    if (key === previous) continue;
    previous = key;
    if (options.output !== "table") {
      ctx.print(render(ctx, fetched, options, true));
      continue;
    }
    const clear = ctx.stdoutIsTTY ? CLEAR_SCREEN : "";
    const header = `[${new Date(ctx.io.now()).toISOString()}] kubespanctl get ${kind}\n`;
    ctx.print(`${clear}${header}${render(ctx, fetched, options, true)}\n`);
  }
}

export function registerGet(program: Command, ctx: CommandContext): void {
  program
    .command("get")
    .description("list a resource: identity, affiliates, members, peers, peerspecs or endpoints")
    // The choices are the canonical names (for help and shell completion); the
    // parser also accepts singular, plural and Talos spellings.
    .addArgument(new Argument("<resource>", "what to list").choices(RESOURCE_KINDS).argParser(parseResource))
    .addOption(outputOption())
    .option("--raw", "affiliates only: the per-registry records instead of the merged ones")
    .option("-w, --watch", "keep printing after every change until interrupted")
    .action(async (kind: ResourceKind, options: GetOptions, command: Command) => {
      if (options.raw && kind !== "affiliates") throw new UsageError("--raw applies to affiliates only");
      await ctx.withDaemon(command, async (client) => {
        if (options.watch) await watch(client, ctx, kind, options);
        else ctx.print(render(ctx, await fetchResource(client, kind, options.raw === true), options, false));
      });
    });
}
