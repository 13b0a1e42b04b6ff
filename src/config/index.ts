// Daemon configuration: /etc/kubespan/config.yaml → a validated, frozen Config.
export { type ChangeKind, type ConfigChange, diffConfig, needsRestart } from "./diff.js";
export { type DiscoveryTarget, DiscoveryURLError, normalizeDiscoveryEndpoint } from "./discovery-url.js";
export { ConfigError, type ConfigIssue } from "./errors.js";
export { DEFAULT_CONFIG_PATH, type LoadOptions, loadConfig } from "./load.js";
export { type ConfigEnv, parseConfig } from "./parse.js";
export { Secret } from "./secret.js";
export type * from "./types.js";
