import t from "tap";
import { diffConfig, needsRestart, parseConfig } from "../../src/config/index.js";

const SECRET_A = Buffer.alloc(32, 1).toString("base64");
const SECRET_B = Buffer.alloc(32, 2).toString("base64");
const BASE = `clusterID: c1
clusterSecret: ${SECRET_A}
discovery:
  endpoints: ["https://discovery.talos.dev/"]
`;
const parse = (text: string) => parseConfig(text, "config.yaml", { hostname: "h", readFile: () => SECRET_A });

t.test("identical configurations have no changes", async (t) => {
  t.same(diffConfig(parse(BASE), parse(BASE)), []);
  t.same(
    diffConfig(parse(BASE), parse(`${BASE}kubespan: { mtu: 1420, firewallMark: "0x20" }\n`)),
    [],
    "writing a default out explicitly is not a change",
  );
});

t.test("the same secret from a file is not a change", async (t) => {
  const fromFile = BASE.replace(/clusterSecret:.*/, "clusterSecretFile: /etc/kubespan/secret");
  t.same(diffConfig(parse(BASE), parse(fromFile)), []);
});

const plus = (extra: string) => `${BASE}${extra}\n`;
const CASES: [name: string, next: string, expected: [string, "live" | "restart"][]][] = [
  ["mtu", plus("kubespan: { mtu: 1380 }"), [["kubespan.mtu", "live"]]],
  [
    "filters",
    plus('kubespan: { filters: { endpoints: ["10.0.0.0/8"] } }'),
    [["kubespan.filters.endpoints", "live"]],
  ],
  ["bypass", plus("kubespan: { allowDownPeerBypass: true }"), [["kubespan.allowDownPeerBypass", "live"]]],
  [
    "harvest",
    plus("kubespan: { harvestExtraEndpoints: false }"),
    [["kubespan.harvestExtraEndpoints", "live"]],
  ],
  [
    "keepalive",
    plus("kubespan: { persistentKeepalive: 10 }"),
    [["kubespan.persistentKeepaliveSeconds", "live"]],
  ],
  [
    "extra endpoints",
    plus('kubespan: { extraAnnouncedEndpoints: ["192.0.2.1:51820"] }'),
    [["kubespan.extraAnnouncedEndpoints", "live"]],
  ],
  ["enabled", plus("kubespan: { enabled: false }"), [["kubespan.enabled", "live"]]],
  ["pod CIDRs", plus("node: { podCIDRs: [10.244.0.0/16] }"), [["node.podCIDRs", "live"]]],
  ["log level", plus("log: { level: debug }"), [["log.level", "live"]]],
  [
    "delete on stop",
    BASE.replace("endpoints:", "deleteOnStop: true\n  endpoints:"),
    [["discovery.deleteOnStop", "live"]],
  ],
  ["interface rename", plus("kubespan: { interface: ks0 }"), [["kubespan.interface", "restart"]]],
  [
    "backend",
    plus("kubespan: { wireguard: { backend: userspace } }"),
    [["kubespan.wireguard.backend", "restart"]],
  ],
  ["marks", plus("kubespan: { firewallMark: 0x60 }"), [["kubespan.firewallMark", "restart"]]],
  ["table", plus("kubespan: { table: 181 }"), [["kubespan.table", "restart"]]],
  ["state dir", plus("stateDir: /srv/ks"), [["stateDir", "restart"]]],
  ["metrics", plus('metrics: { address: "" }'), [["metrics.address", "restart"]]],
];

for (const [name, next, expected] of CASES) {
  t.test(name, async (t) => {
    const changes = diffConfig(parse(BASE), parse(next));
    t.same(
      changes.map((c) => [c.path, c.kind]),
      expected,
    );
    t.equal(
      needsRestart(changes),
      expected.some(([, kind]) => kind === "restart"),
    );
  });
}

t.test("cluster ID and secret changes need a restart", async (t) => {
  const changes = diffConfig(parse(BASE), parse(BASE.replace("c1", "c2").replace(SECRET_A, SECRET_B)));
  t.same(changes, [
    { path: "clusterID", kind: "restart" },
    { path: "clusterSecret", kind: "restart" },
  ]);
  t.ok(needsRestart(changes));
});

t.test("several changes are listed in field order", async (t) => {
  const next = `${BASE.replace("https://discovery.talos.dev/", "http://127.0.0.1:3000")}kubespan: { mtu: 1300, interface: wgks }\n`;
  t.same(
    diffConfig(parse(BASE), parse(next)).map((c) => `${c.kind} ${c.path}`),
    ["live discovery.endpoints", "restart kubespan.interface", "live kubespan.mtu"],
  );
});
