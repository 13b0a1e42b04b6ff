// The cluster secret: AES-256 key for discovery data and the WireGuard PSK.
//
// It is wrapped so that it cannot leak by accident: string conversion, JSON
// and util.inspect all print "[redacted]", and the bytes sit in a private
// field that neither inspect nor structured logging can see. Callers that
// really need the bytes ask for them with reveal().
import { timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";

export const CLUSTER_SECRET_BYTES = 32;

const REDACTED = "[redacted]";
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class Secret {
  readonly #bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** Decodes a cluster secret. Throws an Error that does not contain the text. */
  static fromClusterSecretText(text: string): Secret {
    const problem = clusterSecretProblem(text);
    if (problem) throw new Error(`cluster secret ${problem}`);
    return new Secret(Buffer.from(text, "base64"));
  }

  /** A copy of the secret bytes. */
  reveal(): Buffer {
    return Buffer.from(this.#bytes);
  }

  equals(other: Secret): boolean {
    return other.#bytes.length === this.#bytes.length && timingSafeEqual(other.#bytes, this.#bytes);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Why `text` is not a valid cluster secret, or undefined when it is. The
 * answer describes the text (its length, its alphabet) but never quotes it.
 */
export function clusterSecretProblem(text: string): string | undefined {
  const expected = `must be standard base64 of exactly ${CLUSTER_SECRET_BYTES} bytes`;
  if (!STANDARD_BASE64.test(text)) {
    return `${expected}, found ${text.length} characters that are not standard base64`;
  }
  const bytes = Buffer.byteLength(text, "base64");
  if (bytes !== CLUSTER_SECRET_BYTES) return `${expected}, found ${bytes} bytes`;
  return undefined;
}
