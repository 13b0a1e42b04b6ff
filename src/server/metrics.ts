// Prometheus metrics with the upstream names (discovery protocol §7.10), on
// a registry of their own so several servers can live in one process.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { StateStats } from "./state/state.js";

export const GRPC_SERVICE = "sidero.discovery.server.Cluster";

export type GrpcType = "unary" | "server_stream";

export interface StorageMetrics {
  readonly operations: Counter<"operation" | "status">;
  readonly lastSnapshotSize: Gauge<"operation">;
  readonly lastClusters: Gauge<"operation">;
  readonly lastAffiliates: Gauge<"operation">;
  readonly lastEndpoints: Gauge<"operation">;
  readonly lastDuration: Gauge<"operation">;
}

export interface ServerMetrics {
  readonly registry: Registry;
  readonly helloRequests: Counter<"client_version">;
  readonly gcRuns: Counter;
  readonly gcClusters: Counter;
  readonly gcAffiliates: Counter;
  readonly grpcStarted: Counter<"grpc_type" | "grpc_service" | "grpc_method">;
  readonly grpcHandled: Counter<"grpc_type" | "grpc_service" | "grpc_method" | "grpc_code">;
  readonly grpcReceived: Counter<"grpc_type" | "grpc_service" | "grpc_method">;
  /**
   * Sent messages are counted in plain numbers and added to
   * grpc_server_msg_sent_total at scrape time: the Watch fan-out sends far
   * too many messages to update a labelled counter for each one.
   */
  sentCount(type: GrpcType, method: string): { value: number };
  readonly grpcSeconds: Histogram<"grpc_type" | "grpc_service" | "grpc_method">;
  /** Present only when persistence is enabled, as upstream does. */
  readonly storage: StorageMetrics | undefined;
}

const GRPC_LABELS = ["grpc_type", "grpc_service", "grpc_method"] as const;

function stateGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

function storageMetrics(registry: Registry): StorageMetrics {
  const perOperation = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ["operation"], registers: [registry] });
  return {
    operations: new Counter({
      name: "discovery_storage_operations_total",
      help: "State file saves and loads by outcome.",
      labelNames: ["operation", "status"],
      registers: [registry],
    }),
    lastSnapshotSize: perOperation(
      "discovery_storage_last_snapshot_size_bytes",
      "Size of the last state file.",
    ),
    lastClusters: perOperation(
      "discovery_storage_last_operation_clusters",
      "Clusters in the last state file.",
    ),
    lastAffiliates: perOperation(
      "discovery_storage_last_operation_affiliates",
      "Affiliates in the last state file.",
    ),
    lastEndpoints: perOperation(
      "discovery_storage_last_operation_endpoints",
      "Endpoints in the last state file.",
    ),
    lastDuration: perOperation(
      "discovery_storage_last_operation_duration_seconds",
      "Duration of the last state file operation.",
    ),
  };
}

function sentCounts(registry: Registry): ServerMetrics["sentCount"] {
  const pending = new Map<
    string,
    { labels: Record<(typeof GRPC_LABELS)[number], string>; count: { value: number } }
  >();
  new Counter({
    name: "grpc_server_msg_sent_total",
    help: "Response messages sent.",
    labelNames: GRPC_LABELS,
    registers: [registry],
    collect() {
      for (const { labels, count } of pending.values()) {
        this.inc(labels, count.value);
        count.value = 0;
      }
    },
  });
  return (type, method) => {
    const key = `${type}/${method}`;
    let entry = pending.get(key);
    if (!entry) {
      entry = {
        labels: { grpc_type: type, grpc_service: GRPC_SERVICE, grpc_method: method },
        count: { value: 0 },
      };
      pending.set(key, entry);
    }
    return entry.count;
  };
}

/**
 * `stats` is read at scrape time only, so the state is never walked
 * otherwise. The Node.js process collectors install process-wide observers
 * that cannot be removed, so they are only set up when something will scrape.
 */
export function createMetrics(
  stats: () => StateStats,
  options: { persistence: boolean; processCollectors: boolean },
): ServerMetrics {
  const registry = new Registry();
  if (options.processCollectors) collectDefaultMetrics({ register: registry });
  // One walk of the state per scrape, shared by the four gauges.
  let cached: { at: number; stats: StateStats } | undefined;
  const current = (): StateStats => {
    const now = performance.now();
    if (!cached || now - cached.at > 100) cached = { at: now, stats: stats() };
    return cached.stats;
  };
  stateGauge(registry, "discovery_state_clusters", "Clusters in memory.", () => current().clusters);
  stateGauge(registry, "discovery_state_affiliates", "Affiliates in memory.", () => current().affiliates);
  stateGauge(registry, "discovery_state_endpoints", "Endpoints in memory.", () => current().endpoints);
  stateGauge(registry, "discovery_state_subscriptions", "Open Watch streams.", () => current().subscriptions);
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const grpcCounter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: GRPC_LABELS, registers: [registry] });
  return {
    registry,
    helloRequests: new Counter({
      name: "discovery_server_hello_requests_total",
      help: "Hello calls by client version.",
      labelNames: ["client_version"],
      registers: [registry],
    }),
    gcRuns: counter("discovery_state_gc_runs_total", "Garbage collection passes."),
    gcClusters: counter("discovery_state_gc_clusters_total", "Clusters removed by garbage collection."),
    gcAffiliates: counter("discovery_state_gc_affiliates_total", "Affiliates removed by garbage collection."),
    grpcStarted: grpcCounter("grpc_server_started_total", "RPCs started on the server."),
    grpcHandled: new Counter({
      name: "grpc_server_handled_total",
      help: "RPCs completed on the server, by status code.",
      labelNames: [...GRPC_LABELS, "grpc_code"],
      registers: [registry],
    }),
    grpcReceived: grpcCounter("grpc_server_msg_received_total", "Request messages received."),
    sentCount: sentCounts(registry),
    grpcSeconds: new Histogram({
      name: "grpc_server_handling_seconds",
      help: "Time from the start of an RPC to its status.",
      labelNames: GRPC_LABELS,
      buckets: [0.01, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    storage: options.persistence ? storageMetrics(registry) : undefined,
  };
}
