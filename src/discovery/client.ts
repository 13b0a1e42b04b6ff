// One connection to one discovery service (discovery spec §6): Hello, Watch,
// publish, refresh, reconnect with backoff, follow redirects. The decoded set
// of other affiliates survives disconnects until the next snapshot, so the
// mesh keeps working while the service is unreachable.
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import {
  type ChannelCredentials,
  type ClientReadableStream,
  credentials,
  Metadata,
  status,
} from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { Affiliate } from "../cluster/affiliate.js";
import { ClusterClient, type WatchResponse } from "../gen/sidero/discovery/server/cluster.js";
import { IP } from "../net/ip.js";
import { DEFAULT_RATE_LIMIT, RateLimiter } from "../util/rate-limiter.js";
import { Backoff } from "./backoff.js";
import { EventQueue } from "./event-queue.js";
import {
  type LocalPayload,
  type PayloadCrypto,
  type SealedUpdate,
  samePayload,
  sealPayload,
} from "./local-payload.js";
import { ReconnectGrace } from "./reconnect-grace.js";
import { applyWatchMessage, type Opener } from "./watch-apply.js";

export const HELLO_DEADLINE_MS = 10_000;
export const REFRESH_DEADLINE_MS = 30_000;
/** Upstream has no loop protection; give up following after this many redirects without a Watch. */
export const MAX_CONSECUTIVE_REDIRECTS = 5;
/** A full cluster's snapshot is about 4.6 MB; the gRPC default limit is 4 MiB. */
const MAX_RECEIVE_BYTES = 16 * 1024 * 1024;

export interface DiscoveryClientOptions {
  /** Name used in record IDs and status (e.g. the configured URL). */
  name: string;
  target: string;
  tls: boolean;
  caFile?: string | undefined;
  clusterId: string;
  affiliateId: string;
  clientVersion: string;
  ttlSeconds: number;
  open: Opener;
  crypto: PayloadCrypto;
  logger: Logger;
  backoff?: Backoff;
}

export type ConnectionState = "connecting" | "connected" | "backoff" | "stopped";

export interface ClientStatus {
  name: string;
  target: string;
  state: ConnectionState;
  publicIP: IP | undefined;
  dataUpdatedAt: number;
  lastError: string;
  affiliates: number;
  skippedRecords: number;
  skippedEndpoints: number;
  updatesSent: number;
}

type LoopEvent =
  | { kind: "stop" }
  | { kind: "refresh" }
  | { kind: "message"; generation: number; message: WatchResponse }
  | { kind: "watch-ended"; generation: number; error: string };

export class DiscoveryClient extends EventEmitter<{ change: [] }> {
  private readonly events = new EventQueue<LoopEvent>();
  private readonly backoff: Backoff;
  /** Stays inside the server's per-IP budget, so harvest reports never earn ResourceExhausted. */
  private readonly budget = new RateLimiter(DEFAULT_RATE_LIMIT);
  private target: string;
  private client: ClusterClient | undefined;
  private watch: ClientReadableStream<WatchResponse> | undefined;
  private generation = 0;
  private awaitingSnapshot = false;
  private refreshPending = true;
  private deletePending = false;
  private payload: LocalPayload | undefined;
  private sealed: SealedUpdate[] = [];
  private redirects = 0;
  private ticker: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private readonly deleteWaiters: Array<(error?: Error) => void> = [];
  private known = new Map<string, Affiliate>();
  /** Affiliates kept after a reconnect although the snapshot did not list them. */
  private readonly grace = new ReconnectGrace();
  private staleTimer: NodeJS.Timeout | undefined;
  private snapshots = 0;
  private readonly info: ClientStatus;

  constructor(private readonly options: DiscoveryClientOptions) {
    super();
    this.target = options.target;
    this.backoff = options.backoff ?? new Backoff();
    this.info = {
      name: options.name,
      target: options.target,
      state: "connecting",
      publicIP: undefined,
      dataUpdatedAt: 0,
      lastError: "",
      affiliates: 0,
      skippedRecords: 0,
      skippedEndpoints: 0,
      updatesSent: 0,
    };
  }

  start(): void {
    if (this.loop) return;
    this.ticker = setInterval(
      () => this.events.push({ kind: "refresh" }),
      (this.options.ttlSeconds * 1000) / 2,
    );
    this.loop = this.run().catch((err: unknown) => {
      this.options.logger.error({ err }, "discovery client loop failed");
    });
  }

