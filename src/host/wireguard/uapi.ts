// The userspace backend: wireguard-go (or boringtun) driven over its UAPI unix
// socket, one short connection per operation. UAPI needs no batching: the
// implementation reads a `set=1` request of any size as one transaction.
import { once } from "node:events";
import { connect } from "node:net";
import { join } from "node:path";
import { getSystemErrorName } from "node:util";
import { type DevicePatch, type ObservedDevice, type WireGuardBackend, WireGuardError } from "./types.js";
import { encodeSetChunks, ParseMemo, parseGet, replyErrno } from "./uapi-codec.js";

export const DEFAULT_SOCKET_DIR = "/var/run/wireguard";

export interface UapiOptions {
  socketDir?: string;
  /** Per operation; a wedged implementation must not wedge the reconcile loop. */
  timeoutMs?: number;
}

export function uapiSocketPath(ifname: string, socketDir = DEFAULT_SOCKET_DIR): string {
  return join(socketDir, `${ifname}.sock`);
}

export class UapiBackend implements WireGuardBackend {
  readonly kind = "userspace";
  readonly socketPath: string;
  private readonly timeoutMs: number;
  private readonly memo = new ParseMemo();

  constructor(
    readonly ifname: string,
    options: UapiOptions = {},
  ) {
    this.socketPath = uapiSocketPath(ifname, options.socketDir);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async read(): Promise<ObservedDevice> {
    return parseGet(await uapiRequest(this.socketPath, "get=1\n\n", this.timeoutMs), this.memo);
  }

  async configure(patch: DevicePatch): Promise<void> {
    const errno = replyErrno(await uapiRequest(this.socketPath, encodeSetChunks(patch), this.timeoutMs));
    if (errno !== 0) {
      throw new WireGuardError(`${this.ifname}: UAPI set failed with errno ${errno} (${errnoName(errno)})`);
    }
  }

  async close(): Promise<void> {}
}

/** True when something accepts a UAPI `get` on the socket. */
export async function uapiResponds(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    replyErrno(await uapiRequest(socketPath, "get=1\n\n", timeoutMs));
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends one request, given whole or in pieces written as they come (with
 * backpressure), and resolves with the reply, which ends in an empty line.
 */
export function uapiRequest(
  socketPath: string,
  request: string | Iterable<string>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let tail = "";
    let done = false;
    const stopWriting = new AbortController();
    const timer = setTimeout(
      () => finish(new WireGuardError(`UAPI ${socketPath}: no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      stopWriting.abort();
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      // The protocol is ASCII: latin1 decodes it without UTF-8 validation.
      else resolve(Buffer.concat(chunks).toString("latin1"));
    };
    socket.on("connect", async () => {
      const pieces = typeof request === "string" ? [request] : request;
      try {
        for (const piece of pieces) {
          if (done) return;
          if (!socket.write(piece)) await once(socket, "drain", { signal: stopWriting.signal });
        }
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // The reply ends with "\n\n", which may straddle two chunks.
      tail = (tail + chunk.toString("latin1", Math.max(0, chunk.length - 2))).slice(-2);
      if (tail === "\n\n") finish();
    });
    socket.on("error", (err: NodeJS.ErrnoException) =>
      finish(new WireGuardError(`UAPI ${socketPath}: ${err.code ?? err.message}`)),
    );
    socket.on("end", () =>
      finish(new WireGuardError(`UAPI ${socketPath}: connection closed before the reply ended`)),
    );
  });
}

/** Implementations disagree on the sign of errno (wireguard-go sends it negative). */
function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-Math.abs(errno));
  } catch {
    return "unknown";
  }
}
