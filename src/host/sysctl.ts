// Reading and writing net.ipv4.conf.*.rp_filter for the decisions of
// rpfilter.ts. /proc/sys reflects the network namespace of this process.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RpFilterMode } from "./plan.js";
import { planRpFilter, type RpFilterState } from "./rpfilter.js";

export interface RpFilterOutcome {
  warnings: string[];
  /** What was changed, e.g. "net.ipv4.conf.eth0.rp_filter 1 → 2". */
  changes: string[];
}

export class Sysctl {
  /** `root` is /proc/sys; tests point it at a directory of their own. */
  constructor(private readonly root = "/proc/sys") {}

  async readRpFilter(): Promise<RpFilterState> {
    const names = await readdir(this.confDir());
    const interfaces: Record<string, number> = {};
    for (const name of names) {
      if (name === "all" || name === "default") continue;
      const value = await this.read(name);
      if (value !== undefined) interfaces[name] = value;
    }
    return { all: (await this.read("all")) ?? 0, interfaces };
  }

  /** Checks the link and uplinks; in "warn" mode reports, in "fix" mode writes (rpfilter.ts). */
  async checkRpFilter(
    link: string,
    uplinks: readonly string[],
    mode: RpFilterMode,
  ): Promise<RpFilterOutcome> {
    if (mode === "ignore") return { warnings: [], changes: [] };
    const plan = planRpFilter(await this.readRpFilter(), link, uplinks);
    if (mode === "warn") return { warnings: plan.problems, changes: [] };
    const changes: string[] = [];
    for (const write of plan.writes) {
      await writeFile(this.path(write.key), `${write.to}\n`);
      changes.push(`net.ipv4.conf.${write.key}.rp_filter ${write.from} → ${write.to}`);
    }
    return { warnings: [], changes };
  }

  private async read(key: string): Promise<number | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(key), "utf8");
    } catch (err) {
      // The interface went away between listing and reading.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    const value = Number(text.trim());
    return Number.isInteger(value) ? value : undefined;
  }

  private confDir(): string {
    return join(this.root, "net", "ipv4", "conf");
  }

  private path(key: string): string {
    return join(this.confDir(), key, "rp_filter");
  }
}
