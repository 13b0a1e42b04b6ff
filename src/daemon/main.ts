// kubespand's process lifecycle: configuration, logging, the daemon, the
// local API and metrics listeners, signals and systemd notifications.
import { pino } from "pino";
import { startApiServer } from "../api/server.js";
import { type Config, ConfigError, diffConfig, loadConfig, needsRestart } from "../config/index.js";
import { VERSION } from "../version.js";
import { daemonApiSource } from "./api-source.js";
import { Daemon, errorMessage } from "./daemon.js";
import { startMetricsServer } from "./metrics.js";
import { createNotifier } from "./sd-notify.js";

export interface MainOptions {
  configPath: string;
  checkConfig: boolean;
  cleanupOnExit: boolean;
  logLevel?: string | undefined;
}

/** Returns the process exit code. */
export async function main(options: MainOptions): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(options.configPath);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : errorMessage(err)}\n`);
    return 1;
  }
  if (options.checkConfig) {
    process.stdout.write(`${options.configPath}: configuration is valid\n`);
    return 0;
  }

  const logger = pino({ level: options.logLevel ?? config.log.level, base: { version: VERSION } });
  process.on("unhandledRejection", (reason) =>
    logger.error({ err: errorMessage(reason) }, "unhandled rejection"),
  );
  const notifier = createNotifier();
  const daemon = new Daemon({ config, logger });
  const source = daemonApiSource(daemon);
  const stopWatchdog = notifier.startWatchdog((err) =>
    logger.warn({ err: err.message }, "watchdog ping failed"),
  );

  if (notifier.enabled) {
    // Building every peer's status for the line costs real CPU with many
    // peers: only when systemd is there to read it.
    daemon.on("ready", () => notifier.ready(statusLine(source.status().peers.map((p) => p.state))));
    daemon.on("change", () => notifier.status(statusLine(source.status().peers.map((p) => p.state))));
  }

  try {
    await daemon.start();
  } catch (err) {
    logger.fatal({ err: errorMessage(err) }, "cannot start");
    await daemon.stop({ cleanup: false }).catch(() => {});
    stopWatchdog();
    return 1;
  }
  const api = await startApiServer({ socketPath: config.api.socket, mode: 0o660, source, logger });
  const metricsAddress = config.metrics.address;
  if (metricsAddress) daemon.metrics.collectProcessMetrics();
  const metrics = metricsAddress
    ? await startMetricsServer(daemon.metrics, metricsAddress.ip.toString(), metricsAddress.port, () => {
        const loop = daemon.loop.status();
        return { ok: loop.consecutiveFailures === 0, detail: loop.lastError || "ok" };
      })
    : undefined;

  return await new Promise<number>((resolve) => {
    let reloading = Promise.resolve();
    process.on("SIGHUP", () => {
      reloading = reloading.then(() => reload(options.configPath, daemon, logger));
    });
    const shutdown = async (signal: string) => {
      logger.info({ signal }, "stopping");
      notifier.stopping();
      stopWatchdog();
      await daemon.stop({ cleanup: options.cleanupOnExit });
      await api.close();
      metrics?.close();
      resolve(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  });
}

async function reload(path: string, daemon: Daemon, logger: pino.Logger): Promise<void> {
  let next: Config;
  try {
    next = loadConfig(path);
  } catch (err) {
    logger.error(
      { err: errorMessage(err) },
      "reload refused: configuration invalid; keeping the running one",
    );
    return;
  }
  const changes = diffConfig(daemon.currentConfig, next);
  if (changes.length === 0) {
    logger.info("reload: configuration unchanged");
    return;
  }
  if (needsRestart(changes)) {
    const paths = changes.filter((c) => c.kind === "restart").map((c) => c.path);
    logger.error(
      { paths },
      "reload refused: these changes need a restart; keeping the running configuration",
    );
    return;
  }
  await daemon.reload(
    next,
    changes.map((c) => c.path),
  );
}

function statusLine(states: readonly string[]): string {
  const up = states.filter((s) => s === "up").length;
  return `${states.length} peers, ${up} up`;
}
