// Configuration text → Config. Deterministic: the only inputs besides the
// text are the hostname and a reader for clusterSecretFile, both injected.
import { LineCounter, parseDocument } from "yaml";
import { buildConfig, defaultNodeName } from "./build.js";
import { crossFieldIssues, type ReadTextFile, resolveClusterSecret } from "./cross-checks.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { FORMATS } from "./formats.js";
import type { Config, RawConfig } from "./types.js";
import { validateSchemaIssues } from "./validate.js";

export interface ConfigEnv {
  /** The machine's hostname; the default node name derives from it. */
  readonly hostname: string;
  /** Reads the file named by clusterSecretFile. */
  readonly readFile: ReadTextFile;
}

/** Parses and validates configuration text. Throws ConfigError listing every problem found. */
export function parseConfig(text: string, sourceName: string, env: ConfigEnv): Config {
  const data = parseYAML(text, sourceName);
  const schemaIssues = validateSchemaIssues(data);
  // Cross-field checks need the shape the schema guarantees.
  if (schemaIssues.length > 0) throw new ConfigError(sourceName, schemaIssues);
  const raw = data as RawConfig;

  const issues = crossFieldIssues(raw);
  const secret = resolveClusterSecret(raw, env.readFile);
  if ("issue" in secret) issues.unshift(secret.issue);
  const nodename = raw.node.nodename ?? defaultNodeName(env.hostname);
  const nodenameProblem = FORMATS["node-name"]?.(nodename);
  if (raw.node.nodename === undefined && nodenameProblem) {
    issues.push({
      path: "node.nodename",
      message: `is not set and the default derived from the hostname ${nodenameProblem}; set it explicitly`,
    });
  }
  if (issues.length > 0 || !("secret" in secret)) throw new ConfigError(sourceName, issues);
  return buildConfig(raw, secret.secret, nodename);
}

function parseYAML(text: string, sourceName: string): unknown {
  const lineCounter = new LineCounter();
  // stringKeys: a mapping key that is a list or a map is an error, not "[object Object]".
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, stringKeys: true, lineCounter });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new ConfigError(
      sourceName,
      problems.map((problem): ConfigIssue => {
        const { line, col } = lineCounter.linePos(problem.pos[0]);
        return { path: "", line, column: col, message: `YAML: ${sanitizeYAMLMessage(problem.message)}` };
      }),
    );
  }
  if (doc.contents === null) {
    throwConfig(
      sourceName,
      "must be a YAML mapping with clusterID, clusterSecret and discovery, found no content",
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Unresolved or excessive aliases are only detected here.
    throwConfig(sourceName, `YAML: ${sanitizeYAMLMessage((err as Error).message)}`);
  }
}

function throwConfig(sourceName: string, message: string): never {
  throw new ConfigError(sourceName, [{ path: "", message }]);
}

// A few yaml messages quote the offending source after ": " (a block scalar
// header, an alias name). That source could be the cluster secret, so the
// quoted part is dropped: line and column already point at it.
function sanitizeYAMLMessage(message: string): string {
  return message.replace(/:\s[\s\S]*$/, "").replace(/^Invalid escape sequence.*$/, "Invalid escape sequence");
}
