// One log line and the grpc_server_* metrics for every RPC. Only identifiers
// are logged (method, code, peer, cluster, affiliate, client version); blob
// contents never are.
import { status } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { GRPC_SERVICE, type GrpcType, type ServerMetrics } from "./metrics.js";

export type MethodName = "Hello" | "AffiliateUpdate" | "AffiliateDelete" | "List" | "Watch";

/** Status names as go-grpc-middleware reports them in `grpc_code`. */
const CODE_NAMES: Record<number, string> = {
  [status.OK]: "OK",
  [status.CANCELLED]: "Canceled",
  [status.UNKNOWN]: "Unknown",
  [status.INVALID_ARGUMENT]: "InvalidArgument",
  [status.DEADLINE_EXCEEDED]: "DeadlineExceeded",
  [status.NOT_FOUND]: "NotFound",
  [status.ALREADY_EXISTS]: "AlreadyExists",
  [status.PERMISSION_DENIED]: "PermissionDenied",
  [status.RESOURCE_EXHAUSTED]: "ResourceExhausted",
  [status.FAILED_PRECONDITION]: "FailedPrecondition",
  [status.ABORTED]: "Aborted",
  [status.OUT_OF_RANGE]: "OutOfRange",
  [status.UNIMPLEMENTED]: "Unimplemented",
  [status.INTERNAL]: "Internal",
  [status.UNAVAILABLE]: "Unavailable",
  [status.DATA_LOSS]: "DataLoss",
  [status.UNAUTHENTICATED]: "Unauthenticated",
};

export interface RpcFields {
  cluster?: string;
  affiliate?: string;
  clientVersion?: string;
}

/** The bookkeeping of one call, from start to status. */
export class RpcRecord {
  readonly fields: RpcFields = {};
  private readonly startedAt = performance.now();
  private finished = false;
  private readonly counters: MethodCounters;

  constructor(
    private readonly observer: RpcObserver,
    readonly method: MethodName,
    readonly type: GrpcType,
    readonly peer: string,
  ) {
    this.counters = observer.countersFor(method, type);
    this.counters.started.inc();
    this.counters.received.inc();
  }

  sent(): void {
    this.counters.sent.value++;
  }

  /** Records the final status once; later calls are ignored. `cause` is logged for internal faults. */
  finish(code: status, details?: string, cause?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.counters.seconds.observe(seconds);
    this.observer.complete(this, code, seconds, details, cause);
  }
}

interface MethodCounters {
  started: { inc(): void };
  received: { inc(): void };
  sent: { value: number };
  seconds: { observe(value: number): void };
}

export class RpcObserver {
  private readonly byMethod = new Map<MethodName, MethodCounters>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics: ServerMetrics,
  ) {}

  start(method: MethodName, type: GrpcType, peer: string): RpcRecord {
    return new RpcRecord(this, method, type, peer);
  }

  /** Label children are resolved once per method: the Watch fan-out counts every message. */
  countersFor(method: MethodName, type: GrpcType): MethodCounters {
    let counters = this.byMethod.get(method);
    if (!counters) {
      const labels = { grpc_type: type, grpc_service: GRPC_SERVICE, grpc_method: method };
      counters = {
        started: this.metrics.grpcStarted.labels(labels),
        received: this.metrics.grpcReceived.labels(labels),
        sent: this.metrics.sentCount(type, method),
        seconds: this.metrics.grpcSeconds.labels(labels),
      };
      this.byMethod.set(method, counters);
    }
    return counters;
  }

  complete(record: RpcRecord, code: status, seconds: number, details?: string, cause?: unknown): void {
    const codeName = CODE_NAMES[code] ?? `Code(${code})`;
    this.metrics.grpcHandled.inc({
      grpc_type: record.type,
      grpc_service: GRPC_SERVICE,
      grpc_method: record.method,
      grpc_code: codeName,
    });
    const line = {
      method: record.method,
      code: codeName,
      duration_ms: Math.round(seconds * 100000) / 100,
      peer: record.peer,
      ...record.fields,
      ...(code === status.OK ? {} : { error: details }),
    };
    if (code === status.INTERNAL) this.logger.error({ ...line, err: cause }, "rpc failed");
    else this.logger.info(line, "rpc");
  }
}
