// Checks that involve more than one field, or a file the configuration
// points to. They run on a RawConfig that already passed the schema.
import type { ConfigIssue } from "./errors.js";
import { clusterSecretProblem, Secret } from "./secret.js";
import type { RawConfig } from "./types.js";

export type ReadTextFile = (path: string) => string;

// Tables the kernel already uses: 253 default, 254 main, 255 local.
const RESERVED_TABLES = new Set([253, 254, 255]);

export const markValue = (mark: number | string): number => (typeof mark === "number" ? mark : Number(mark));
export const hex = (n: number): string => `0x${n.toString(16)}`;

export function crossFieldIssues(raw: RawConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ks = raw.kubespan;
  const mask = markValue(ks.markMask);
  for (const name of ["firewallMark", "routeMark"] as const) {
    const mark = markValue(ks[name]);
    if ((mark & ~mask) !== 0) {
      issues.push({
        path: `kubespan.${name}`,
        message: `must only use bits of kubespan.markMask (${hex(mask)}), found ${hex(mark)}`,
      });
    }
  }
  if (markValue(ks.firewallMark) === markValue(ks.routeMark)) {
    issues.push({
      path: "kubespan.routeMark",
      message: `must differ from kubespan.firewallMark, found ${hex(markValue(ks.routeMark))} for both`,
    });
  }
  if (RESERVED_TABLES.has(ks.table)) {
    issues.push({
      path: "kubespan.table",
      message: `must not be a kernel table (253 default, 254 main, 255 local), found ${ks.table}`,
    });
  }
  if (raw.node.apiServerPort !== undefined && raw.node.machineType === "worker") {
    issues.push({
      path: "node.apiServerPort",
      message: "is only meaningful with node.machineType controlplane or init, found machineType worker",
    });
  }
  return issues;
}

/** The cluster secret from exactly one of clusterSecret and clusterSecretFile. */
export function resolveClusterSecret(
  raw: RawConfig,
  readFile: ReadTextFile,
): { secret: Secret } | { issue: ConfigIssue } {
  const { clusterSecret, clusterSecretFile } = raw;
  if (clusterSecret !== undefined && clusterSecretFile !== undefined) {
    return {
      issue: {
        path: "clusterSecretFile",
        message: "must not be set together with clusterSecret, found both",
      },
    };
  }
  if (clusterSecret !== undefined) return { secret: Secret.fromClusterSecretText(clusterSecret) };
  if (clusterSecretFile === undefined) {
    return { issue: { path: "clusterSecret", message: "is required (or clusterSecretFile), found nothing" } };
  }
  let content: string;
  try {
    content = readFile(clusterSecretFile).trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { issue: { path: "clusterSecretFile", message: `cannot read ${clusterSecretFile} (${reason})` } };
  }
  const problem = clusterSecretProblem(content);
  if (problem)
    return { issue: { path: "clusterSecretFile", message: `content of ${clusterSecretFile} ${problem}` } };
  return { secret: Secret.fromClusterSecretText(content) };
}
