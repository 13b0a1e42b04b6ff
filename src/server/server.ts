// startServer(): the whole kubespan-discovery service, embeddable. It wires
// the state, the gRPC service, the HTTP listeners, garbage collection and
// persistence, and stops them in the order that loses nothing.
import { type ChannelOptions, Server } from "@grpc/grpc-js";
import type { Registry } from "prom-client";
import { RateLimiter } from "../util/rate-limiter.js";
import { ByteBudget } from "./byte-budget.js";
import { ShuttingDownError } from "./call-status.js";
import { createImplementation, DISCOVERY_SERVICE, type ServiceEnvironment } from "./grpc.js";
import { type HttpListener, landingRoutes, listenHttp, metricsRoutes } from "./http.js";
import { grpcBindTargets, localTarget, parseListenAddress } from "./listen-address.js";
import { createMetrics } from "./metrics.js";
import { type ResolvedOptions, resolveOptions, type ServerOptions } from "./options.js";
import { SnapshotStore } from "./persistence.js";
import { RpcObserver } from "./rpc-observer.js";
import { DiscoveryState } from "./state/state.js";
import { CachedCount } from "./stats.js";
import { serverCredentials } from "./tls.js";
import type { WatchStream } from "./watch.js";

export interface RunningServer {
  /** A target local clients can dial, e.g. "127.0.0.1:40123". */
  readonly address: string;
  readonly port: number;
  readonly landingPort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly state: DiscoveryState;
  readonly registry: Registry;
  /** Stops accepting, ends Watch streams with status OK, saves the state file, closes listeners. */
  stop(): Promise<void>;
}

const GRPC_OPTIONS: ChannelOptions = {
  // A full cluster's Watch snapshot or List reply is about 4.6 MB.
  "grpc.max_send_message_length": 16 * 1024 * 1024,
};

/** Watch snapshots being sent at once, in bytes: about seven full clusters. */
const SNAPSHOT_BUDGET_BYTES = 32 * 1024 * 1024;

/** Saving at shutdown gets this long before the process moves on (protocol §7.9). */
const SHUTDOWN_SAVE_MS = 10_000;

/** Binds the first target that works; the error of the first one is the one worth reporting. */
async function bindGrpc(server: Server, targets: string[], credentials: Parameters<Server["bindAsync"]>[1]) {
  let firstError: unknown;
  for (const target of targets) {
    try {
      return await new Promise<number>((resolve, reject) =>
        server.bindAsync(target, credentials, (err, port) => (err ? reject(err) : resolve(port))),
      );
    } catch (err) {
      firstError ??= err;
    }
  }
  throw firstError;
}

function every(ms: number, task: () => unknown): NodeJS.Timeout {
  const timer = setInterval(task, ms);
  timer.unref();
  return timer;
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const opts: ResolvedOptions = resolveOptions(options);
  const logger = opts.logger;
  const grpcAddress = parseListenAddress(opts.addr, "gRPC listen address");
  const landingAddress = opts.landingAddr
    ? parseListenAddress(opts.landingAddr, "landing listen address")
    : undefined;
  const metricsAddress = opts.metricsAddr
    ? parseListenAddress(opts.metricsAddr, "metrics listen address")
    : undefined;
  const tls = serverCredentials(opts.tls, logger);

  const state = new DiscoveryState();
  const metrics = createMetrics(() => state.stats(), {
    persistence: opts.snapshot !== undefined,
    processCollectors: metricsAddress !== undefined,
  });
  const store = opts.snapshot
    ? new SnapshotStore({ path: opts.snapshot.path, state, now: opts.now, logger, metrics: metrics.storage })
    : undefined;
  await store?.load();

  const collect = () => {
    const report = state.collect(opts.now());
    metrics.gcRuns.inc();
    metrics.gcClusters.inc(report.clustersRemoved);
    metrics.gcAffiliates.inc(report.affiliatesRemoved);
  };
  collect();

  const limiter = new RateLimiter(opts.rateLimit);
  const shutdown = new AbortController();
  const watchers = new Set<WatchStream>();
  const env: ServiceEnvironment = {
    state,
    now: opts.now,
    metrics,
    observer: new RpcObserver(logger, metrics),
    admission: { limiter, now: opts.limiterNow },
    trust: { xRealIP: opts.trustXRealIP, firstXForwardedFor: opts.trustFirstXForwardedFor },
    shutdown: shutdown.signal,
    redirectEndpoint: opts.redirectEndpoint,
    reportClientIP: opts.reportClientIP,
    subscriberBuffer: opts.subscriberBuffer,
    watchers,
    snapshotBudget: new ByteBudget(SNAPSHOT_BUDGET_BYTES),
  };

  const grpcServer = new Server(GRPC_OPTIONS);
  grpcServer.addService(DISCOVERY_SERVICE, createImplementation(env));
  const listeners: HttpListener[] = [];
  let ready = false;
  let port: number;
  try {
    port = await bindGrpc(grpcServer, grpcBindTargets(grpcAddress), tls.credentials);
    if (landingAddress) {
      const stats = new CachedCount(() => state.stats().affiliates, opts.statsMaxAgeMs, opts.now);
      listeners.push(
        await listenHttp(landingAddress, landingRoutes(stats, state, { inspect: opts.inspectPage })),
      );
    }
    if (metricsAddress)
      listeners.push(
        await listenHttp(
          metricsAddress,
          metricsRoutes(metrics.registry, () => ready),
        ),
      );
  } catch (err) {
    grpcServer.forceShutdown();
    tls.close();
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }

  const timers = [
    every(opts.gcIntervalMs, collect),
    every(opts.limiterCleanupIntervalMs, () => limiter.collect(opts.limiterNow())),
  ];
  if (store && opts.snapshot) timers.push(every(opts.snapshot.intervalMs, () => store.save()));
  ready = true;
  const address = localTarget(grpcAddress, port);
  logger.info({ address, port, tls: opts.tls !== undefined }, "gRPC listening");

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    ready = false;
    for (const timer of timers) clearInterval(timer);
    shutdown.abort(new ShuttingDownError());
    const drained = new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
    for (const watcher of [...watchers]) watcher.end();
    await withTimeout(drained, opts.shutdownGraceMs);
    grpcServer.forceShutdown();
    if (store) await withTimeout(store.save(), SHUTDOWN_SAVE_MS);
    await Promise.all(listeners.map((l) => l.close()));
    tls.close();
    logger.info("stopped");
  };

  return {
    address,
    port,
    landingPort: landingAddress ? listeners[0]?.port : undefined,
    metricsPort: metricsAddress ? listeners.at(-1)?.port : undefined,
    state,
    registry: metrics.registry,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
