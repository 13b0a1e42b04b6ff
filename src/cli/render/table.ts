// kubectl-style tables: upper-case headers, columns separated by two spaces,
// no borders, no trailing whitespace.
import { visibleWidth } from "./color.js";

export const EMPTY_CELL = "-";

export function cell(text: string | undefined): string {
  return text ? text : EMPTY_CELL;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((text, column) => text + " ".repeat((widths[column] ?? 0) - visibleWidth(text)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join("");
}

/** "Key:  value" lines with the values aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${cell(value)}\n`).join("");
}
