// What every handler needs before doing any work: who is calling (for the
// IP echo and the rate limit), how the call is recorded, and admission by
// the rate limiter.
import type { Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import type { IP } from "../net/ip.js";
import { type Admission, reserve, waitFor } from "./admission.js";
import { type CallStatus, callStatus } from "./call-status.js";
import { type ClientIPTrust, clientIP } from "./client-ip.js";
import type { GrpcType } from "./metrics.js";
import type { MethodName, RpcObserver, RpcRecord } from "./rpc-observer.js";

/** The parts of a unary or streaming server call used here. */
export type ServerSurfaceCall = Pick<
  ServerUnaryCall<unknown, unknown>,
  "getPeer" | "getDeadline" | "metadata" | "on" | "removeListener"
>;

export interface CallEnvironment {
  readonly observer: RpcObserver;
  readonly admission: Admission;
  readonly trust: ClientIPTrust;
  /** Aborted with a ShuttingDownError when the server stops. */
  readonly shutdown: AbortSignal;
}

export interface CallContext {
  readonly ip: IP | undefined;
  readonly record: RpcRecord;
}

const lookup = (metadata: Metadata) => (key: string) => metadata.get(key);

/** Starts recording the call and works out who is calling. */
export function beginCall(
  env: CallEnvironment,
  call: ServerSurfaceCall,
  method: MethodName,
  type: GrpcType,
): CallContext {
  const peer = call.getPeer();
  return {
    ip: clientIP(lookup(call.metadata), peer, env.trust),
    record: env.observer.start(method, type, peer),
  };
}

/**
 * Runs `proceed` once the rate limiter admits the call (at once for most
 * calls), or `fail` with the reason it was turned away.
 */
export function admitCall(
  env: CallEnvironment,
  call: ServerSurfaceCall,
  ctx: CallContext,
  proceed: () => void,
  fail: (err: unknown) => void,
): void {
  let reservation: ReturnType<typeof reserve>;
  try {
    const deadline = call.getDeadline();
    reservation = reserve(
      env.admission,
      ctx.ip?.toString(),
      deadline instanceof Date ? deadline.getTime() : deadline,
    );
  } catch (err) {
    fail(err);
    return;
  }
  if (reservation) waitFor(env.admission, reservation, call, env.shutdown).then(proceed, fail);
  else proceed();
}

/** Records the failure and returns the status to send; unexpected faults are logged with their cause. */
export function failCall(ctx: CallContext, err: unknown): CallStatus {
  const result = callStatus(err);
  ctx.record.finish(result.code, result.details, err);
  return result;
}
