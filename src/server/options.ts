// What an embedding program (the CLI, the demo, tests) can set. Only `addr`
// is required; the defaults suit embedding: no extra listeners, no state
// file, no logs. The CLI supplies the upstream defaults (flags.ts).
import pino, { type Logger } from "pino";
import { DEFAULT_RATE_LIMIT, type RateLimit } from "../util/rate-limiter.js";
import { SUBSCRIBER_BUFFER } from "./state/limits.js";
import type { TlsFiles } from "./tls.js";

export interface SnapshotOptions {
  readonly path: string;
  /** Time between saves; the first save happens one interval after start. */
  readonly intervalMs: number;
}

export interface ServerOptions {
  /** gRPC listener, e.g. "127.0.0.1:0" or ":3000". */
  readonly addr: string;
  /** Landing pages listener; absent or "" disables it. */
  readonly landingAddr?: string;
  /** Metrics and probes listener; absent or "" disables it. */
  readonly metricsAddr?: string;
  /** TLS on the gRPC listener; plaintext h2c without it. */
  readonly tls?: TlsFiles;
  /** Every Hello answers with this redirect target (`host:port`). */
  readonly redirectEndpoint?: string;
  /** Garbage collection period; 1 min by default. */
  readonly gcIntervalMs?: number;
  /** Persistence; absent means state lives in memory only. */
  readonly snapshot?: SnapshotOptions;
  /** Believe `x-real-ip`; only behind a proxy that overwrites it. */
  readonly trustXRealIP?: boolean;
  /** Believe the first `x-forwarded-for` element; only behind a proxy that overwrites it. */
  readonly trustFirstXForwardedFor?: boolean;
  /** Echo the caller's IP in Hello; true by default. */
  readonly reportClientIP?: boolean;
  /** Serve `/inspect` on the landing listener; false by default. */
  readonly inspectPage?: boolean;
  /** Per-client-IP token bucket; 15/s with a burst of 60 by default. */
  readonly rateLimit?: RateLimit;
  /** How often full rate-limit buckets are dropped; 1 min by default. */
  readonly limiterCleanupIntervalMs?: number;
  /** How long `/stats` may be stale; 1 h by default. */
  readonly statsMaxAgeMs?: number;
  /** Events a watcher may have pending; 32 by default. */
  readonly subscriberBuffer?: number;
  /** State clock (ms since the epoch): expiry, GC, state file TTLs. */
  readonly now?: () => number;
  /** Rate limiter clock (ms). */
  readonly limiterNow?: () => number;
  readonly logger?: Logger;
  /** How long stop() lets running calls finish before cutting them off; 10 s by default. */
  readonly shutdownGraceMs?: number;
}

export type ResolvedOptions = Required<Omit<ServerOptions, "tls" | "redirectEndpoint" | "snapshot">> &
  Pick<ServerOptions, "tls" | "redirectEndpoint" | "snapshot">;

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  return {
    landingAddr: "",
    metricsAddr: "",
    gcIntervalMs: 60_000,
    trustXRealIP: false,
    trustFirstXForwardedFor: false,
    reportClientIP: true,
    inspectPage: false,
    rateLimit: DEFAULT_RATE_LIMIT,
    limiterCleanupIntervalMs: 60_000,
    statsMaxAgeMs: 3_600_000,
    subscriberBuffer: SUBSCRIBER_BUFFER,
    now: Date.now,
    limiterNow: Date.now,
    logger: pino({ level: "silent" }),
    shutdownGraceMs: 10_000,
    ...withoutUndefined(options),
    addr: options.addr,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
