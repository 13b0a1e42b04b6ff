// Schema validation with ajv, and translation of ajv's errors into issues a
// person can act on ("kubespan.mtu: must be >= 1280, found 1200").
import { Ajv, type ErrorObject } from "ajv";
import { type ConfigIssue, childPath, describeValue, pointerToPath } from "./errors.js";
import { FORMATS } from "./formats.js";
import { CONFIG_SCHEMA, SECRET_PATHS } from "./schema.js";
import { closestMatch } from "./suggest.js";
import type { RawConfig } from "./types.js";

const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  coerceTypes: false, // "1420" is not a number, yes is not a boolean
  allowUnionTypes: true,
  verbose: true, // errors carry the offending data and their schema
  strict: true,
});
for (const [name, check] of Object.entries(FORMATS)) {
  ajv.addFormat(name, { type: "string", validate: (value: string) => check(value) === undefined });
}
const validateSchema = ajv.compile<RawConfig>(CONFIG_SCHEMA);

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

/**
 * Validates `data` in place: defaults are filled in, so on success `data`
 * is the RawConfig. Returns the issues, in schema order.
 */
export function validateSchemaIssues(data: unknown): ConfigIssue[] {
  if (validateSchema(data)) return [];
  const errors = validateSchema.errors ?? [];
  // A value of the wrong type also fails its other keywords (enum, format);
  // the type error alone says what is wrong.
  const wrongType = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === "type" || !wrongType.has(e.instancePath)).map(toIssue);
}

function toIssue(error: ErrorObject): ConfigIssue {
  const path = pointerToPath(error.instancePath);
  const found = describeValue(error.data, SECRET_PATHS.has(path));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: childPath(path, String(params.missingProperty)), message: "is required, found nothing" };
    case "additionalProperties":
      return unknownOption(path, String(params.additionalProperty), error.parentSchema);
    case "type": {
      const types = [params.type].flat().map((t) => TYPE_NAMES[String(t)] ?? String(t));
      // `clusterID: 123` is a number in YAML; free-form strings only need quotes.
      const freeForm = params.type === "string" && !("format" in (error.parentSchema ?? {}));
      const quoteHint = freeForm && isScalar(error.data) ? " (put it in quotes)" : "";
      return { path, message: `must be ${types.join(" or ")}, found ${found}${quoteHint}` };
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof error.data === "string" ? closestMatch(error.data, allowed) : undefined;
      const hint = guess ? ` (did you mean "${guess}"?)` : "";
      return { path, message: `must be one of ${allowed.join(", ")}, found ${found}${hint}` };
    }
    case "format":
      return { path, message: FORMATS[String(params.format)]?.(String(error.data)) ?? `${error.message}` };
    case "minItems":
      return { path, message: `must list at least ${params.limit} entry, found ${found}` };
    case "minLength":
      return { path, message: "must not be empty" };
    default:
      return { path, message: `${error.message}, found ${found}` };
  }
}

function unknownOption(parent: string, key: string, parentSchema: unknown): ConfigIssue {
  const known = Object.keys((parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const guess = closestMatch(key, known);
  const hint = guess ? `, did you mean "${childPath(parent, guess)}"?` : "";
  return { path: childPath(parent, key), message: `unknown option${hint}` };
}

function isScalar(value: unknown): boolean {
  return typeof value === "number" || typeof value === "boolean";
}
