// A Watch subscriber's bounded event queue (discovery protocol §7.5). The
// cluster pushes without ever blocking; a subscriber that lets its queue
// fill up has lost an update and must start over with a fresh snapshot.
import type { AffiliateView } from "./affiliate.js";

/** One change as watchers see it: an upsert with the full state, or a deletion by ID. */
export interface WatchEvent {
  readonly deleted: boolean;
  readonly affiliate: AffiliateView;
}

export class Subscription {
  private readonly queue: WatchEvent[] = [];
  private lostUpdate = false;
  private wake: (() => void) | undefined;

  constructor(readonly capacity: number) {}

  /** True once an event arrived while the queue was full; no more events are accepted. */
  get lost(): boolean {
    return this.lostUpdate;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Queues an event; returns false (and marks the subscription lost) when the queue is full. */
  offer(event: WatchEvent): boolean {
    if (this.lostUpdate) return false;
    if (this.queue.length >= this.capacity) {
      this.lostUpdate = true;
      this.queue.length = 0;
    } else {
      this.queue.push(event);
    }
    this.wake?.();
    return !this.lostUpdate;
  }

  take(): WatchEvent | undefined {
    return this.queue.shift();
  }

  /** Registers the single consumer, called after every offer (including the one that loses). */
  onWake(wake: () => void): void {
    this.wake = wake;
  }
}
