// The Watch stream (discovery protocol §3.5, §7.5): a snapshot first, then
// one affiliate per message, in the order the cluster produced the events.
// Each event is encoded once and the same bytes go to every watcher.
import { type handleServerStreamingCall, type ServerWritableStream, status } from "@grpc/grpc-js";
import { type WatchRequest, WatchResponse } from "../gen/sidero/discovery/server/cluster.js";
import type { ByteBudget } from "./byte-budget.js";
import { admitCall, beginCall, type CallContext, type CallEnvironment, failCall } from "./call-context.js";
import type { AffiliateView } from "./state/affiliate.js";
import type { ClusterState } from "./state/cluster.js";
import { MESSAGES } from "./state/errors.js";
import type { DiscoveryState } from "./state/state.js";
import type { Subscription, WatchEvent } from "./state/subscription.js";
import { validateClusterId } from "./validate.js";

export interface WatchEnvironment extends CallEnvironment {
  readonly state: DiscoveryState;
  /** Bounds the snapshot bytes being sent at once, across all watchers. */
  readonly snapshotBudget: ByteBudget;
  /** Events a watcher may have pending before it is ended with ABORTED. */
  readonly subscriberBuffer: number;
  /** Open streams, so that shutdown can end them with status OK. */
  readonly watchers: Set<WatchStream>;
}

type WatchCall = ServerWritableStream<WatchRequest, Buffer>;

function encode(affiliates: readonly AffiliateView[], deleted: boolean): Buffer {
  const message = {
    deleted,
    affiliates: affiliates.map((a) => ({ id: a.id, data: a.data, endpoints: [...a.endpoints] })),
  };
  return Buffer.from(WatchResponse.encode(message).finish());
}

// Events are shared by every subscriber of a cluster; their bytes are cached alongside.
const encodedEvents = new WeakMap<WatchEvent, Buffer>();

function encodeEvent(event: WatchEvent): Buffer {
  let bytes = encodedEvents.get(event);
  if (!bytes) {
    bytes = encode([event.affiliate], event.deleted);
    encodedEvents.set(event, bytes);
  }
  return bytes;
}

// When many watchers (re)connect at once, e.g. after a restart, they share one
// encoding of the cluster for as long as it does not change.
const encodedSnapshots = new WeakMap<ClusterState, { version: number; bytes: Buffer }>();

function encodeSnapshot(cluster: ClusterState): Buffer {
  const cached = encodedSnapshots.get(cluster);
  if (cached?.version === cluster.version) return cached.bytes;
  const bytes = encode(cluster.list(), false);
  encodedSnapshots.set(cluster, { version: cluster.version, bytes });
  return bytes;
}

/**
 * Bytes a watcher may have handed to gRPC but not yet sent, about one
 * default HTTP/2 stream window. Only beyond that do events wait in the
 * subscription's queue, so a burst of small events does not abort a watcher
 * that is keeping up; one that stops reading still fills the queue quickly.
 */
const IN_FLIGHT_BYTES = 64 * 1024;

/** Moves events from a subscription into one gRPC stream, respecting HTTP/2 flow control. */
export class WatchStream {
  private inFlight = 0;
  private scheduled = false;
  private done = false;
  private snapshotSent = false;
  /** Snapshot bytes held in the shared budget until gRPC has taken them. */
  private budgetHeld = 0;
  private withdraw: (() => void) | undefined;

  constructor(
    private readonly call: WatchCall,
    private readonly cluster: ClusterState,
    private readonly subscription: Subscription,
    private readonly ctx: CallContext,
    private readonly registry: Set<WatchStream>,
    private readonly budget: ByteBudget,
  ) {}

  /** Sends the snapshot (taken in the same synchronous step as the subscription), then events. */
  start(snapshot: Buffer): void {
    this.registry.add(this);
    this.call.on("cancelled", () => this.close(status.CANCELLED));
    // Pumping is deferred so that a state change finishes notifying every
    // subscriber before any stream starts writing.
    this.subscription.onWake(() => {
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.pump();
      });
    });
    // Events arriving meanwhile wait in the subscription's queue, behind the snapshot.
    this.withdraw = this.budget.acquire(snapshot.length, () => {
      this.budgetHeld = snapshot.length;
      this.snapshotSent = true;
      this.send(snapshot, () => this.releaseBudget());
      this.pump();
    });
  }

  /** Ends the stream with status OK: the client sees end-of-stream and reconnects elsewhere. */
  end(): void {
    if (this.close(status.OK)) this.call.end();
  }

  private pump(): void {
    if (this.done) return;
    if (this.subscription.lost) {
      if (this.close(status.ABORTED, MESSAGES.lostUpdate)) {
        this.call.emit("error", { code: status.ABORTED, details: MESSAGES.lostUpdate });
      }
      return;
    }
    if (!this.snapshotSent) return;
    while (this.inFlight < IN_FLIGHT_BYTES) {
      const event = this.subscription.take();
      if (!event) return;
      this.send(encodeEvent(event));
    }
  }

  private send(bytes: Buffer, onSent?: () => void): void {
    this.inFlight += bytes.length;
    // The callback runs once HTTP/2 has taken the message, i.e. within the peer's flow-control window.
    this.call.write(bytes, () => {
      onSent?.();
      const wasFull = this.inFlight >= IN_FLIGHT_BYTES;
      this.inFlight -= bytes.length;
      if (wasFull && this.inFlight < IN_FLIGHT_BYTES) this.pump();
    });
    this.ctx.record.sent();
  }

  private releaseBudget(): void {
    if (this.budgetHeld === 0) return;
    this.budget.release(this.budgetHeld);
    this.budgetHeld = 0;
  }

  /** Detaches the stream once; returns false if it was already closed. */
  private close(code: status, details?: string): boolean {
    if (this.done) return false;
    this.done = true;
    this.withdraw?.();
    // A cancelled stream may never report its last write; the budget must not leak.
    this.releaseBudget();
    this.cluster.unsubscribe(this.subscription);
    this.registry.delete(this);
    this.ctx.record.finish(code, details);
    return true;
  }
}

export function watchHandler(env: WatchEnvironment): handleServerStreamingCall<WatchRequest, Buffer> {
  return (call) => {
    const ctx = beginCall(env, call, "Watch", "server_stream");
    ctx.record.fields.cluster = call.request.clusterId;
    const fail = (err: unknown) => call.emit("error", failCall(ctx, err));
    admitCall(
      env,
      call,
      ctx,
      () => {
        try {
          validateClusterId(call.request.clusterId);
        } catch (err) {
          return fail(err);
        }
        if (call.cancelled) return ctx.record.finish(status.CANCELLED);
        const cluster = env.state.cluster(call.request.clusterId);
        const subscription = cluster.subscribe(env.subscriberBuffer);
        new WatchStream(call, cluster, subscription, ctx, env.watchers, env.snapshotBudget).start(
          encodeSnapshot(cluster),
        );
      },
      fail,
    );
  };
}
