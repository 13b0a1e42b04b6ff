// The jxskiss/base62 standard encoding (kubespan-node spec §2.2), which Talos
// uses for node IDs. It packs bits, least significant first, into 6-bit
// characters, except that the values 30, 31, 62 and 63 are emitted as 5-bit
// characters (`e`/`f`) so that 62 symbols suffice. It is NOT big-integer
// base 62: generic base62 libraries produce different strings.
import { IdentityError } from "./errors.js";

export const BASE62_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** True for the values whose low 5 bits are 11110 or 11111. */
const isShortChunk = (v: number): boolean => (v & 0x1e) === 0x1e;

export function base62Encode(bytes: Uint8Array): string {
  let n = bytesToBigInt(bytes);
  let remaining = bytes.length * 8;
  let out = "";
  while (remaining > 0) {
    if (remaining > 6) {
      const v = Number(n & 0x3fn);
      const width = isShortChunk(v) ? 5 : 6;
      out += BASE62_ALPHABET[v & ((1 << width) - 1)];
      n >>= BigInt(width);
      remaining -= width;
      continue;
    }
    // The final chunk: only a 6-bit value of 62 or 63 still needs splitting,
    // which leaves a single set bit for one more character ("B").
    const v = Number(n);
    if (isShortChunk(v) && v > 31) {
      out += BASE62_ALPHABET[v & 0x1f];
      n >>= 5n;
      remaining -= 5;
      continue;
    }
    out += BASE62_ALPHABET[v];
    break;
  }
  return out;
}

/** Throws IdentityError on a character outside the alphabet. */
export function base62Decode(text: string): Buffer {
  let acc = 0n;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const x = BASE62_ALPHABET.indexOf(text.charAt(i));
    if (x < 0) {
      throw new IdentityError(
        `base62: character ${JSON.stringify(text.charAt(i))} at position ${i} is outside the alphabet`,
      );
    }
    acc |= BigInt(x) << BigInt(bits);
    // The last character carries only its significant bits.
    if (i === text.length - 1) bits += 32 - Math.clz32(x);
    else bits += isShortChunk(x) ? 5 : 6;
  }
  return bigIntToBytes(acc, Math.ceil(bits / 8));
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigIntToBytes(n: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