  async stop(): Promise<void> {
    this.events.push({ kind: "stop" });
    await this.loop;
    this.loop = undefined;
  }

  /** Decoded affiliates of the other nodes, keyed by affiliate ID. */
  get affiliates(): ReadonlyMap<string, Affiliate> {
    return this.known;
  }

  status(): ClientStatus {
    return { ...this.info, target: this.target, affiliates: this.known.size };
  }

  /** Publishes new local data. A payload equal in plaintext to the current one is ignored. */
  setLocalData(payload: LocalPayload): void {
    if (this.payload && samePayload(this.options.crypto, this.payload, payload)) return;
    const outcome = sealPayload(this.options.crypto, payload, this.options.ttlSeconds);
    for (const warning of outcome.warnings) this.options.logger.warn({ service: this.options.name }, warning);
    this.payload = payload;
    this.sealed = outcome.updates;
    this.deletePending = false;
    this.events.push({ kind: "refresh" });
  }

  /** Deletes our affiliate from the service; resolves once the service confirmed it. */
  deleteLocalAffiliate(): Promise<void> {
    this.payload = undefined;
    this.sealed = [];
    this.deletePending = true;
    this.events.push({ kind: "refresh" });
    return new Promise((resolve, reject) => {
      this.deleteWaiters.push((error) => (error ? reject(error) : resolve()));
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      if (!this.watch) {
        this.info.state = "backoff";
        if (await this.sleepUnlessStopped(this.backoff.next())) break;
        this.info.state = "connecting";
        if (!(await this.connect())) continue;
      }
      if (this.refreshPending) await this.refresh();
      const event = await this.events.next();
      if (event.kind === "stop") break;
      if (event.kind === "refresh") this.refreshPending = true;
      else if (event.generation !== this.generation) continue;
      else if (event.kind === "message") this.onMessage(event.message);
      else this.dropWatch(event.error);
    }
    this.shutdown();
  }

  /** Hello then Watch. Returns false when the caller should back off and retry. */
  private async connect(): Promise<boolean> {
    const client = this.channel();
    let response: Awaited<ReturnType<typeof this.hello>>;
    try {
      response = await this.hello(client);
    } catch (err) {
      this.fail(`hello: ${errorText(err)}`);
      this.closeChannel();
      return false;
    }
    // The echoed IP replaces the previous one even when empty (reporting may be off).
    const ip = IP.fromBytes(response.clientIp);
    const changed = String(ip ?? "") !== String(this.info.publicIP ?? "");
    this.info.publicIP = ip;
    if (changed) this.emit("change");
    const redirect = response.redirect?.endpoint;
    if (redirect && redirect !== this.target) {
      if (this.redirects < MAX_CONSECUTIVE_REDIRECTS) {
        this.redirects++;
        this.options.logger.info(
          { from: this.target, to: redirect },
          "discovery service redirects; following",
        );
        this.target = redirect;
        this.closeChannel();
        return false;
      }
      this.options.logger.error(
        { redirect },
        "too many consecutive redirects; staying on the current service",
      );
    }
    this.openWatch(client);
    return true;
  }

  private hello(client: ClusterClient) {
    const request = { clusterId: this.options.clusterId, clientVersion: this.options.clientVersion };
    return new Promise<{ clientIp: Buffer; redirect: { endpoint: string } | undefined }>(
      (resolve, reject) => {
        client.hello(request, new Metadata(), { deadline: Date.now() + HELLO_DEADLINE_MS }, (err, res) =>
          err ? reject(err) : resolve(res),
        );
      },
    );
  }

  private openWatch(client: ClusterClient): void {
    const generation = ++this.generation;
    const stream = client.watch({ clusterId: this.options.clusterId });
    this.watch = stream;
    this.awaitingSnapshot = true;
    this.info.state = "connected";
    stream.on("data", (message: WatchResponse) => this.events.push({ kind: "message", generation, message }));
    stream.on("error", (err) => this.events.push({ kind: "watch-ended", generation, error: errorText(err) }));
    stream.on("end", () => this.events.push({ kind: "watch-ended", generation, error: "stream ended" }));
  }

  private onMessage(message: WatchResponse): void {
    const isSnapshot = this.awaitingSnapshot;
    this.awaitingSnapshot = false;
    if (isSnapshot) this.redirects = 0;
    // Only the first snapshot ever replaces the set; later ones (after a
    // reconnect) keep what they do not list for RECONNECT_GRACE_MS.
    const retain = isSnapshot && this.snapshots > 0;
    if (isSnapshot) this.snapshots++;
    const outcome = applyWatchMessage(
      this.known,
      message,
      isSnapshot,
      this.options.affiliateId,
      this.options.open,
      retain,
    );
    for (const a of message.affiliates) if (message.deleted || a.data.length > 0) this.grace.settle(a.id);
    this.grace.hold(outcome.absent, Date.now());
    this.scheduleStaleExpiry();
    for (const skip of outcome.skipped) {
      this.options.logger.warn({ affiliate: skip.id, reason: skip.reason }, "skipping undecodable affiliate");
    }
    this.info.skippedRecords += outcome.skipped.length;
    this.info.skippedEndpoints += outcome.skippedEndpoints;
    this.known = outcome.affiliates;
    this.info.dataUpdatedAt = Date.now();
    this.emit("change");
  }

  private scheduleStaleExpiry(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    const next = this.grace.nextExpiry();
    if (next === undefined) return;
    this.staleTimer = setTimeout(
      () => {
        this.staleTimer = undefined;
        const dropped = this.grace.expired(Date.now()).filter((id) => this.known.delete(id));
        this.scheduleStaleExpiry();
        if (dropped.length > 0) this.emit("change");
      },
      Math.max(0, next - Date.now()),
    );
  }

  private dropWatch(reason: string): void {
    this.fail(`watch: ${reason}`);
    this.watch?.cancel();
    this.watch = undefined;
    // Everything is re-published after every reconnect (the server may have restarted empty).
    this.refreshPending = true;
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const deadline = Date.now() + REFRESH_DEADLINE_MS;
    try {
      if (this.deletePending) {
        await unary((cb) =>
          client.affiliateDelete(
            { clusterId: this.options.clusterId, affiliateId: this.options.affiliateId },
            new Metadata(),
            { deadline },
            cb,
          ),
        );
        this.settleDeletes();
      } else {
        for (const request of this.sealed) {
          await this.spendToken();
          await unary((cb) =>
            client.affiliateUpdate(
              { clusterId: this.options.clusterId, ...request },
              new Metadata(),
              { deadline },
              cb,
            ),
          );
          this.info.updatesSent++;
        }
      }
      this.refreshPending = false;
      this.backoff.reset();
    } catch (err) {
      this.dropWatch(`refresh: ${errorText(err)}`);
    }
  }

  private async spendToken(): Promise<void> {
    const reservation = this.budget.reserve("self", Date.now());
    if (reservation && reservation.waitMs > 0) await new Promise((r) => setTimeout(r, reservation.waitMs));
  }

  private settleDeletes(): void {
    for (const waiter of this.deleteWaiters.splice(0)) waiter();
  }

  private channel(): ClusterClient {
    if (!this.client) {
      this.client = new ClusterClient(this.target, this.credentials(), {
        "grpc.keepalive_time_ms": Math.max(10_000, (this.options.ttlSeconds * 1000) / 10),
        "grpc.keepalive_timeout_ms": 20_000,
        "grpc.keepalive_permit_without_calls": 0,
        "grpc.max_receive_message_length": MAX_RECEIVE_BYTES,
      });
    }
    return this.client;
  }

  /** TLS material is re-read for every new channel, so a rotated CA bundle takes effect. */
  private credentials(): ChannelCredentials {
    if (!this.options.tls) return credentials.createInsecure();
    const ca = this.options.caFile ? readFileSync(this.options.caFile) : null;
    return credentials.createSsl(ca);
  }

  private closeChannel(): void {
    this.watch?.cancel();
    this.watch = undefined;
    this.client?.close();
    this.client = undefined;
  }

  private fail(message: string): void {
    this.info.lastError = message;
    this.options.logger.warn({ service: this.options.name, target: this.target }, message);
  }

  private async sleepUnlessStopped(ms: number): Promise<boolean> {
    const event = await this.events.nextWithin(ms, (e) => e.kind === "stop");
    return event?.kind === "stop";
  }

  private shutdown(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.closeChannel();
    this.info.state = "stopped";
    for (const waiter of this.deleteWaiters.splice(0)) waiter(new Error("discovery client stopped"));
  }
}

function unary(call: (cb: (err: Error | null) => void) => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    call((err) => (err ? reject(err) : resolve()));
  });
}

function errorText(err: unknown): string {
  if (err && typeof err === "object" && "code" in err && "details" in err) {
    const code = (err as { code: number }).code;
    return `${status[code] ?? code}: ${(err as { details: string }).details}`;
  }
  return err instanceof Error ? err.message : String(err);
}
