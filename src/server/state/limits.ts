// The protocol's fixed limits (discovery protocol §4.1). They are part of the
// wire contract: clients size their requests by them, so they are constants,
// not configuration.

export const MAX_CLUSTER_ID_BYTES = 256;
export const MAX_AFFILIATE_ID_BYTES = 256;
export const MAX_AFFILIATE_DATA_BYTES = 2048;
export const MAX_ENDPOINT_BYTES = 32;
export const MAX_TTL_MS = 30 * 60 * 1000;
export const MAX_AFFILIATES_PER_CLUSTER = 1024;
export const MAX_ENDPOINTS_PER_AFFILIATE = 64;

/** Events a Watch stream may have pending before it is cancelled as too slow. */
export const SUBSCRIBER_BUFFER = 32;
