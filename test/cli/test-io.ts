// An in-memory CliIO: captured stdout/stderr, a scripted stdin, a fixed clock
// and an abort controller standing in for Ctrl-C.
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import type { CliIO } from "../../src/cli/io.js";
import { FIXTURE_NOW } from "./fixtures.js";

export class Capture extends EventEmitter<{ write: [] }> {
  text = "";
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(chunk: string): boolean {
    this.text += chunk;
    this.emit("write");
    return true;
  }
  /** Resolves once the captured text satisfies `predicate`. */
  waitFor(predicate: (text: string) => boolean): Promise<void> {
    return new Promise((done) => {
      const check = () => {
        if (!predicate(this.text)) return;
        this.off("write", check);
        done();
      };
      this.on("write", check);
      check();
    });
  }
}

export interface TestIO {
  io: CliIO;
  stdout: Capture;
  stderr: Capture;
  stdin: PassThrough & { isTTY?: boolean };
  interrupt(): void;
}

export function testIO(
  options: { env?: Record<string, string>; tty?: boolean; input?: string } = {},
): TestIO {
  const stdout = new Capture(options.tty === true);
  const stderr = new Capture(options.tty === true);
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  stdin.isTTY = options.tty === true;
  if (options.input !== undefined) stdin.end(options.input);
  const controller = new AbortController();
  return {
    io: { stdout, stderr, stdin, env: options.env ?? {}, now: () => FIXTURE_NOW, signal: controller.signal },
    stdout,
    stderr,
    stdin,
    interrupt: () => controller.abort(),
  };
}
