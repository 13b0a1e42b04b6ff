// kubespanctl: builds the command tree and turns every outcome into an exit
// code (0 ok, 1 failure, 2 usage). The commands themselves stay thin: fetch
// from the daemon, hand the data to a pure renderer, print.
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "../version.js";
import { registerCompletion } from "./commands/completion.js";
import { registerGet } from "./commands/get.js";
import { registerLeave } from "./commands/leave.js";
import { registerStatus } from "./commands/status.js";
import { registerVersion } from "./commands/version.js";
import { CommandContext } from "./context.js";
import { DEFAULT_SOCKET_PATH } from "./daemon.js";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./errors.js";
import type { CliIO } from "./io.js";

export function buildProgram(io: CliIO): Command {
  const ctx = new CommandContext(io);
  const program = new Command("kubespanctl")
    .description("inspect and control the local kubespand (KubeSpan for any Linux machine)")
    .version(VERSION, "-V, --version", "print the kubespanctl version")
    .addOption(
      new Option("--socket <path>", "kubespand API socket (env KUBESPAN_SOCKET)").default(
        io.env.KUBESPAN_SOCKET || DEFAULT_SOCKET_PATH,
      ),
    )
    // Settings below are copied to every subcommand created after them.
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerStatus(program, ctx);
  registerGet(program, ctx);
  registerLeave(program, ctx);
  registerVersion(program, ctx);
  registerCompletion(program, ctx);
  return program;
}

/** Runs kubespanctl with `argv` (arguments only, no node or script path); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (err) {
    // Commander already printed its message; --help and --version end with exit code 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (err instanceof CliError) {
      io.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
