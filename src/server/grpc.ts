// The sidero.discovery.server.Cluster service over grpc-js (discovery
// protocol §3): validation, state changes and replies. Watch lives in
// watch.ts; the state model does the deciding.
import { type handleUnaryCall, type ServiceDefinition, status } from "@grpc/grpc-js";
import {
  type AffiliateDeleteRequest,
  type AffiliateDeleteResponse,
  type AffiliateUpdateRequest,
  type AffiliateUpdateResponse,
  ClusterService,
  type HelloRequest,
  type HelloResponse,
  type ListRequest,
  type ListResponse,
} from "../gen/sidero/discovery/server/cluster.js";
import { admitCall, beginCall, type CallContext, type CallEnvironment, failCall } from "./call-context.js";
import type { ServerMetrics } from "./metrics.js";
import type { MethodName, RpcFields } from "./rpc-observer.js";
import type { DiscoveryState } from "./state/state.js";
import { validateAffiliateId, validateClusterId, validateUpdate } from "./validate.js";
import { clientVersionLabel } from "./version-label.js";
import { type WatchEnvironment, watchHandler } from "./watch.js";

export interface ServiceEnvironment extends CallEnvironment, WatchEnvironment {
  readonly state: DiscoveryState;
  /** State time in milliseconds since the epoch. */
  readonly now: () => number;
  readonly metrics: ServerMetrics;
  /** Sent in every Hello when set (`host:port`). */
  readonly redirectEndpoint: string | undefined;
  /** Whether Hello echoes the caller's IP. */
  readonly reportClientIP: boolean;
}

/**
 * The generated definition, except that Watch responses are written as
 * ready-made bytes: one event is encoded once and sent to every watcher.
 */
export const DISCOVERY_SERVICE = {
  ...ClusterService,
  watch: { ...ClusterService.watch, responseSerialize: (bytes: Buffer): Buffer => bytes },
} as const satisfies ServiceDefinition;

function unary<Req, Res>(
  env: ServiceEnvironment,
  method: MethodName,
  fields: (request: Req) => RpcFields,
  handle: (request: Req, ctx: CallContext) => Res,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const ctx = beginCall(env, call, method, "unary");
    Object.assign(ctx.record.fields, fields(call.request));
    const fail = (err: unknown) => callback(failCall(ctx, err));
    admitCall(
      env,
      call,
      ctx,
      () => {
        let response: Res;
        try {
          response = handle(call.request, ctx);
        } catch (err) {
          return fail(err);
        }
        ctx.record.finish(status.OK);
        ctx.record.sent();
        callback(null, response);
      },
      fail,
    );
  };
}

const EMPTY = Buffer.alloc(0);

export function createImplementation(env: ServiceEnvironment) {
  const hello = (request: HelloRequest, ctx: CallContext): HelloResponse => {
    validateClusterId(request.clusterId);
    env.metrics.helloRequests.inc({ client_version: clientVersionLabel(request.clientVersion) });
    return {
      redirect: env.redirectEndpoint ? { endpoint: env.redirectEndpoint } : undefined,
      clientIp: env.reportClientIP && ctx.ip ? ctx.ip.toBytes() : EMPTY,
    };
  };
  const affiliateUpdate = (request: AffiliateUpdateRequest): AffiliateUpdateResponse => {
    const update = validateUpdate(request);
    env.state.cluster(request.clusterId).update(update, env.now());
    return {};
  };
  const affiliateDelete = (request: AffiliateDeleteRequest): AffiliateDeleteResponse => {
    validateClusterId(request.clusterId);
    validateAffiliateId(request.affiliateId);
    env.state.cluster(request.clusterId).delete(request.affiliateId);
    return {};
  };
  const list = (request: ListRequest): ListResponse => {
    validateClusterId(request.clusterId);
    const affiliates = env.state.cluster(request.clusterId).list();
    return { affiliates: affiliates.map((a) => ({ id: a.id, data: a.data, endpoints: [...a.endpoints] })) };
  };
  const byAffiliate = (r: { clusterId: string; affiliateId: string }) => ({
    cluster: r.clusterId,
    affiliate: r.affiliateId,
  });
  return {
    hello: unary(
      env,
      "Hello",
      (r: HelloRequest) => ({ cluster: r.clusterId, clientVersion: r.clientVersion }),
      hello,
    ),
    affiliateUpdate: unary(env, "AffiliateUpdate", byAffiliate, affiliateUpdate),
    affiliateDelete: unary(env, "AffiliateDelete", byAffiliate, affiliateDelete),
    list: unary(env, "List", (r: ListRequest) => ({ cluster: r.clusterId }), list),
    watch: watchHandler(env),
  };
}
