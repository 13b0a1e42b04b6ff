// Prometheus metrics and /healthz of kubespand. The registry is private to
// the daemon so tests and embedders can run several in one process.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ClientStatus } from "../discovery/client.js";
import type { PeerTracker } from "../mesh/peer-tracker.js";

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly peers = new Gauge({
    name: "kubespan_peers",
    help: "Peers by state",
    labelNames: ["state"],
    registers: [this.registry],
  });
  private readonly handshakeAge = new Gauge({
    name: "kubespan_peer_last_handshake_age_seconds",
    help: "Seconds since the last WireGuard handshake of each peer (absent when never)",
    labelNames: ["peer"],
    registers: [this.registry],
  });
  private readonly rxBytes = new Gauge({
    name: "kubespan_peer_receive_bytes",
    help: "Bytes received from each peer",
    labelNames: ["peer"],
    registers: [this.registry],
  });
  private readonly txBytes = new Gauge({
    name: "kubespan_peer_transmit_bytes",
    help: "Bytes sent to each peer",
    labelNames: ["peer"],
    registers: [this.registry],
  });
  readonly rotations = new Counter({
    name: "kubespan_endpoint_rotations_total",
    help: "Endpoint changes decided by the daemon, by the outcome of the endpoint left",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  private readonly discoveryConnected = new Gauge({
    name: "kubespan_discovery_connected",
    help: "1 when the discovery service's watch is open",
    labelNames: ["service"],
    registers: [this.registry],
  });
  private readonly discoveryAge = new Gauge({
    name: "kubespan_discovery_data_age_seconds",
    help: "Seconds since the last message from the discovery service",
    labelNames: ["service"],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: "kubespan_reconcile_duration_seconds",
    help: "Duration of reconcile passes",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: "kubespan_reconcile_errors_total",
    help: "Reconcile passes that failed",
    registers: [this.registry],
  });
  private readonly rejections = new Gauge({
    name: "kubespan_rejected_claims",
    help: "Peer claims currently refused or lost to an overlap, by reason",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  private readonly backend = new Gauge({
    name: "kubespan_wireguard_backend",
    help: "1 for the WireGuard implementation in use",
    labelNames: ["kind"],
    registers: [this.registry],
  });

  private processCollectors = false;

  /**
   * Adds Node's process metrics (CPU, memory, event-loop lag). Only with a
   * metrics listener: the event-loop lag monitor wakes the process every
   * 10 ms, about 1 % of a core on an otherwise idle daemon.
   */
  collectProcessMetrics(): void {
    if (this.processCollectors) return;
    this.processCollectors = true;
    collectDefaultMetrics({ register: this.registry });
  }

  observePeers(trackers: Iterable<PeerTracker>, now: number): void {
    this.peers.reset();
    this.handshakeAge.reset();
    this.rxBytes.reset();
    this.txBytes.reset();
    for (const state of ["up", "down", "unknown"]) this.peers.set({ state }, 0);
    for (const t of trackers) {
      const peer = t.status.label || t.publicKey;
      this.peers.inc({ state: t.status.state });
      if (t.status.lastHandshakeTime)
        this.handshakeAge.set({ peer }, (now - t.status.lastHandshakeTime) / 1000);
      this.rxBytes.set({ peer }, t.status.receiveBytes);
      this.txBytes.set({ peer }, t.status.transmitBytes);
    }
  }

  observeDiscovery(statuses: readonly ClientStatus[], now: number): void {
    for (const s of statuses) {
      this.discoveryConnected.set({ service: s.name }, s.state === "connected" ? 1 : 0);
      if (s.dataUpdatedAt) this.discoveryAge.set({ service: s.name }, (now - s.dataUpdatedAt) / 1000);
    }
  }

  observeRejections(reasons: readonly string[]): void {
    this.rejections.reset();
    for (const reason of reasons) this.rejections.inc({ reason });
  }

  observeBackend(kind: string): void {
    this.backend.reset();
    this.backend.set({ kind }, 1);
  }
}

/** Serves /metrics and /healthz; `healthy` decides the /healthz answer. */
export function startMetricsServer(
  metrics: DaemonMetrics,
  host: string,
  port: number,
  healthy: () => { ok: boolean; detail: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        },
      );
      return;
    }
    if (req.url === "/healthz") {
      const h = healthy();
      res.writeHead(h.ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(`${h.detail}\n`);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
