// Shared test helpers: an embedded server on loopback, generated-stub
// clients, promise wrappers and a Watch reader with bounded waits.
import {
  type CallOptions,
  type ClientReadableStream,
  credentials,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import type { Test } from "tap";
import {
  type AffiliateDeleteRequest,
  type AffiliateDeleteResponse,
  type AffiliateUpdateRequest,
  type AffiliateUpdateResponse,
  ClusterClient,
  type HelloRequest,
  type HelloResponse,
  type ListRequest,
  type ListResponse,
  type WatchResponse,
} from "../../src/gen/sidero/discovery/server/cluster.js";
import type { ServerOptions } from "../../src/server/options.js";
import { type RunningServer, startServer } from "../../src/server/server.js";

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public ms = Date.UTC(2025, 0, 1)) {}

  now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function startTestServer(t: Test, options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const server = await startServer({ addr: "127.0.0.1:0", ...options });
  t.teardown(() => server.stop());
  return server;
}

export function connect(
  t: Test,
  server: RunningServer | string,
  options: Record<string, number> = {},
): ClusterClient {
  const target = typeof server === "string" ? server : server.address;
  const client = new ClusterClient(target, credentials.createInsecure(), {
    "grpc.max_receive_message_length": 16 * 1024 * 1024,
    ...options,
  });
  t.teardown(() => client.close());
  return client;
}

interface UnaryMethods {
  hello: [HelloRequest, HelloResponse];
  affiliateUpdate: [AffiliateUpdateRequest, AffiliateUpdateResponse];
  affiliateDelete: [AffiliateDeleteRequest, AffiliateDeleteResponse];
  list: [ListRequest, ListResponse];
}

type Callback = (err: ServiceError | null, response: unknown) => void;

/** Runs a unary call; `headers` become metadata, `deadlineMs` is relative to now. */
export function unary<M extends keyof UnaryMethods>(
  client: ClusterClient,
  method: M,
  request: UnaryMethods[M][0],
  opts: { headers?: Record<string, string>; deadlineMs?: number } = {},
): Promise<UnaryMethods[M][1]> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(opts.headers ?? {})) metadata.set(key, value);
  const callOptions: Partial<CallOptions> = { deadline: Date.now() + (opts.deadlineMs ?? 10_000) };
  const invoke = client[method] as unknown as (
    this: ClusterClient,
    request: unknown,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: Callback,
  ) => unknown;
  return new Promise((resolve, reject) =>
    invoke.call(client, request, metadata, callOptions, (err, response) =>
      err ? reject(err) : resolve(response as UnaryMethods[M][1]),
    ),
  );
}

/** Resolves with the error of a call expected to fail. */
export async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export function update(
  clusterId: string,
  affiliateId: string,
  fields: Partial<AffiliateUpdateRequest> = {},
): AffiliateUpdateRequest {
  return {
    clusterId,
    affiliateId,
    affiliateData: undefined,
    affiliateEndpoints: [],
    ttl: { seconds: 60, nanos: 0 },
    ...fields,
  };
}

export const b = (text: string): Buffer => Buffer.from(text);

/** Collects a Watch stream's messages and its ending, to be read one by one. */
export class WatchReader {
  private readonly messages: WatchResponse[] = [];
  private ending: ServiceError | "end" | undefined;
  private waiter: (() => void) | undefined;

  constructor(readonly stream: ClientReadableStream<WatchResponse>) {
    stream.on("data", (m: WatchResponse) => this.push(() => this.messages.push(m)));
    stream.on("error", (err: ServiceError) => this.push(() => (this.ending ??= err)));
    stream.on("end", () => this.push(() => (this.ending ??= "end")));
  }

  static open(client: ClusterClient, clusterId: string, headers: Record<string, string> = {}): WatchReader {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    return new WatchReader(client.watch({ clusterId }, metadata));
  }

  get received(): number {
    return this.messages.length;
  }

  /** The next message; rejects when the stream ends first or nothing comes within `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<WatchResponse> {
    await this.until(() => this.messages.length > 0 || this.ending !== undefined, timeoutMs);
    const message = this.messages.shift();
    if (message) return message;
    throw this.ending === "end" ? new Error("stream ended") : this.ending;
  }

  /** How the stream ended: "end" for status OK, else the error. Waits up to `timeoutMs`. */
  async end(timeoutMs = 5000): Promise<ServiceError | "end"> {
    await this.until(() => this.ending !== undefined, timeoutMs);
    return this.ending!;
  }

  cancel(): void {
    this.stream.cancel();
  }

  private push(apply: () => void): void {
    apply();
    this.waiter?.();
  }

  private async until(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing arrived on the Watch stream within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }
}

/** Polls `condition` every 10 ms for up to `timeoutMs`; rejects with `what` if it never holds. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
