// Which configuration changes can be applied to a running daemon, and which
// need it to start over. SIGHUP reload uses this to decide.
import { Secret } from "./secret.js";
import type { Config } from "./types.js";

/** live: applied in place on reload. restart: needs the daemon to be restarted. */
export type ChangeKind = "live" | "restart";

export interface ConfigChange {
  readonly path: string;
  readonly kind: ChangeKind;
}

// Options the daemon applies in place. Everything else needs a restart: the
// cluster ID and secret (the identity and ULA derive from them), the link
// name, marks, table and rule priority (kernel state set up under the old
// values would be left behind), the WireGuard backend, the state directory
// and the listening sockets. An option missing from this list is "restart",
// which is always the safe answer.
const LIVE_PATHS = [
  "discovery", // clients are added, dropped or reconnected per service
  "node",
  "kubespan.enabled",
  "kubespan.port",
  "kubespan.mtu",
  "kubespan.advertiseKubernetesNetworks",
  "kubespan.allowDownPeerBypass",
  "kubespan.harvestExtraEndpoints",
  "kubespan.persistentKeepaliveSeconds",
  "kubespan.acceptedNetworks",
  "kubespan.allowDefaultRoutes",
  "kubespan.filters",
  "kubespan.extraAnnouncedEndpoints",
  "kubespan.fixRpFilter",
  "log",
];

export function changeKind(path: string): ChangeKind {
  const live = LIVE_PATHS.some((p) => path === p || path.startsWith(`${p}.`));
  return live ? "live" : "restart";
}

/** Every changed option, at the deepest level where the two configurations differ, in field order. */
export function diffConfig(previous: Config, next: Config): ConfigChange[] {
  const changes: ConfigChange[] = [];
  collect(previous, next, "", changes);
  return changes;
}

export function needsRestart(changes: readonly ConfigChange[]): boolean {
  return changes.some((change) => change.kind === "restart");
}

function collect(a: unknown, b: unknown, path: string, out: ConfigChange[]): void {
  if (isSection(a) && isSection(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      collect(a[key], b[key], path === "" ? key : `${path}.${key}`, out);
    }
  } else if (!sameValue(a, b)) {
    out.push({ path, kind: changeKind(path) });
  }
}

// Sections are the plain objects of the Config tree; lists, secrets and
// value classes (Prefix, Endpoint) are compared as whole values.
function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Secret && b instanceof Secret) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isSection(a) && isSection(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameValue(a[key], b[key]));
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    return a.constructor === b.constructor && String(a) === String(b);
  }
  return a === b;
}
