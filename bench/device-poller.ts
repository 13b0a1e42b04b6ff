// Watches a wireguard-go device for endpoint changes: polls its UAPI socket
// back to back while some change is awaited and reports when each awaited
// endpoint first shows. A sighting is at most one poll interval late; the
// intervals are kept to say how precise that is.
import { setTimeout as sleep } from "node:timers/promises";
import { uapiRequest } from "../src/host/wireguard/uapi.js";
import { wallNow } from "./sim-members.js";

interface Expectation {
  /** "public_key=<hex>\n" as UAPI prints it. */
  marker: string;
  line: string;
  resolve: (at: number | undefined) => void;
}

export class DevicePoller {
  readonly intervals: number[] = [];
  private readonly waiting = new Set<Expectation>();
  private polling = false;

  constructor(private readonly socketPath: string) {}

  async peerCount(): Promise<number> {
    return (await this.get()).split("public_key=").length - 1;
  }

  /** Resolves with the wall time the device first shows `endpoint` for the peer, or undefined after `timeoutMs`. */
  expect(publicKey: string, endpoint: string, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const hex = Buffer.from(publicKey, "base64").toString("hex");
      const expectation: Expectation = {
        marker: `public_key=${hex}\n`,
        line: `endpoint=${endpoint}\n`,
        resolve: (at) => {
          clearTimeout(timer);
          this.waiting.delete(expectation);
          resolve(at);
        },
      };
      const timer = setTimeout(() => expectation.resolve(undefined), timeoutMs);
      this.waiting.add(expectation);
      if (!this.polling) void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    let previous: number | undefined;
    try {
      while (this.waiting.size > 0) {
        // A failed read (wireguard-go busy or restarting) is retried; expectations time out on their own.
        const text = await this.get().catch(() => undefined);
        const at = wallNow();
        if (text === undefined) {
          await sleep(10);
          continue;
        }
        if (previous !== undefined) this.intervals.push(at - previous);
        previous = at;
        for (const expectation of this.waiting) {
          if (endpointOf(text, expectation.marker)?.startsWith(expectation.line)) expectation.resolve(at);
        }
        await sleep(1);
      }
    } finally {
      this.polling = false;
    }
  }

  private get(): Promise<string> {
    return uapiRequest(this.socketPath, "get=1\n\n", 5_000);
  }
}

/** The text from the peer's "endpoint=" line on; undefined when the peer or its endpoint is missing. */
function endpointOf(text: string, marker: string): string | undefined {
  const start = text.indexOf(marker);
  if (start < 0) return undefined;
  const next = text.indexOf("public_key=", start + marker.length);
  const block = text.slice(start, next < 0 ? undefined : next);
  const at = block.indexOf("endpoint=");
  return at < 0 ? undefined : block.slice(at);
}
