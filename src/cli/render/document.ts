// Machine-readable output: the generated messages' JSON form (fields at their
// default value are omitted, as in proto3's canonical JSON), as JSON or YAML.
import { stringify } from "yaml";

export type OutputFormat = "table" | "json" | "yaml";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "json", "yaml"];

/**
 * One document. With `stream` (watch mode) JSON is one compact document per
 * line and YAML documents start with "---", so a consumer can split them.
 */
export function renderDocument(json: unknown, format: "json" | "yaml", stream: boolean): string {
  if (format === "json") return `${JSON.stringify(json, null, stream ? undefined : 2)}\n`;
  return `${stream ? "---\n" : ""}${stringify(json)}`;
}
