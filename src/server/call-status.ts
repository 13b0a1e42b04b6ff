// Maps failures to the gRPC status a client receives. Protocol errors keep
// their exact messages; anything unexpected becomes INTERNAL without details.
import { type StatusObject, status } from "@grpc/grpc-js";
import { DiscoveryError } from "./state/errors.js";

/** The server is stopping; calls still waiting for admission are turned away. */
export class ShuttingDownError extends Error {
  override name = "ShuttingDownError";

  constructor() {
    super("server is shutting down");
  }
}

export type CallStatus = Pick<StatusObject, "code" | "details">;

export function callStatus(err: unknown): CallStatus {
  if (err instanceof DiscoveryError) {
    return {
      code: err.kind === "invalid-argument" ? status.INVALID_ARGUMENT : status.RESOURCE_EXHAUSTED,
      details: err.message,
    };
  }
  if (err instanceof ShuttingDownError) return { code: status.UNAVAILABLE, details: err.message };
  return { code: status.INTERNAL, details: "internal error" };
}
