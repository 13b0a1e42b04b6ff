import { Argument, type Command } from "commander";
import { bashCompletion } from "../completion/bash.js";
import { completionTree } from "../completion/tree.js";
import { zshCompletion } from "../completion/zsh.js";
import type { CommandContext } from "../context.js";

const GENERATORS = { bash: bashCompletion, zsh: zshCompletion };

export function registerCompletion(program: Command, ctx: CommandContext): void {
  program
    .command("completion")
    .description("print a shell completion script (e.g. source <(kubespanctl completion bash))")
    .addArgument(new Argument("<shell>", "target shell").choices(Object.keys(GENERATORS)))
    .action((shell: keyof typeof GENERATORS) => {
      ctx.print(GENERATORS[shell](completionTree(program)));
    });
}
