// WireGuard X25519 keys (kubespan-node spec §3.1), as WireGuard writes them:
// standard base64 with padding, 44 characters for 32 bytes.
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { IdentityError } from "./errors.js";

export const KEY_BYTES = 32;

export interface WireGuardKeyPair {
  privateKey: string;
  publicKey: string;
}

// 43 characters carry 258 bits; the last one before "=" holds 2 spare bits.
// Like Go's base64.StdEncoding (used by Talos for both keys and the cluster
// secret), spare bits are not required to be zero.
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** Decodes standard base64 of exactly 32 bytes; undefined for anything else. */
export function decodeKey32(text: string): Buffer | undefined {
  return BASE64_KEY.test(text) ? Buffer.from(text, "base64") : undefined;
}

export function isValidPublicKey(text: string): boolean {
  return decodeKey32(text) !== undefined;
}

/** X25519 clamping, as `wg genkey` does. */
export function clampPrivateKey(bytes: Uint8Array): Buffer {
  const k = Buffer.from(bytes);
  k[0] = (k[0] ?? 0) & 248;
  k[31] = ((k[31] ?? 0) & 127) | 64;
  return k;
}

export function generateKeyPair(random: (n: number) => Buffer = randomBytes): WireGuardKeyPair {
  const privateKey = clampPrivateKey(random(KEY_BYTES)).toString("base64");
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}

// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): the only import form
// node:crypto accepts without also supplying the public half.
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** X25519(private, basepoint). Throws IdentityError (without the key) on a malformed key. */
export function publicKeyFromPrivate(privateKey: string): string {
  const raw = decodeKey32(privateKey);
  if (!raw) throw new IdentityError("private key must be standard base64 (with padding) of 32 bytes");
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, raw]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = createPublicKey(key).export({ format: "jwk" });
  return Buffer.from(String(jwk.x), "base64url").toString("base64");
}
