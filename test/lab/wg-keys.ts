// Fresh WireGuard (X25519) key pairs for tests, in standard base64.
import { generateKeyPairSync, randomBytes } from "node:crypto";

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

export function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const d = privateKey.export({ format: "jwk" }).d;
  const x = publicKey.export({ format: "jwk" }).x;
  if (!d || !x) throw new Error("X25519 key export failed");
  return { privateKey: fromBase64Url(d), publicKey: fromBase64Url(x) };
}

/** A random 32-byte key, e.g. a preshared key or a public key nobody holds. */
export function randomKey(): string {
  return randomBytes(32).toString("base64");
}

function fromBase64Url(text: string): string {
  return Buffer.from(text, "base64url").toString("base64");
}
