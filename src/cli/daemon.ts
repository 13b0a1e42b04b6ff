// kubespanctl's connection to the local kubespand: checks the socket first so
// "not running" and "not allowed" get a clear message, then wraps the gRPC
// client with deadlines and readable errors.
import { resolve } from "node:path";
import { type ClientUnaryCall, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { probeSocket, type SocketProbe } from "../api/socket-probe.js";
import {
  type Affiliate,
  type AffiliateList,
  type EndpointList,
  type EndpointRecord,
  type Identity,
  KubeSpanClient,
  type Member,
  type MemberList,
  type PeerSpec,
  type PeerSpecList,
  type PeerStatus,
  type PeerStatusList,
  type Status,
} from "../gen/kubespan/v1/api.js";
import { CliError } from "./errors.js";

export const DEFAULT_SOCKET_PATH = "/run/kubespan/kubespand.sock";
export const CONNECT_TIMEOUT_MS = 3_000;
/** Reads are answered from memory: a slow answer means a stuck daemon. */
const READ_DEADLINE_MS = 5_000;
/** Leave deletes the affiliate from every discovery service, each with its own timeouts. */
const LEAVE_DEADLINE_MS = 60_000;

export function describeUnreachable(probe: Exclude<SocketProbe, { state: "live" }>, path: string): string {
  switch (probe.state) {
    case "missing":
      return `kubespand is not running: no socket at ${path}`;
    case "stale":
      return `kubespand is not running: nothing listens on ${path} (left over from a stopped daemon)`;
    case "denied":
      return `permission denied on ${path}: run as root or join the group that owns it`;
    case "not-socket":
      return `${path} is not a socket: is --socket pointing at the right file?`;
    case "timeout":
      return `kubespand did not accept a connection on ${path} within ${CONNECT_TIMEOUT_MS / 1000}s`;
    case "error":
      return `cannot connect to kubespand at ${path}: ${probe.message}`;
  }
}

export function describeCallError(err: ServiceError, path: string): string {
  switch (err.code) {
    case status.DEADLINE_EXCEEDED:
      return `kubespand at ${path} did not answer in time`;
    case status.UNAVAILABLE:
      return `kubespand is unavailable: ${err.details}`;
    case status.UNIMPLEMENTED:
      return `kubespand at ${path} does not support this request (is it older than kubespanctl?)`;
    default:
      return `kubespand: ${err.details}`;
  }
}

type Callback<T> = (err: ServiceError | null, response: T) => void;

export class DaemonClient {
  private constructor(
    private readonly client: KubeSpanClient,
    readonly socketPath: string,
  ) {}

  static async connect(socketPath: string): Promise<DaemonClient> {
    const path = resolve(socketPath);
    const probe = await probeSocket(path, CONNECT_TIMEOUT_MS);
    if (probe.state !== "live") throw new CliError(describeUnreachable(probe, path));
    return new DaemonClient(new KubeSpanClient(`unix://${path}`, credentials.createInsecure()), path);
  }

  status(): Promise<Status> {
    return this.call((md, opts, cb) => this.client.getStatus({}, md, opts, cb));
  }

  identity(): Promise<Identity> {
    return this.call((md, opts, cb) => this.client.getIdentity({}, md, opts, cb));
  }

  async affiliates(raw: boolean): Promise<Affiliate[]> {
    return (
      await this.call<AffiliateList>((md, opts, cb) => this.client.listAffiliates({ raw }, md, opts, cb))
    ).items;
  }

  async members(): Promise<Member[]> {
    return (await this.call<MemberList>((md, opts, cb) => this.client.listMembers({}, md, opts, cb))).items;
  }

  async peerSpecs(): Promise<PeerSpec[]> {
    return (await this.call<PeerSpecList>((md, opts, cb) => this.client.listPeerSpecs({}, md, opts, cb)))
      .items;
  }

  async peerStatuses(): Promise<PeerStatus[]> {
    return (await this.call<PeerStatusList>((md, opts, cb) => this.client.listPeerStatuses({}, md, opts, cb)))
      .items;
  }

  async endpoints(): Promise<EndpointRecord[]> {
    return (await this.call<EndpointList>((md, opts, cb) => this.client.listEndpoints({}, md, opts, cb)))
      .items;
  }

  async leave(): Promise<void> {
    await this.call((md, opts, cb) => this.client.leave({}, md, opts, cb), LEAVE_DEADLINE_MS);
  }

  /**
   * Yields a Status on every change until `signal` aborts (then it returns
   * normally). Ending for any other reason is an error: the daemon stopped.
   */
  async *watch(signal: AbortSignal): AsyncGenerator<Status> {
    if (signal.aborted) return;
    const stream = this.client.watch({});
    const cancel = () => stream.cancel();
    signal.addEventListener("abort", cancel, { once: true });
    try {
      for await (const message of stream) yield message as Status;
    } catch (err) {
      if (signal.aborted) return;
      throw new CliError(describeCallError(err as ServiceError, this.socketPath));
    } finally {
      signal.removeEventListener("abort", cancel);
      stream.cancel();
    }
    if (!signal.aborted) throw new CliError("kubespand ended the watch: it is shutting down");
  }

  close(): void {
    this.client.close();
  }

  private call<T>(
    invoke: (md: Metadata, options: { deadline: Date }, callback: Callback<T>) => ClientUnaryCall,
    deadlineMs = READ_DEADLINE_MS,
  ): Promise<T> {
    return new Promise((done, fail) => {
      invoke(new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (err, response) => {
        if (err) fail(new CliError(describeCallError(err, this.socketPath)));
        else done(response);
      });
    });
  }
}
