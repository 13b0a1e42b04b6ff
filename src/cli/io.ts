// The CLI's view of the process, injected so commands run in tests without
// touching the real terminal, environment or clock.
import { createInterface } from "node:readline/promises";

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  env: Record<string, string | undefined>;
  now(): number;
  /** Aborted on Ctrl-C: long-running commands (--watch) stop cleanly. */
  signal: AbortSignal;
}

/** Asks a yes/no question on stderr; only "y" or "yes" (any case) agree. */
export async function confirm(io: CliIO, question: string): Promise<boolean> {
  const rl = createInterface({
    input: io.stdin,
    output: io.stderr as NodeJS.WritableStream,
    terminal: false,
  });
  // A pending question never settles if input ends first (Ctrl-D): that, or Ctrl-C, means "no".
  const inputEnded = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  try {
    const answer = await Promise.race([rl.question(`${question} [y/N] `, { signal: io.signal }), inputEnded]);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
