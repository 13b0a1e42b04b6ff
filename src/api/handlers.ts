// The KubeSpan gRPC service over an ApiSource: unary getters, the Watch
// stream and Leave. Kept apart from the transport so the server file only
// deals with sockets and lifecycle.
import type { handleUnaryCall, ServerErrorResponse, ServerWritableStream } from "@grpc/grpc-js";
import type { Logger } from "pino";
import type {
  KubeSpanServer,
  LeaveRequest,
  LeaveResponse,
  ListAffiliatesRequest,
  Status,
  WatchRequest,
} from "../gen/kubespan/v1/api.js";
import { toGrpcFailure } from "./errors.js";
import type { ApiSource } from "./source.js";
import { systemTimers, Throttle, type Timers } from "./throttle.js";

/** At most four Status messages a second per watcher, however busy the daemon is. */
export const WATCH_INTERVAL_MS = 250;

export interface KubeSpanHandlers {
  implementation: KubeSpanServer;
  /** Ends every open Watch stream with status OK (the server is shutting down). */
  endWatches(): void;
}

export function createHandlers(
  source: ApiSource,
  logger: Logger,
  timers: Timers = systemTimers,
): KubeSpanHandlers {
  const openWatches = new Set<() => void>();

  const failure = (err: unknown, method: string): ServerErrorResponse => {
    const { code, details, expected } = toGrpcFailure(err);
    if (!expected) logger.error({ err, method }, "local API call failed");
    return Object.assign(new Error(details), { code, details });
  };

  const unary =
    <Req, Res>(method: string, get: (request: Req) => Res): handleUnaryCall<Req, Res> =>
    (call, callback) => {
      let response: Res;
      try {
        response = get(call.request);
      } catch (err) {
        callback(failure(err, method));
        return;
      }
      callback(null, response);
    };

  const watch = (call: ServerWritableStream<WatchRequest, Status>): void => {
    let open = true;
    const release = () => {
      open = false;
      throttle.stop();
      unsubscribe();
      openWatches.delete(endCleanly);
    };
    const endCleanly = () => {
      if (!open) return;
      release();
      call.end();
    };
    // Every message is the full state, so a client that reads slowly can skip
    // the ones it missed: while the stream is backed up, only note that a
    // change happened and send the latest state once it drains.
    let backedUp = false;
    let changedWhileBackedUp = false;
    const send = () => {
      if (backedUp) {
        changedWhileBackedUp = true;
        return;
      }
      let status: Status;
      try {
        status = source.status();
      } catch (err) {
        release();
        call.emit("error", failure(err, "Watch"));
        return;
      }
      if (call.write(status)) return;
      backedUp = true;
      call.once("drain", () => {
        backedUp = false;
        if (changedWhileBackedUp && open) throttle.trigger();
        changedWhileBackedUp = false;
      });
    };
    const throttle = new Throttle(send, WATCH_INTERVAL_MS, timers);
    const unsubscribe = source.onChange(() => throttle.trigger());
    openWatches.add(endCleanly);
    // "cancelled" covers both a client cancel and a dropped connection.
    call.on("cancelled", () => {
      if (open) release();
    });
    throttle.trigger();
  };

  const leave: handleUnaryCall<LeaveRequest, LeaveResponse> = (_call, callback) => {
    source.leave().then(
      () => callback(null, {}),
      (err: unknown) => callback(failure(err, "Leave")),
    );
  };

  return {
    implementation: {
      getStatus: unary("GetStatus", () => source.status()),
      getIdentity: unary("GetIdentity", () => source.identity()),
      listAffiliates: unary("ListAffiliates", (request: ListAffiliatesRequest) => ({
        items: source.affiliates(request.raw),
      })),
      listMembers: unary("ListMembers", () => ({ items: source.members() })),
      listPeerSpecs: unary("ListPeerSpecs", () => ({ items: source.peerSpecs() })),
      listPeerStatuses: unary("ListPeerStatuses", () => ({ items: source.peerStatuses() })),
      listEndpoints: unary("ListEndpoints", () => ({ items: source.endpoints() })),
      watch,
      leave,
    },
    endWatches: () => {
      for (const end of [...openWatches]) end();
    },
  };
}
