// Conversions between the base64 keys used above the backends and the wire
// forms below them. Error messages name the field but never echo the value,
// because the same functions handle private and preshared keys.
import { WireGuardError } from "./types.js";

export const KEY_LENGTH = 32;

/** The all-zero key: for a preshared key it means "none". */
export const ZERO_KEY = Buffer.alloc(KEY_LENGTH).toString("base64");

const BASE64_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const HEX_KEY = /^[0-9a-f]{64}$/;

export function keyBytes(key: string, field: string): Buffer {
  if (!BASE64_KEY.test(key)) {
    throw new WireGuardError(`${field}: expected a 32-byte key in standard base64 (44 characters)`);
  }
  return Buffer.from(key, "base64");
}

export function keyFromBytes(bytes: Uint8Array, field: string): string {
  if (bytes.length !== KEY_LENGTH) {
    throw new WireGuardError(`${field}: expected ${KEY_LENGTH} key bytes, got ${bytes.length}`);
  }
  return Buffer.from(bytes).toString("base64");
}

export function keyToHex(key: string, field: string): string {
  return keyBytes(key, field).toString("hex");
}

export function keyFromHex(hex: string, field: string): string {
  if (!HEX_KEY.test(hex)) throw new WireGuardError(`${field}: expected 64 lowercase hex digits`);
  return Buffer.from(hex, "hex").toString("base64");
}

export function isZeroKey(key: string | undefined): boolean {
  return key === undefined || key === ZERO_KEY;
}

/** A public key shortened for log lines ("abcdEFGH…"). Never use on secrets. */
export function shortKey(publicKey: string): string {
  return `${publicKey.slice(0, 8)}…`;
}
