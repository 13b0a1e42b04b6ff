// Command-line flags with the upstream names and defaults (discovery
// protocol §7.12), except that the proxy-header trust flags default to off.
// Booleans accept the Go forms `--flag`, `--flag=true` and `--flag=false`.
import { Command, InvalidArgumentError, Option } from "commander";
import { parseGoDuration } from "./duration.js";
import { parseListenAddress } from "./listen-address.js";
import type { ServerOptions } from "./options.js";

export class FlagError extends Error {
  override name = "FlagError";
}

export const DEFAULT_SNAPSHOT_PATH = "/var/lib/kubespan-discovery/state.binpb";

function parseBool(value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new InvalidArgumentError(`expected true or false, got ${JSON.stringify(value)}`);
}

function boolFlag(flags: string, description: string, defaultValue: boolean): Option {
  return new Option(`${flags} [bool]`, description).default(defaultValue).argParser(parseBool).preset(true);
}

/** The command definition; `--help` prints every flag with its default. */
export function serverCommand(): Command {
  return new Command("kubespan-discovery")
    .description("Discovery service for KubeSpan meshes, wire-compatible with the Talos discovery service.")
    .option(
      "--addr <host:port>",
      "gRPC listen address (plaintext h2c unless a certificate is given)",
      ":3000",
    )
    .option("--landing-addr <host:port>", "landing page listen address; empty disables it", ":3001")
    .option(
      "--metrics-addr <host:port>",
      "Prometheus metrics and probes listen address; empty disables it",
      ":2122",
    )
    .option(
      "--certificate-path <file>",
      "TLS certificate (PEM) for the gRPC listener; reloaded when it changes",
      "",
    )
    .option("--key-path <file>", "TLS private key (PEM) for the gRPC listener; reloaded when it changes", "")
    .addOption(boolFlag("--debug", "log at debug level", false))
    .option("--gc-interval <duration>", "how often expired affiliates and endpoints are removed", "1m")
    .option("--redirect-endpoint <host:port>", "answer every Hello with a redirect to this endpoint", "")
    .addOption(boolFlag("--snapshots-enabled", "save the state to a file and load it at start", true))
    .option("--snapshot-interval <duration>", "time between state file saves (also saved at shutdown)", "10m")
    .option("--snapshot-path <file>", "state file location", DEFAULT_SNAPSHOT_PATH)
    .addOption(
      boolFlag(
        "--trust-x-real-ip",
        "take the client IP from X-Real-IP; enable only behind a proxy that overwrites the header",
        false,
      ),
    )
    .addOption(
      boolFlag(
        "--trust-first-x-forwarded-for",
        "take the client IP from the first X-Forwarded-For element; enable only behind a proxy that overwrites it",
        false,
      ),
    )
    .addOption(
      boolFlag(
        "--disable-client-ip-reporting",
        "leave client_ip empty in Hello replies instead of echoing it",
        false,
      ),
    )
    .addOption(
      boolFlag(
        "--enable-inspect-page",
        "serve /inspect?clusterID=… (ciphertext in hex) on the landing address",
        false,
      ),
    );
}

export interface ParsedFlags {
  readonly debug: boolean;
  readonly options: Omit<ServerOptions, "logger">;
}

function duration(flag: string, text: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch (err) {
    throw new FlagError(`--${flag}: ${(err as Error).message}`);
  }
  if (!(ms > 0)) throw new FlagError(`--${flag}: must be positive, got ${JSON.stringify(text)}`);
  return ms;
}

function address(flag: string, text: string): string {
  if (text !== "") parseListenAddress(text, `--${flag}`);
  return text;
}

/** Checks the parsed flag values and turns them into server options. */
export function flagsToOptions(values: Record<string, unknown>): ParsedFlags {
  const v = values as Record<string, string> & Record<string, boolean>;
  const certificatePath = v["certificatePath"] ?? "";
  const keyPath = v["keyPath"] ?? "";
  if ((certificatePath === "") !== (keyPath === "")) {
    throw new FlagError("--certificate-path and --key-path must be given together");
  }
  if (v["addr"] === "") throw new FlagError("--addr must not be empty");
  return {
    debug: v["debug"] === true,
    options: {
      addr: address("addr", v["addr"]!),
      landingAddr: address("landing-addr", v["landingAddr"]!),
      metricsAddr: address("metrics-addr", v["metricsAddr"]!),
      tls: certificatePath ? { certificatePath, keyPath } : undefined,
      gcIntervalMs: duration("gc-interval", v["gcInterval"]!),
      redirectEndpoint: v["redirectEndpoint"] || undefined,
      snapshot: v["snapshotsEnabled"]
        ? { path: v["snapshotPath"]!, intervalMs: duration("snapshot-interval", v["snapshotInterval"]!) }
        : undefined,
      trustXRealIP: v["trustXRealIp"] === true,
      trustFirstXForwardedFor: v["trustFirstXForwardedFor"] === true,
      reportClientIP: v["disableClientIpReporting"] !== true,
      inspectPage: v["enableInspectPage"] === true,
    },
  };
}
