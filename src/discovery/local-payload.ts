// What a node publishes: its affiliate, its own endpoints, and the endpoints
// it observed for other affiliates. Sealed once per change (a fresh GCM
// nonce each time), then re-sent unchanged on every refresh.
import type { Affiliate } from "../cluster/affiliate.js";
import type { Endpoint } from "../net/ip.js";

export const MAX_DATA_BLOB = 2048;
export const MAX_ENDPOINT_BLOB = 32;
export const MAX_ENDPOINTS = 64;
export const MAX_TTL_SECONDS = 30 * 60;

export interface LocalPayload {
  affiliate: Affiliate;
  /** Own endpoints, best first. */
  endpoints: Endpoint[];
  /** Endpoints observed for other affiliates (the harvest). */
  others: Array<{ affiliateId: string; endpoints: Endpoint[] }>;
}

/** One AffiliateUpdate request, minus the cluster ID. */
export interface SealedUpdate {
  affiliateId: string;
  affiliateData?: Buffer;
  affiliateEndpoints: Buffer[];
  ttl: { seconds: number; nanos: number };
}

export interface PayloadCrypto {
  /** Protobuf plaintext of the affiliate (used for equality and for sealing). */
  encodeAffiliate(affiliate: Affiliate): Buffer;
  encryptData(plaintext: Uint8Array): Buffer;
  encryptEndpoint(endpoint: Endpoint): Buffer;
}

export interface SealOutcome {
  updates: SealedUpdate[];
  /** Problems fixed locally before sending (discovery spec §6.11). */
  warnings: string[];
}

/** Plaintext equality: ciphertexts always differ, so they can never be compared. */
export function samePayload(crypto: PayloadCrypto, a: LocalPayload, b: LocalPayload): boolean {
  return (
    crypto.encodeAffiliate(a.affiliate).equals(crypto.encodeAffiliate(b.affiliate)) &&
    sameEndpoints(a.endpoints, b.endpoints) &&
    a.others.length === b.others.length &&
    a.others.every(
      (o, i) =>
        o.affiliateId === b.others[i]?.affiliateId &&
        sameEndpoints(o.endpoints, b.others[i]?.endpoints ?? []),
    )
  );
}

function sameEndpoints(a: Endpoint[], b: Endpoint[]): boolean {
  return a.length === b.length && a.every((e, i) => b[i] !== undefined && e.equals(b[i]));
}

/**
 * Seals a payload into the requests of one refresh, enforcing the server's
 * limits locally so an oversized request never causes a reconnect loop: own
 * endpoints beyond 64 are trimmed from the end (lowest priority first); a data
 * blob over 2048 bytes is an error, since dropping fields would publish a lie.
 */
export function sealPayload(crypto: PayloadCrypto, payload: LocalPayload, ttlSeconds: number): SealOutcome {
  const warnings: string[] = [];
  const seconds = Math.min(ttlSeconds, MAX_TTL_SECONDS);
  const ttl = { seconds, nanos: 0 };
  const data = crypto.encryptData(crypto.encodeAffiliate(payload.affiliate));
  if (data.length > MAX_DATA_BLOB) {
    throw new Error(
      `affiliate data is ${data.length} bytes sealed, above the server limit of ${MAX_DATA_BLOB}`,
    );
  }
  const own = sealEndpoints(crypto, payload.endpoints, warnings, "own");
  const updates: SealedUpdate[] = [
    { affiliateId: payload.affiliate.nodeId, affiliateData: data, affiliateEndpoints: own, ttl },
  ];
  for (const other of payload.others) {
    const endpoints = sealEndpoints(crypto, other.endpoints, warnings, other.affiliateId);
    if (endpoints.length > 0)
      updates.push({ affiliateId: other.affiliateId, affiliateEndpoints: endpoints, ttl });
  }
  return { updates, warnings };
}

function sealEndpoints(
  crypto: PayloadCrypto,
  endpoints: Endpoint[],
  warnings: string[],
  owner: string,
): Buffer[] {
  const sealed: Buffer[] = [];
  for (const endpoint of endpoints) {
    const blob = crypto.encryptEndpoint(endpoint);
    if (blob.length > MAX_ENDPOINT_BLOB) {
      warnings.push(`dropping ${owner} endpoint ${endpoint}: ${blob.length} bytes sealed`);
      continue;
    }
    if (sealed.some((b) => b.equals(blob))) continue;
    if (sealed.length === MAX_ENDPOINTS) {
      warnings.push(`dropping ${owner} endpoint ${endpoint}: more than ${MAX_ENDPOINTS} endpoints`);
      continue;
    }
    sealed.push(blob);
  }
  return sealed;
}
