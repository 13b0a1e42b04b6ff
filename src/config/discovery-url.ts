// Discovery service URLs → gRPC targets (discovery-protocol.md §1).
//
// `https://` and `grpc://` mean TLS with default port 443, `http://` means
// plaintext h2c with default port 80. The path carries no meaning; legacy
// Talos configs require it to be empty or "/", and so do we, so that a URL
// pointing somewhere specific is not silently shortened.

export interface DiscoveryTarget {
  /** gRPC target `host:port`; IPv6 hosts keep their brackets. */
  readonly target: string;
  readonly tls: boolean;
}

export class DiscoveryURLError extends Error {
  override name = "DiscoveryURLError";
}

const SCHEMES: Readonly<Record<string, { tls: boolean; port: number }>> = {
  "https:": { tls: true, port: 443 },
  "grpc:": { tls: true, port: 443 },
  "http:": { tls: false, port: 80 },
};

// `grpc:` is not a WHATWG special scheme, so its host is not validated by
// the URL parser: accept DNS names, IPv4 and bracketed IPv6 only.
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)$/;

/** Normalises a discovery URL. Throws DiscoveryURLError when it is not usable. */
export function normalizeDiscoveryEndpoint(url: string): DiscoveryTarget {
  const result = analyse(url);
  if (typeof result === "string") throw new DiscoveryURLError(`discovery endpoint ${result}`);
  return result;
}

/** Why `url` is not a usable discovery URL ("must …, found …"), or undefined. */
export function discoveryURLProblem(url: string): string | undefined {
  const result = analyse(url);
  return typeof result === "string" ? result : undefined;
}

function analyse(text: string): DiscoveryTarget | string {
  const found = `found ${JSON.stringify(text)}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be a URL such as https://discovery.talos.dev/, ${found}`;
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) return `must use scheme http, https or grpc, ${found}`;
  const host = url.hostname.toLowerCase();
  if (host === "" || !HOST.test(host)) return `must name a host, ${found}`;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return `must not carry user info, a query or a fragment, ${found}`;
  }
  if (url.pathname !== "" && url.pathname !== "/") return `must have an empty path or "/", ${found}`;
  const port = url.port === "" ? scheme.port : Number(url.port);
  return { target: `${host}:${port}`, tls: scheme.tls };
}
