// Listen addresses in the Go form the upstream flags use: `host:port`,
// `[v6]:port`, or `:port` for every interface.

export class ListenAddressError extends Error {
  override name = "ListenAddressError";
}

export interface ListenAddress {
  /** Undefined means every interface. */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListenAddress(text: string, what: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new ListenAddressError(
      `${what}: expected "host:port", "[ipv6]:port" or ":port" with a port from 0 to 65535, got ${JSON.stringify(text)}`,
    );
  }
  const host = match[1] ?? match[2];
  return { host: host === "" ? undefined : host, port };
}

/**
 * gRPC bind targets to try in order. Every interface means the IPv6
 * wildcard, which also accepts IPv4, or the IPv4 one on hosts without IPv6.
 */
export function grpcBindTargets(address: ListenAddress): string[] {
  const { host, port } = address;
  if (host === undefined) return [`[::]:${port}`, `0.0.0.0:${port}`];
  return [host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`];
}

/** A target a local client can dial to reach the listener. */
export function localTarget(address: ListenAddress, port: number): string {
  const host = address.host ?? "localhost";
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
