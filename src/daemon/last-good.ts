// The endpoint each peer last handshook from, kept across restarts so a
// restarted daemon dials the path that worked first (kubespan-node §14).
// A missing or corrupt file only costs that head start: it is reported and
// replaced, never fatal.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Endpoint } from "../net/ip.js";
import { replaceFileAtomically } from "../util/atomic-file.js";

export const LAST_GOOD_FILE = "last-good-endpoints.json";

export function parseLastGood(text: string): Map<string, Endpoint> {
  const data: unknown = JSON.parse(text);
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new Error("expected a JSON object");
  const out = new Map<string, Endpoint>();
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string") continue;
    try {
      out.set(key, Endpoint.parse(value));
    } catch {
      // one bad entry loses only that entry
    }
  }
  return out;
}

export function formatLastGood(map: ReadonlyMap<string, Endpoint>): string {
  const sorted = [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify(Object.fromEntries(sorted.map(([k, v]) => [k, v.toString()])), null, 2)}\n`;
}

export class LastGoodStore {
  private saved = "";

  constructor(
    private readonly stateDir: string,
    private readonly warn: (message: string) => void,
  ) {}

  get path(): string {
    return join(this.stateDir, LAST_GOOD_FILE);
  }

  async load(): Promise<Map<string, Endpoint>> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        this.warn(`cannot read ${this.path}: ${String(err)}`);
      return new Map();
    }
    try {
      const map = parseLastGood(text);
      this.saved = formatLastGood(map);
      return map;
    } catch (err) {
      this.warn(`ignoring corrupt ${this.path}: ${(err as Error).message}`);
      return new Map();
    }
  }

  /** Writes only when the content changed. */
  async save(map: ReadonlyMap<string, Endpoint>): Promise<void> {
    const text = formatLastGood(map);
    if (text === this.saved) return;
    await replaceFileAtomically(this.path, text, 0o600);
    this.saved = text;
  }
}
