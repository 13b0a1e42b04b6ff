// One cluster: its affiliates and the Watch subscriptions that follow them
// (discovery protocol §3, §7.2–§7.5). Everything here is synchronous, so a
// mutation and the notification it causes can never interleave with another
// mutation: every subscriber sees the same order.
import { AffiliateRecord, type AffiliateView } from "./affiliate.js";
import { MESSAGES, resourceExhausted } from "./errors.js";
import { MAX_AFFILIATES_PER_CLUSTER } from "./limits.js";
import { Subscription, type WatchEvent } from "./subscription.js";

/** A validated AffiliateUpdate request. */
export interface AffiliateUpdate {
  readonly affiliateId: string;
  /** Absent or empty leaves the stored data alone. */
  readonly data?: Buffer | undefined;
  readonly endpoints: readonly Buffer[];
  readonly ttlMs: number;
}

export interface ClusterCounts {
  readonly affiliates: number;
  readonly endpoints: number;
  readonly subscriptions: number;
}

export class ClusterState {
  private readonly affiliates = new Map<string, AffiliateRecord>();
  private readonly subscriptions = new Set<Subscription>();
  private contentVersion = 0;

  constructor(readonly id: string) {}

  /**
   * Applies an update in the protocol's order: create, replace data, merge
   * endpoints, raise expiry, notify. A full-affiliate error is thrown only
   * after what came before it is applied and announced.
   */
  update(update: AffiliateUpdate, now: number): void {
    const expiresAt = now + update.ttlMs;
    let record = this.affiliates.get(update.affiliateId);
    let changed = false;
    if (!record) {
      if (this.affiliates.size >= MAX_AFFILIATES_PER_CLUSTER) {
        throw resourceExhausted(MESSAGES.tooManyAffiliates);
      }
      record = new AffiliateRecord(update.affiliateId, expiresAt);
      this.affiliates.set(record.id, record);
      changed = true;
    }
    if (update.data && update.data.length > 0) {
      record.setData(update.data, expiresAt);
      changed = true;
    }
    const merge = record.mergeEndpoints(update.endpoints, expiresAt);
    if (changed || merge.changed) this.notify({ deleted: false, affiliate: record.view() });
    if (merge.error) throw merge.error;
  }

  /** Removes an affiliate; deleting a missing one is not an error. */
  delete(affiliateId: string): void {
    if (this.affiliates.delete(affiliateId)) this.notifyDeleted(affiliateId);
  }

  list(): AffiliateView[] {
    return Array.from(this.affiliates.values(), (a) => a.view());
  }

  /**
   * Changes whenever what list() returns changes, so a snapshot built for
   * one watcher can be reused by the next while nothing happened.
   */
  get version(): number {
    return this.contentVersion;
  }

  /**
   * Registers a subscriber. The caller takes its snapshot (list(), or a copy
   * cached for the current version) in the same synchronous step, so that no
   * update falls between the snapshot and the first queued event.
   */
  subscribe(capacity: number): Subscription {
    const subscription = new Subscription(capacity);
    this.subscriptions.add(subscription);
    return subscription;
  }

  unsubscribe(subscription: Subscription): void {
    this.subscriptions.delete(subscription);
  }

  /** Expires affiliates and endpoints; returns how many affiliates were removed. */
  collect(now: number): number {
    let removed = 0;
    for (const record of [...this.affiliates.values()]) {
      const outcome = record.collect(now);
      if (outcome === "expired") {
        this.affiliates.delete(record.id);
        removed++;
        this.notifyDeleted(record.id);
      } else if (outcome === "trimmed") {
        // Upstream announces a deletion here; an upsert with what remains is
        // what clients actually need and all of them handle it (§3.5 item 6).
        this.notify({ deleted: false, affiliate: record.view() });
      }
    }
    return removed;
  }

  /** A cluster can be dropped once nothing is stored in it and nobody watches it. */
  get isEmpty(): boolean {
    return this.affiliates.size === 0 && this.subscriptions.size === 0;
  }

  counts(): ClusterCounts {
    let endpoints = 0;
    for (const record of this.affiliates.values()) endpoints += record.endpoints.length;
    return { affiliates: this.affiliates.size, endpoints, subscriptions: this.subscriptions.size };
  }

  records(): IterableIterator<AffiliateRecord> {
    return this.affiliates.values();
  }

  /** Puts back a record read from a state file, replacing any record with the same ID. */
  restore(record: AffiliateRecord): void {
    this.affiliates.set(record.id, record);
    this.contentVersion++;
  }

  private notifyDeleted(affiliateId: string): void {
    this.notify({ deleted: true, affiliate: { id: affiliateId, data: Buffer.alloc(0), endpoints: [] } });
  }

  private notify(event: WatchEvent): void {
    this.contentVersion++;
    for (const subscription of this.subscriptions) {
      if (!subscription.offer(event)) this.subscriptions.delete(subscription);
    }
  }
}
