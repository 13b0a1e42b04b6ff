// Errors from rtnetlink requests. The `netlink` package rejects with a plain
// Error whose message carries the errno name; this recovers the name so that
// callers can branch on it (EEXIST, ENOENT, EOPNOTSUPP …).

export class RtnlError extends Error {
  override name = "RtnlError";
  constructor(
    message: string,
    /** errno name such as "EEXIST", or undefined when the failure was not an errno. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export function errnoCode(err: unknown): string | undefined {
  if (err instanceof RtnlError) return err.code;
  const message = err instanceof Error ? err.message : String(err);
  return /Request rejected: (E[A-Z0-9]+)/.exec(message)?.[1];
}

/** Runs a request and rethrows its failure as an RtnlError that says what was being done. */
export async function attempt<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    const code = errnoCode(err);
    const reason = code ?? (err instanceof Error ? err.message : String(err));
    throw new RtnlError(`${action}: ${reason}`, code);
  }
}
