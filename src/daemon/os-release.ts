// The operating-system string peers see (`talosctl get members` shows it):
// `<PRETTY_NAME> (kubespan-node <version>)`.
import { readFileSync } from "node:fs";
import { VERSION } from "../version.js";

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    out[m[1]] = (m[2] ?? "").replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

export function operatingSystemString(osRelease: string | undefined, version = VERSION): string {
  const pretty = osRelease ? parseOsRelease(osRelease)["PRETTY_NAME"] : undefined;
  return `${pretty || "Linux"} (kubespan-node v${version})`;
}

export function readOperatingSystem(): string {
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    try {
      return operatingSystemString(readFileSync(path, "utf8"));
    } catch {
      // try the next location
    }
  }
  return operatingSystemString(undefined);
}
