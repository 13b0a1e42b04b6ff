// Configuration errors: one line per problem, each naming the file, the
// place (a field path such as `kubespan.mtu`, or line:column for YAML
// syntax), what was expected and what was found.

export interface ConfigIssue {
  /** Field path (`discovery.endpoints[0]`); "" for the file as a whole. */
  readonly path: string;
  /** "must …, found …" */
  readonly message: string;
  /** 1-based position, for YAML syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";

  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(issues.map((issue) => formatIssue(source, issue)).join("\n"));
  }
}

export function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}:${issue.column ?? 1}`;
  return issue.path === "" ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** `/discovery/endpoints/0` → `discovery.endpoints[0]` */
export function pointerToPath(pointer: string): string {
  let path = "";
  for (const raw of pointer.split("/").slice(1)) path = childPath(path, unescapePointer(raw));
  return path;
}

export function childPath(parent: string, key: string): string {
  if (/^\d+$/.test(key)) return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** How a found value is shown: scalars as written, collections by kind, secrets by kind only. */
export function describeValue(value: unknown, secret: boolean): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (Buffer.isBuffer(value)) return "binary data";
  if (typeof value === "object") return "a mapping";
  if (secret) return typeof value === "string" ? "a string" : `a ${typeof value}`;
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
