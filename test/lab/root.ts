// The repository root, whether this runs from the sources or from dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json")) || dir.endsWith("/dist")) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("package.json not found above the lab");
    dir = parent;
  }
  return dir;
}
