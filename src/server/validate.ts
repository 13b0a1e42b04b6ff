// Request validation in the protocol's order; the first failure wins
// (discovery protocol §4.3). Blob contents are never inspected: any bytes
// within the size limits are accepted.
import type { Duration } from "../gen/google/protobuf/duration.js";
import type { AffiliateUpdateRequest } from "../gen/sidero/discovery/server/cluster.js";
import type { AffiliateUpdate } from "./state/cluster.js";
import { invalidArgument, MESSAGES } from "./state/errors.js";
import {
  MAX_AFFILIATE_DATA_BYTES,
  MAX_AFFILIATE_ID_BYTES,
  MAX_CLUSTER_ID_BYTES,
  MAX_ENDPOINT_BYTES,
  MAX_TTL_MS,
} from "./state/limits.js";

/** Lengths are counted in UTF-8 bytes, not characters. */
export function validateClusterId(clusterId: string): void {
  if (clusterId === "") throw invalidArgument(MESSAGES.clusterIdEmpty);
  if (Buffer.byteLength(clusterId, "utf8") > MAX_CLUSTER_ID_BYTES) {
    throw invalidArgument(MESSAGES.clusterIdTooLong);
  }
}

export function validateAffiliateId(affiliateId: string): void {
  if (affiliateId === "") throw invalidArgument(MESSAGES.affiliateIdEmpty);
  if (Buffer.byteLength(affiliateId, "utf8") > MAX_AFFILIATE_ID_BYTES) {
    throw invalidArgument(MESSAGES.affiliateIdTooLong);
  }
}

/** An absent ttl is zero; zero and negative are accepted and expire at the next collection. */
export function durationToMs(duration: Duration | undefined): number {
  if (!duration) return 0;
  return duration.seconds * 1000 + duration.nanos / 1e6;
}

export function validateUpdate(request: AffiliateUpdateRequest): AffiliateUpdate {
  validateClusterId(request.clusterId);
  validateAffiliateId(request.affiliateId);
  if (request.affiliateData && request.affiliateData.length > MAX_AFFILIATE_DATA_BYTES) {
    throw invalidArgument(MESSAGES.dataTooBig);
  }
  if (request.affiliateEndpoints.some((endpoint) => endpoint.length > MAX_ENDPOINT_BYTES)) {
    throw invalidArgument(MESSAGES.endpointTooBig);
  }
  const ttlMs = durationToMs(request.ttl);
  if (ttlMs > MAX_TTL_MS) throw invalidArgument(MESSAGES.ttlTooLarge);
  return {
    affiliateId: request.affiliateId,
    data: request.affiliateData,
    endpoints: request.affiliateEndpoints,
    ttlMs,
  };
}
