// Request failures the protocol defines, with their exact wire messages
// (discovery protocol §4.2). The transport maps `kind` to a gRPC status code;
// the state model stays free of gRPC.

export type DiscoveryErrorKind = "invalid-argument" | "resource-exhausted";

export class DiscoveryError extends Error {
  override name = "DiscoveryError";

  constructor(
    readonly kind: DiscoveryErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const MESSAGES = {
  clusterIdEmpty: "cluster ID can't be empty",
  clusterIdTooLong: "cluster ID is too long",
  affiliateIdEmpty: "affiliate ID can't be empty",
  affiliateIdTooLong: "affiliate ID is too long",
  dataTooBig: "affiliate data is too big",
  endpointTooBig: "affiliate endpoint is too big",
  ttlTooLarge: "ttl is too large",
  tooManyAffiliates: "too many affiliates in the cluster",
  tooManyEndpoints: "too many endpoints in the affiliate",
  rateLimited: "rate limit exceeds request timeout",
  lostUpdate: "subscription canceled: lost update",
} as const;

export const invalidArgument = (message: string): DiscoveryError =>
  new DiscoveryError("invalid-argument", message);

export const resourceExhausted = (message: string): DiscoveryError =>
  new DiscoveryError("resource-exhausted", message);
