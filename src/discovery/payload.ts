// Sealing and opening whole affiliates: codec + crypto (discovery spec §5;
// kubespan-node spec §4.7). Opening never throws; a bad endpoint blob costs
// only that endpoint, a bad data blob only that affiliate.
import type { Affiliate } from "../cluster/affiliate.js";
import type { Endpoint } from "../net/ip.js";
import {
  type CodecError,
  decodeAffiliate,
  decodeEndpoint,
  encodeAffiliate,
  encodeEndpoint,
} from "./codec.js";
import {
  type ClusterKey,
  type CryptoError,
  decryptAffiliateData,
  decryptEndpointBlock,
  encryptAffiliateData,
  encryptEndpointBlock,
  ok,
  type Result,
} from "./crypto.js";
import type { PayloadCrypto } from "./local-payload.js";
import type { Opener, SealedAffiliate } from "./watch-apply.js";

export type PayloadError = CryptoError | CodecError;

export interface OpenedAffiliate {
  affiliate: Affiliate;
  /** Endpoint blobs that failed to decrypt or decode. */
  skippedEndpoints: number;
}

export function sealEndpoint(key: ClusterKey, endpoint: Endpoint): Buffer {
  return encryptEndpointBlock(key, encodeEndpoint(endpoint));
}

export function openEndpoint(key: ClusterKey, blob: Uint8Array): Result<Endpoint, PayloadError> {
  const plaintext = decryptEndpointBlock(key, blob);
  return plaintext.ok ? decodeEndpoint(plaintext.value) : plaintext;
}

/**
 * Decrypts and decodes one server record. Endpoints are attached only when
 * the affiliate carries a KubeSpan section, as Talos does; duplicates (blobs
 * that differ only in padding or encoding) are kept once.
 */
export function openAffiliate(
  key: ClusterKey,
  record: Pick<SealedAffiliate, "data" | "endpoints">,
): Result<OpenedAffiliate, PayloadError> {
  const plaintext = decryptAffiliateData(key, record.data);
  if (!plaintext.ok) return plaintext;
  const decoded = decodeAffiliate(plaintext.value);
  if (!decoded.ok) return decoded;
  const affiliate = decoded.value;
  let skippedEndpoints = 0;
  if (affiliate.kubespan) {
    for (const blob of record.endpoints) {
      const endpoint = openEndpoint(key, blob);
      if (!endpoint.ok) skippedEndpoints++;
      else if (!affiliate.kubespan.endpoints.some((e) => e.equals(endpoint.value))) {
        affiliate.kubespan.endpoints.push(endpoint.value);
      }
    }
  }
  return ok({ affiliate, skippedEndpoints });
}

/** The sealing and opening functions a discovery client needs, bound to one key. */
export function discoveryPayloadCodec(key: ClusterKey): { crypto: PayloadCrypto; open: Opener } {
  return {
    crypto: {
      encodeAffiliate,
      encryptData: (plaintext) => encryptAffiliateData(key, plaintext),
      encryptEndpoint: (endpoint) => sealEndpoint(key, endpoint),
    },
    open: (record) => {
      const opened = openAffiliate(key, record);
      return opened.ok ? { ok: true, ...opened.value } : { ok: false, reason: opened.error.message };
    },
  };
}
