import t from "tap";
import { type ConfigError, parseConfig } from "../../src/config/index.js";
import { errorOf, MINIMAL, noFiles, parse, SECRET } from "./helpers.js";

const CASES: [name: string, yaml: string, message: string][] = [
  [
    "mtu too small",
    `${MINIMAL}kubespan: { mtu: 1200 }`,
    "config.yaml: kubespan.mtu: must be >= 1280, found 1200",
  ],
  [
    "mtu too large",
    `${MINIMAL}kubespan: { mtu: 9001 }`,
    "config.yaml: kubespan.mtu: must be <= 9000, found 9001",
  ],
  [
    "no type coercion",
    `${MINIMAL}kubespan: { mtu: "1420", enabled: "yes" }`,
    'config.yaml: kubespan.enabled: must be true or false, found "yes"\n' +
      'config.yaml: kubespan.mtu: must be an integer, found "1420"',
  ],
  [
    "unknown option with a suggestion",
    `${MINIMAL}kubespan: { mtuu: 1400 }`,
    'config.yaml: kubespan.mtuu: unknown option, did you mean "kubespan.mtu"?',
  ],
  [
    "unknown top-level option with a suggestion",
    `${MINIMAL}clusterSecert: x`,
    'config.yaml: clusterSecert: unknown option, did you mean "clusterSecret"?',
  ],
  ["unknown option, nothing close", `${MINIMAL}frobnicate: 1`, "config.yaml: frobnicate: unknown option"],
  [
    "missing required options",
    "node: {}",
    "config.yaml: clusterID: is required, found nothing\nconfig.yaml: discovery: is required, found nothing",
  ],
  [
    "number where a string is expected",
    MINIMAL.replace("my-cluster", "12345"),
    "config.yaml: clusterID: must be a string, found 12345 (put it in quotes)",
  ],
  [
    "section of the wrong type",
    `${MINIMAL}kubespan:`,
    "config.yaml: kubespan: must be a mapping, found nothing",
  ],
  [
    "enum with a suggestion",
    `${MINIMAL}node: { machineType: control-plane }`,
    'config.yaml: node.machineType: must be one of controlplane, worker, init, found "control-plane" (did you mean "controlplane"?)',
  ],
  [
    "no discovery endpoint",
    MINIMAL.replace('["https://discovery.talos.dev/"]', "[]"),
    "config.yaml: discovery.endpoints: must list at least 1 entry, found an empty list",
  ],
  [
    "bad discovery URLs",
    MINIMAL.replace('"https://discovery.talos.dev/"', '"ftp://x", "https://h/v1", "grpc://"'),
    'config.yaml: discovery.endpoints[0]: must use scheme http, https or grpc, found "ftp://x"\n' +
      'config.yaml: discovery.endpoints[1]: must have an empty path or "/", found "https://h/v1"\n' +
      'config.yaml: discovery.endpoints[2]: must name a host, found "grpc://"',
  ],
  [
    "bad filter rule",
    `${MINIMAL}kubespan: { filters: { endpoints: ["10.0.0.0/8", "!10.0.0.0/33"] } }`,
    'config.yaml: kubespan.filters.endpoints[1]: must be a CIDR or a bare IP address, optionally prefixed with "!", found "!10.0.0.0/33"',
  ],
  [
    "excludeAdvertisedNetworks allows no negation",
    `${MINIMAL}kubespan: { filters: { excludeAdvertisedNetworks: ["!10.0.0.0/8"] } }`,
    'config.yaml: kubespan.filters.excludeAdvertisedNetworks[0]: must be a CIDR (10.0.0.0/8, fd00::/8) or a bare IP address, found "!10.0.0.0/8"',
  ],
  [
    "bad extra endpoint",
    `${MINIMAL}kubespan: { extraAnnouncedEndpoints: ["2001:db8::1:51820"] }`,
    'config.yaml: kubespan.extraAnnouncedEndpoints[0]: must be ip:port ([ipv6]:port for IPv6), found "2001:db8::1:51820"',
  ],
  [
    "bad pod CIDR",
    `${MINIMAL}node: { podCIDRs: [10.244.0.0/16, 10.244.0.0] , serviceCIDRs: [300.1.1.1/8] }`,
    'config.yaml: node.serviceCIDRs[0]: must be a CIDR (10.0.0.0/8, fd00::/8) or a bare IP address, found "300.1.1.1/8"',
  ],
  [
    "fractional keepalive",
    `${MINIMAL}kubespan: { persistentKeepalive: 1.5s }`,
    'config.yaml: kubespan.persistentKeepalive: must be whole seconds between 0 and 65535, as a number or a Go duration such as "25s", found "1.5s"',
  ],
  [
    "keepalive beyond 16 bits",
    `${MINIMAL}kubespan: { persistentKeepalive: 70000 }`,
    "config.yaml: kubespan.persistentKeepalive: must be <= 65535, found 70000",
  ],
  [
    "mark that is not hex",
    `${MINIMAL}kubespan: { firewallMark: "32" }`,
    'config.yaml: kubespan.firewallMark: must be a number or a hex string between 0x1 and 0xffffffff, found "32"',
  ],
  [
    "marks outside the mask and equal",
    `${MINIMAL}kubespan: { firewallMark: 0x100, routeMark: 0x100 }`,
    "config.yaml: kubespan.firewallMark: must only use bits of kubespan.markMask (0x60), found 0x100\n" +
      "config.yaml: kubespan.routeMark: must only use bits of kubespan.markMask (0x60), found 0x100\n" +
      "config.yaml: kubespan.routeMark: must differ from kubespan.firewallMark, found 0x100 for both",
  ],
  [
    "kernel table",
    `${MINIMAL}kubespan: { table: 254 }`,
    "config.yaml: kubespan.table: must not be a kernel table (253 default, 254 main, 255 local), found 254",
  ],
  [
    "rule after the main table",
    `${MINIMAL}kubespan: { rulePriority: 32766 }`,
    "config.yaml: kubespan.rulePriority: must be <= 32765, found 32766",
  ],
  [
    "API server port on a worker",
    `${MINIMAL}node: { apiServerPort: 6443 }`,
    "config.yaml: node.apiServerPort: is only meaningful with node.machineType controlplane or init, found machineType worker",
  ],
  [
    "bad interface name",
    `${MINIMAL}kubespan: { interface: "a-very-long-interface" }`,
    'config.yaml: kubespan.interface: must be a network interface name (letters, digits, "_", "-", ".", at most 15 characters), found "a-very-long-interface"',
  ],
  [
    "bad node name",
    `${MINIMAL}node: { nodename: Web_1 }`,
    'config.yaml: node.nodename: must be a lowercase DNS name (a-z, 0-9, "-", "."), found "Web_1"',
  ],
  [
    "relative path",
    `${MINIMAL}stateDir: var/lib/kubespan`,
    'config.yaml: stateDir: must be an absolute path, found "var/lib/kubespan"',
  ],
  [
    "metrics address must be an IP",
    `${MINIMAL}metrics: { address: "localhost:2123" }`,
    'config.yaml: metrics.address: must be ip:port ([ipv6]:port for IPv6) or "" to disable, found "localhost:2123"',
  ],
  [
    "both secret sources",
    `${MINIMAL}clusterSecretFile: /etc/kubespan/secret`,
    "config.yaml: clusterSecretFile: must not be set together with clusterSecret, found both",
  ],
  [
    "no secret",
    MINIMAL.replace(/clusterSecret:.*\n/, ""),
    "config.yaml: clusterSecret: is required (or clusterSecretFile), found nothing",
  ],
  [
    "unreadable secret file",
    MINIMAL.replace(/clusterSecret:.*\n/, "clusterSecretFile: /etc/kubespan/secret\n"),
    "config.yaml: clusterSecretFile: cannot read /etc/kubespan/secret (ENOENT)",
  ],
  [
    "YAML syntax error with line and column",
    "clusterID: a\ndiscovery:\n  endpoints: [x\nnode: {}\n",
    "config.yaml:4:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  ["duplicate key", `${MINIMAL}clusterID: b\n`, "config.yaml:5:1: YAML: Map keys must be unique"],
  [
    "empty file",
    "# nothing here\n",
    "config.yaml: must be a YAML mapping with clusterID, clusterSecret and discovery, found no content",
  ],
  ["not a mapping", "- a\n- b\n", "config.yaml: must be a mapping, found a list"],
];

for (const [name, yaml, message] of CASES) {
  t.test(`rejects: ${name}`, async (t) => {
    t.equal(errorOf(yaml), message);
  });
}

t.test("ConfigError lists structured issues", async (t) => {
  const err = t.throws(() => parse(`${MINIMAL}kubespan: { mtu: 1200, port: 0 }`)) as ConfigError;
  t.equal(err.source, "config.yaml");
  t.same(err.issues, [
    { path: "kubespan.port", message: "must be >= 1, found 0" },
    { path: "kubespan.mtu", message: "must be >= 1280, found 1200" },
  ]);
});

t.test("a hostname that makes no node name asks for an explicit one", async (t) => {
  let message = "";
  try {
    parseConfig(MINIMAL, "config.yaml", { hostname: "host_1", readFile: noFiles });
  } catch (err) {
    message = (err as Error).message;
  }
  t.equal(
    message,
    'config.yaml: node.nodename: is not set and the default derived from the hostname must be a lowercase DNS name (a-z, 0-9, "-", "."), found "host_1"; set it explicitly',
  );
});

t.test("the secret never appears in an error message", async (t) => {
  const secretLine = `clusterSecret: ${SECRET}\n`;
  const short = Buffer.alloc(16, 0xab).toString("base64");
  const bad = [
    MINIMAL.replace(SECRET, short), // wrong length
    MINIMAL.replace(SECRET, `${SECRET.slice(0, -1)}!`), // not base64
    MINIMAL.replace(secretLine, `clusterSecret: [${SECRET}]\n`), // wrong type
    MINIMAL.replace(secretLine, `clusterSecret: { key: ${SECRET} }\n`),
    MINIMAL.replace(secretLine, `clusterSecrett: ${SECRET}\n`), // misspelt key
    `${MINIMAL}kubespan: { mtu: 1 }`, // an unrelated error
    MINIMAL.replace(secretLine, `clusterSecret: |x${SECRET}\n  more\n`), // YAML syntax error on the secret
    MINIMAL.replace(secretLine, `clusterSecret: "${SECRET}\\q"\n`), // bad escape inside the secret
    MINIMAL.replace(secretLine, `clusterSecret: *${SECRET.replace(/[+/=]/g, "")}\n`), // unresolved alias
  ];
  for (const text of bad) {
    const message = errorOf(text);
    t.notOk(message.includes(SECRET.slice(0, 12)), `secret absent from: ${message}`);
    t.notOk(message.includes(short.slice(0, 12)), "short secret absent");
  }
  t.equal(
    errorOf(MINIMAL.replace(SECRET, short)),
    "config.yaml: clusterSecret: must be standard base64 of exactly 32 bytes, found 16 bytes",
  );
  t.equal(
    errorOf(MINIMAL.replace(secretLine, "clusterSecret: 12345\n")),
    "config.yaml: clusterSecret: must be a string, found a number",
  );
});
