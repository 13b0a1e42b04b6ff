// All clusters, created lazily by the RPCs that need one and dropped by
// garbage collection once empty (discovery protocol §7.2, §7.3).
import { ClusterState } from "./cluster.js";

export interface StateStats {
  readonly clusters: number;
  readonly affiliates: number;
  readonly endpoints: number;
  readonly subscriptions: number;
}

export interface CollectReport {
  readonly clustersRemoved: number;
  readonly affiliatesRemoved: number;
}

export class DiscoveryState {
  private readonly clusters = new Map<string, ClusterState>();

  /** The cluster with this ID, created empty if it does not exist yet. */
  cluster(id: string): ClusterState {
    let cluster = this.clusters.get(id);
    if (!cluster) {
      cluster = new ClusterState(id);
      this.clusters.set(id, cluster);
    }
    return cluster;
  }

  /** The cluster with this ID, without creating it. */
  find(id: string): ClusterState | undefined {
    return this.clusters.get(id);
  }

  allClusters(): IterableIterator<ClusterState> {
    return this.clusters.values();
  }

  /** Replaces the whole state, e.g. with what a state file held. */
  replaceAll(clusters: Iterable<ClusterState>): void {
    this.clusters.clear();
    for (const cluster of clusters) this.clusters.set(cluster.id, cluster);
  }

  collect(now: number): CollectReport {
    let clustersRemoved = 0;
    let affiliatesRemoved = 0;
    for (const cluster of [...this.clusters.values()]) {
      affiliatesRemoved += cluster.collect(now);
      if (cluster.isEmpty) {
        this.clusters.delete(cluster.id);
        clustersRemoved++;
      }
    }
    return { clustersRemoved, affiliatesRemoved };
  }

  stats(): StateStats {
    let affiliates = 0;
    let endpoints = 0;
    let subscriptions = 0;
    for (const cluster of this.clusters.values()) {
      const counts = cluster.counts();
      affiliates += counts.affiliates;
      endpoints += counts.endpoints;
      subscriptions += counts.subscriptions;
    }
    return { clusters: this.clusters.size, affiliates, endpoints, subscriptions };
  }
}
