// What every command needs from the shell around it: the process I/O, the
// palette and a connection to the daemon picked by --socket.
import { type Command, Option } from "commander";
import { DaemonClient } from "./daemon.js";
import type { CliIO } from "./io.js";
import { colorPalette, plainPalette, shouldColor } from "./render/color.js";
import type { RenderContext } from "./render/context.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./render/document.js";

export class CommandContext {
  constructor(readonly io: CliIO) {}

  get stdoutIsTTY(): boolean {
    return this.io.stdout.isTTY === true;
  }

  renderContext(): RenderContext {
    const palette = shouldColor(this.stdoutIsTTY, this.io.env) ? colorPalette : plainPalette;
    return { now: this.io.now(), palette };
  }

  print(text: string): void {
    this.io.stdout.write(text);
  }

  /** Connects to the daemon named by the global --socket option, runs `use`, then disconnects. */
  async withDaemon<T>(command: Command, use: (client: DaemonClient) => Promise<T>): Promise<T> {
    const { socket } = command.optsWithGlobals<{ socket: string }>();
    const client = await DaemonClient.connect(socket);
    try {
      return await use(client);
    } finally {
      client.close();
    }
  }
}

export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("table");
}

export type OutputOptions = { output: OutputFormat };
