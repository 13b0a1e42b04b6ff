// The two plain HTTP listeners: the landing pages and the metrics endpoint
// (discovery protocol §7.1, §7.11), plus health and readiness probes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { ListenAddress } from "./listen-address.js";
import { inspectPage, LANDING_PAGE } from "./pages.js";
import type { DiscoveryState } from "./state/state.js";
import type { CachedCount } from "./stats.js";
import { validateClusterId } from "./validate.js";

export type Route = (url: URL, res: ServerResponse) => void | Promise<void>;

export interface HttpListener {
  readonly port: number;
  close(): Promise<void>;
}

function send(
  res: ServerResponse,
  code: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(code, { "content-type": type, "content-length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

const text = (res: ServerResponse, code: number, body: string) =>
  send(res, code, "text/plain; charset=utf-8", body);

/** Serves GET and HEAD on the given paths; everything else is 404 or 405. */
export async function listenHttp(
  address: ListenAddress,
  routes: Record<string, Route>,
): Promise<HttpListener> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
    if (!route) return text(res, 404, "not found\n");
    if (req.method !== "GET" && req.method !== "HEAD") return text(res, 405, "method not allowed\n");
    try {
      await route(url, res);
    } catch {
      if (!res.headersSent) text(res, 500, "internal error\n");
    }
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  // Slow-header clients must not hold connections open forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const healthz: Route = (_url, res) => text(res, 200, "ok\n");

export function landingRoutes(
  stats: CachedCount,
  state: DiscoveryState,
  options: { inspect: boolean },
): Record<string, Route> {
  const routes: Record<string, Route> = {
    "/": (_url, res) => send(res, 200, "text/html; charset=utf-8", LANDING_PAGE),
    "/healthz": healthz,
    "/stats": (_url, res) =>
      send(res, 200, "application/json", JSON.stringify({ affiliates: stats.value() }), {
        "access-control-allow-origin": "*",
      }),
  };
  if (options.inspect) {
    routes["/inspect"] = (url, res) => {
      const clusterId = url.searchParams.get("clusterID") ?? "";
      try {
        validateClusterId(clusterId);
      } catch (err) {
        return text(res, 400, `${(err as Error).message}\n`);
      }
      // Looking at a cluster must not create it.
      const cluster = state.find(clusterId);
      send(res, 200, "text/html; charset=utf-8", inspectPage(clusterId, cluster ? cluster.list() : []));
    };
  }
  return routes;
}

export function metricsRoutes(registry: Registry, ready: () => boolean): Record<string, Route> {
  return {
    "/metrics": async (_url, res) => send(res, 200, registry.contentType, await registry.metrics()),
    "/healthz": healthz,
    "/readyz": (_url, res) => (ready() ? text(res, 200, "ready\n") : text(res, 503, "not ready\n")),
  };
}
