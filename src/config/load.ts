// Reads the configuration file from disk. The file system and hostname are
// injectable so that tests and the SIGHUP reload path share one code path.
import { readFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import type { ReadTextFile } from "./cross-checks.js";
import { ConfigError } from "./errors.js";
import { parseConfig } from "./parse.js";
import type { Config } from "./types.js";

export const DEFAULT_CONFIG_PATH = "/etc/kubespan/config.yaml";

export interface LoadOptions {
  readonly readFile?: ReadTextFile;
  readonly hostname?: string;
}

/** Loads and validates `path`. Throws ConfigError naming the file and every problem. */
export function loadConfig(path: string, options: LoadOptions = {}): Config {
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(path, [{ path: "", message: `cannot read the configuration file (${reason})` }]);
  }
  return parseConfig(text, path, { hostname: options.hostname ?? osHostname(), readFile });
}
