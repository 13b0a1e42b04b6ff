// Saving and loading the state file (discovery protocol §7.9), with the
// storage metrics and log lines around it. An unusable file is moved aside
// and the server starts empty: a bad file must never keep the service down.
import { stat } from "node:fs/promises";
import type { Logger } from "pino";
import type { StorageMetrics } from "./metrics.js";
import {
  decodeClusterRecord,
  encodeClusterRecord,
  exportCluster,
  importCluster,
  SnapshotFormatError,
} from "./snapshot.js";
import { moveAside, readClusterRecords, writeSnapshotFile } from "./snapshot-file.js";
import type { ClusterState } from "./state/cluster.js";
import type { DiscoveryState } from "./state/state.js";

export interface SnapshotStoreOptions {
  readonly path: string;
  readonly state: DiscoveryState;
  /** State time in milliseconds since the epoch. */
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics: StorageMetrics | undefined;
}

interface Totals {
  clusters: number;
  affiliates: number;
  endpoints: number;
  bytes: number;
}

function count(totals: Totals, cluster: ClusterState): void {
  const counts = cluster.counts();
  totals.clusters++;
  totals.affiliates += counts.affiliates;
  totals.endpoints += counts.endpoints;
}

export class SnapshotStore {
  // Saves never overlap: the periodic save and the shutdown save queue up.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SnapshotStoreOptions) {}

  /** Replaces the state with the file's content; returns false when nothing was loaded. */
  async load(): Promise<boolean> {
    const { path, state, now, logger } = this.options;
    const started = performance.now();
    const totals: Totals = { clusters: 0, affiliates: 0, endpoints: 0, bytes: 0 };
    const loadedAt = now();
    const clusters: ClusterState[] = [];
    try {
      for await (const payload of readClusterRecords(path)) {
        const cluster = importCluster(decodeClusterRecord(payload), loadedAt);
        count(totals, cluster);
        clusters.push(cluster);
      }
      totals.bytes = (await stat(path)).size;
    } catch (err) {
      this.record("load", "error", totals, started);
      if (err instanceof SnapshotFormatError) {
        await this.quarantine(err);
      } else if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        logger.warn({ path }, "no state file to load; starting empty");
      } else {
        logger.error({ path, err: (err as Error).message }, "cannot read the state file; starting empty");
      }
      return false;
    }
    state.replaceAll(clusters);
    this.record("load", "success", totals, started);
    logger.info({ path, ...totals }, "state loaded");
    return true;
  }

  /** Writes the current state atomically. Errors are logged and counted, never thrown. */
  save(): Promise<void> {
    const run = this.queue.then(() => this.write());
    this.queue = run;
    return run;
  }

  private async write(): Promise<void> {
    const { path, state, now, logger } = this.options;
    const started = performance.now();
    const totals: Totals = { clusters: 0, affiliates: 0, endpoints: 0, bytes: 0 };
    const at = now();
    function* records() {
      for (const cluster of state.allClusters()) {
        count(totals, cluster);
        yield encodeClusterRecord(exportCluster(cluster, at));
      }
    }
    try {
      totals.bytes = await writeSnapshotFile(path, records());
    } catch (err) {
      this.record("save", "error", totals, started);
      logger.error({ path, err: (err as Error).message }, "saving the state file failed");
      return;
    }
    this.record("save", "success", totals, started);
    logger.info({ path, ...totals }, "state saved");
  }

  private async quarantine(cause: Error): Promise<void> {
    const { path, logger } = this.options;
    try {
      const movedTo = await moveAside(path, new Date());
      logger.error(
        { path, movedTo, reason: cause.message },
        "state file is unusable; moved it aside and starting with an empty state",
      );
    } catch (err) {
      logger.error(
        { path, reason: cause.message, moveError: (err as Error).message },
        "state file is unusable and could not be moved aside; starting with an empty state",
      );
    }
  }

  private record(
    operation: "save" | "load",
    status: "success" | "error",
    totals: Totals,
    started: number,
  ): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.operations.inc({ operation, status });
    if (status === "error") return;
    metrics.lastSnapshotSize.set({ operation }, totals.bytes);
    metrics.lastClusters.set({ operation }, totals.clusters);
    metrics.lastAffiliates.set({ operation }, totals.affiliates);
    metrics.lastEndpoints.set({ operation }, totals.endpoints);
    metrics.lastDuration.set({ operation }, (performance.now() - started) / 1000);
  }
}
