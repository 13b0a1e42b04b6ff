// Encryption of discovery payloads (discovery spec §5).
//
// Affiliate data: AES-256-GCM, blob = nonce(12) ‖ ciphertext ‖ tag(16), empty
// associated data, a fresh random nonce for every encryption.
// Endpoints: AES-256-ECB over `len(e) ‖ e` zero-padded to 16 bytes. ECB is
// deterministic on purpose: the server deduplicates endpoints by byte equality.
//
// Error policy, by trust boundary:
// - input from the network (`decrypt*`) returns a Result and never throws,
//   because a hostile or corrupt blob must only cost the record it came in;
// - input from this node (the configured secret, plaintext to encrypt) throws
//   CryptoError, because it is a configuration error or a bug.
// No error message ever contains key material.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { decodeKey32 } from "../identity/keys.js";

/** The outcome of handling untrusted input: a value, or a typed error. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

export type CryptoErrorKind =
  | "invalid-secret"
  | "invalid-nonce"
  | "endpoint-too-long"
  | "truncated"
  | "misaligned"
  | "bad-length-byte"
  | "authentication-failed";

export class CryptoError extends Error {
  override name = "CryptoError";
  constructor(
    readonly kind: CryptoErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const GCM_OVERHEAD = GCM_NONCE_BYTES + GCM_TAG_BYTES;
export const AES_BLOCK_BYTES = 16;
/** The length prefix is one byte, and two blocks are the most the server accepts. */
export const MAX_ENDPOINT_PROTOBUF_BYTES = 2 * AES_BLOCK_BYTES - 1;

/**
 * The AES-256 key derived from the cluster secret. The bytes live only in a
 * KeyObject, which prints and serialises without its material.
 */
export class ClusterKey {
  private constructor(readonly keyObject: KeyObject) {}

  /** `base64_std_decode(secret)`, exactly 32 bytes. Throws CryptoError("invalid-secret"). */
  static fromSecret(secret: string): ClusterKey {
    const bytes = decodeKey32(secret);
    if (!bytes) {
      throw new CryptoError(
        "invalid-secret",
        `cluster secret must be standard base64 (with padding) of exactly 32 bytes, but it ${describeBadSecret(secret)}`,
      );
    }
    const key = new ClusterKey(createSecretKey(bytes));
    bytes.fill(0); // createSecretKey copied it; leave no stray copy behind
    return key;
  }

  toString(): string {
    return "ClusterKey(redacted)";
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * Seals the affiliate protobuf. `nonce` exists for the fixed test vectors
 * only; production callers leave it out and get a fresh random one.
 */
export function encryptAffiliateData(
  key: ClusterKey,
  plaintext: Uint8Array,
  nonce: Uint8Array = randomBytes(GCM_NONCE_BYTES),
): Buffer {
  if (nonce.length !== GCM_NONCE_BYTES) {
    throw new CryptoError("invalid-nonce", `GCM nonce must be ${GCM_NONCE_BYTES} bytes, got ${nonce.length}`);
  }
  const cipher = createCipheriv("aes-256-gcm", key.keyObject, nonce, { authTagLength: GCM_TAG_BYTES });
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function decryptAffiliateData(key: ClusterKey, blob: Uint8Array): Result<Buffer, CryptoError> {
  if (blob.length < GCM_OVERHEAD) {
    return fail(
      "truncated",
      `affiliate data blob is ${blob.length} bytes, expected at least ${GCM_OVERHEAD}`,
    );
  }
  const nonce = blob.subarray(0, GCM_NONCE_BYTES);
  const tag = blob.subarray(blob.length - GCM_TAG_BYTES);
  const ciphertext = blob.subarray(GCM_NONCE_BYTES, blob.length - GCM_TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.keyObject, nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAuthTag(tag);
    return ok(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    return fail("authentication-failed", "affiliate data blob failed authentication (wrong key or tampered)");
  }
}

/**
 * Seals one encoded `Endpoint` protobuf. Refuses more than 31 bytes: the
 * length prefix is a single byte and upstream would silently truncate it.
 */
export function encryptEndpointBlock(key: ClusterKey, endpointProtobuf: Uint8Array): Buffer {
  if (endpointProtobuf.length > MAX_ENDPOINT_PROTOBUF_BYTES) {
    throw new CryptoError(
      "endpoint-too-long",
      `endpoint protobuf is ${endpointProtobuf.length} bytes, at most ${MAX_ENDPOINT_PROTOBUF_BYTES} fit`,
    );
  }
  const framedLength = 1 + endpointProtobuf.length;
  const padded = Buffer.alloc(Math.ceil(framedLength / AES_BLOCK_BYTES) * AES_BLOCK_BYTES);
  padded[0] = endpointProtobuf.length;
  padded.set(endpointProtobuf, 1);
  const cipher = createCipheriv("aes-256-ecb", key.keyObject, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

/** Returns the `Endpoint` protobuf inside a blob, padding removed. */
export function decryptEndpointBlock(key: ClusterKey, blob: Uint8Array): Result<Buffer, CryptoError> {
  if (blob.length < AES_BLOCK_BYTES) {
    return fail("truncated", `endpoint blob is ${blob.length} bytes, expected at least ${AES_BLOCK_BYTES}`);
  }
  if (blob.length % AES_BLOCK_BYTES !== 0) {
    return fail("misaligned", `endpoint blob is ${blob.length} bytes, not a multiple of ${AES_BLOCK_BYTES}`);
  }
  const decipher = createDecipheriv("aes-256-ecb", key.keyObject, null);
  decipher.setAutoPadding(false);
  const framed = Buffer.concat([decipher.update(blob), decipher.final()]);
  const length = framed[0] ?? 0;
  if (1 + length > framed.length) {
    return fail(
      "bad-length-byte",
      `endpoint blob announces ${length} bytes but only ${framed.length - 1} follow (wrong key or garbage)`,
    );
  }
  return ok(framed.subarray(1, 1 + length));
}

/** Says what is wrong with a secret without revealing any of it. */
function describeBadSecret(secret: string): string {
  if (secret.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(secret)) {
    return `is not standard base64 (${secret.length} characters)`;
  }
  return `decodes to ${Buffer.from(secret, "base64").length} bytes`;
}

function fail(kind: CryptoErrorKind, message: string): { ok: false; error: CryptoError } {
  return err(new CryptoError(kind, message));
}
