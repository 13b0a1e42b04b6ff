// Finds out what sits at a unix socket path without speaking any protocol:
// the daemon uses it to tell a crashed predecessor's leftover file from a
// live daemon, and kubespanctl to explain why it cannot connect.
import { lstat } from "node:fs/promises";
import { connect } from "node:net";

export type SocketProbe =
  | { state: "live" }
  /** Nothing at the path (or a missing parent directory). */
  | { state: "missing" }
  /** A socket file nobody listens on: left behind by a process that died. */
  | { state: "stale" }
  | { state: "not-socket" }
  | { state: "denied" }
  /** Something accepted nothing within the timeout (a hung listener). */
  | { state: "timeout" }
  | { state: "error"; message: string };

function errnoCode(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
}

function fromErrno(err: unknown): SocketProbe {
  switch (errnoCode(err)) {
    case "ENOENT":
    case "ENOTDIR":
      return { state: "missing" };
    case "ECONNREFUSED":
      return { state: "stale" };
    case "EACCES":
    case "EPERM":
      return { state: "denied" };
    default:
      return { state: "error", message: err instanceof Error ? err.message : String(err) };
  }
}

export async function probeSocket(path: string, timeoutMs: number): Promise<SocketProbe> {
  try {
    // connect() on a regular file also fails with ECONNREFUSED, which would
    // make it look stale and get it deleted: check the file type first.
    if (!(await lstat(path)).isSocket()) return { state: "not-socket" };
  } catch (err) {
    return fromErrno(err);
  }
  return new Promise((resolve) => {
    const socket = connect({ path });
    const finish = (result: SocketProbe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ state: "timeout" }), timeoutMs);
    socket.once("connect", () => finish({ state: "live" }));
    socket.once("error", (err) => finish(fromErrno(err)));
  });
}
