// A single-consumer event queue: the client loop awaits the next event while
// gRPC callbacks, timers and callers push into it. Ordering is preserved.
export class EventQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async next(): Promise<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) return item;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /**
   * Waits up to `ms` for an event matching `match`, leaving every other event
   * queued in order. Returns undefined on timeout.
   */
  async nextWithin(ms: number, match: (item: T) => boolean): Promise<T | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.items.findIndex(match);
      if (index >= 0) return this.items.splice(index, 1)[0];
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, remaining);
      });
      clearTimeout(timer);
      this.wake = undefined;
    }
  }
}
