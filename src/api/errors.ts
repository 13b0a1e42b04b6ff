// How failures inside an ApiSource reach the client. A source throws
// ApiError to choose the gRPC status code; anything else is a bug in the
// daemon and becomes INTERNAL. Messages go to the client verbatim, so a
// source must never put a secret in one.
import { status } from "@grpc/grpc-js";

export type ApiErrorCode =
  /** Not ready yet or temporarily unable (the client may retry). */
  | "unavailable"
  /** The request does not make sense in the current state (e.g. already left). */
  | "failed-precondition"
  | "not-found"
  | "invalid-argument";

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const GRPC_CODES: Record<ApiErrorCode, status> = {
  unavailable: status.UNAVAILABLE,
  "failed-precondition": status.FAILED_PRECONDITION,
  "not-found": status.NOT_FOUND,
  "invalid-argument": status.INVALID_ARGUMENT,
};

export interface GrpcFailure {
  code: status;
  details: string;
  /** False for errors the source did not throw on purpose: the server logs those. */
  expected: boolean;
}

export function toGrpcFailure(err: unknown): GrpcFailure {
  if (err instanceof ApiError) {
    return { code: GRPC_CODES[err.code], details: err.message, expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: status.INTERNAL, details: `internal error in kubespand: ${message}`, expected: false };
}
