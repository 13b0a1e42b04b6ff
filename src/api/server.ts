// The local control API: gRPC over a unix socket, for kubespanctl. Access
// control is the socket's file mode (root and the owning group), so the
// socket is created in a root-owned directory and chmod'ed right after bind.
import { chmod, mkdir, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { KubeSpanService } from "../gen/kubespan/v1/api.js";
import { createHandlers } from "./handlers.js";
import { probeSocket } from "./socket-probe.js";
import type { ApiSource } from "./source.js";

/** How long a live daemon gets to accept a probe connection before we call it hung. */
const PROBE_TIMEOUT_MS = 1_000;
/** Open unary calls get this long to finish on close before connections are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

export interface ApiServerOptions {
  socketPath: string;
  /** File mode of the socket, e.g. 0o660: root and the socket's group may connect. */
  mode: number;
  source: ApiSource;
  logger: Logger;
}

export interface ApiServer {
  /** Ends open Watch streams, stops the server and removes the socket file. */
  close(): Promise<void>;
}

export class ApiServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiServerError";
  }
}

async function claimSocketPath(path: string, logger: Logger): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const probe = await probeSocket(path, PROBE_TIMEOUT_MS);
  switch (probe.state) {
    case "missing":
      return;
    case "stale":
      logger.info({ socket: path }, "removing stale API socket left by a previous kubespand");
      await rm(path, { force: true });
      return;
    case "live":
    case "timeout":
      throw new ApiServerError(`another kubespand is already serving on ${path}; stop it first`);
    case "not-socket":
      throw new ApiServerError(`${path} exists and is not a socket; refusing to replace it`);
    case "denied":
      throw new ApiServerError(`permission denied on ${path}`);
    case "error":
      throw new ApiServerError(`cannot check ${path}: ${probe.message}`);
  }
}

function bind(server: Server, path: string): Promise<void> {
  return new Promise((done, fail) => {
    server.bindAsync(`unix://${path}`, ServerCredentials.createInsecure(), (err) => {
      if (err) fail(new ApiServerError(`cannot listen on ${path}: ${err.message}`));
      else done();
    });
  });
}

function shutdown(server: Server): Promise<void> {
  return new Promise((done) => {
    const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      done();
    });
  });
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const path = resolve(options.socketPath);
  const logger = options.logger;
  await claimSocketPath(path, logger);

  const handlers = createHandlers(options.source, logger);
  const server = new Server();
  server.addService(KubeSpanService, handlers.implementation);
  await bind(server, path);
  try {
    await chmod(path, options.mode);
  } catch (err) {
    server.forceShutdown();
    await rm(path, { force: true });
    throw new ApiServerError(`cannot set the mode of ${path}: ${(err as Error).message}`);
  }
  logger.info({ socket: path, mode: options.mode.toString(8) }, "local API listening");

  let closing: Promise<void> | undefined;
  return {
    close: () => {
      closing ??= (async () => {
        handlers.endWatches();
        await shutdown(server);
        await rm(path, { force: true });
      })();
      return closing;
    },
  };
}
