// JSON Schema of /etc/kubespan/config.yaml: structure, types, ranges and
// defaults. Checks that span several fields (exactly one secret source,
// marks inside the mask, …) live in cross-checks.ts. docs/configuration.md
// documents every property here; a test keeps the two in step.
import { DEFAULT_INTERFACE_DENY_LIST } from "../cluster/local-addresses.js";
import { MAX_KEEPALIVE_SECONDS } from "./formats.js";

const MAX_U32 = 0xffffffff;

const string = (format?: string) => (format ? { type: "string", format } : { type: "string", minLength: 1 });
const list = (format: string, extra: object = {}) => ({ type: "array", items: string(format), ...extra });
const bool = (value: boolean) => ({ type: "boolean", default: value });
const int = (minimum: number, maximum: number, extra: object = {}) => ({
  type: "integer",
  minimum,
  maximum,
  ...extra,
});
// Marks are easier to read in hex; YAML reads a bare 0x20 as a number, a
// quoted "0x20" stays a string, and both are accepted.
const mark = (value: number) => ({
  type: ["integer", "string"],
  minimum: 1,
  maximum: MAX_U32,
  format: "hex-number",
  default: value,
});
const section = (properties: object, extra: object = {}) => ({
  type: "object",
  additionalProperties: false,
  default: {},
  properties,
  ...extra,
});

export const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["clusterID", "discovery"],
  properties: {
    clusterID: string(),
    clusterSecret: string("cluster-secret"),
    clusterSecretFile: string("absolute-path"),
    discovery: {
      type: "object",
      additionalProperties: false,
      required: ["endpoints"],
      properties: {
        endpoints: list("discovery-url", { minItems: 1 }),
        caFile: string("absolute-path"),
        deleteOnStop: bool(false),
      },
    },
    node: section({
      nodename: string("node-name"),
      machineType: { type: "string", enum: ["controlplane", "worker", "init"], default: "worker" },
      apiServerPort: int(1, 65535),
      podCIDRs: list("prefix", { default: [] }),
      serviceCIDRs: list("prefix", { default: [] }),
      excludeAddresses: list("prefix", { default: [] }),
      interfaceDenyList: list("interface-pattern", { default: DEFAULT_INTERFACE_DENY_LIST }),
    }),
    kubespan: section({
      enabled: bool(true),
      interface: { ...string("interface-name"), default: "kubespan" },
      port: int(1, 65535, { default: 51820 }),
      mtu: int(1280, 9000, { default: 1420 }),
      advertiseKubernetesNetworks: bool(false),
      allowDownPeerBypass: bool(false),
      harvestExtraEndpoints: bool(true),
      persistentKeepalive: {
        type: ["integer", "string"],
        minimum: 0,
        maximum: MAX_KEEPALIVE_SECONDS,
        format: "keepalive",
        default: "25s",
      },
      firewallMark: mark(0x20),
      routeMark: mark(0x40),
      markMask: mark(0x60),
      table: int(1, MAX_U32, { default: 180 }),
      // The rule must be looked up before the main table's rule (32766).
      rulePriority: int(1, 32765, { default: 32500 }),
      acceptedNetworks: list("prefix"),
      allowDefaultRoutes: bool(false),
      filters: section({
        endpoints: list("filter-rule"),
        peerEndpoints: list("filter-rule"),
        excludeAdvertisedNetworks: list("prefix", { default: [] }),
      }),
      extraAnnouncedEndpoints: list("endpoint", { default: [] }),
      fixRpFilter: bool(false),
      wireguard: section({
        backend: { type: "string", enum: ["auto", "kernel", "userspace"], default: "auto" },
        userspaceBinary: { ...string(), default: "wireguard-go" },
      }),
    }),
    stateDir: { ...string("absolute-path"), default: "/var/lib/kubespan" },
    api: section({ socket: { ...string("absolute-path"), default: "/run/kubespan/kubespand.sock" } }),
    metrics: section({ address: { ...string("listen-address"), default: "127.0.0.1:2123" } }),
    log: section({
      level: { type: "string", enum: ["fatal", "error", "warn", "info", "debug", "trace"], default: "info" },
    }),
  },
} as const;

/** Paths whose values are never shown in messages. */
export const SECRET_PATHS: ReadonlySet<string> = new Set(["clusterSecret"]);
