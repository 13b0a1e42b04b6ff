import { inspect } from "node:util";
import t from "tap";
import { MINIMAL, parse, SECRET } from "./helpers.js";

t.test("the minimal file validates and gets every default", async (t) => {
  const c = parse(MINIMAL);
  t.equal(c.clusterID, "my-cluster");
  t.same(c.clusterSecret.reveal(), Buffer.from(SECRET, "base64"));
  t.same(c.discovery.endpoints, [
    { url: "https://discovery.talos.dev/", target: "discovery.talos.dev:443", tls: true },
  ]);
  t.equal(c.discovery.caFile, undefined);
  t.equal(c.discovery.deleteOnStop, false);
  t.equal(c.node.nodename, "web-1", "lowercased short hostname");
  t.equal(c.node.machineType, "worker");
  t.equal(c.node.apiServerPort, undefined);
  t.same([c.node.podCIDRs, c.node.serviceCIDRs, c.node.excludeAddresses], [[], [], []]);
  t.same(
    c.node.interfaceDenyList.join(" "),
    "lo kubespan docker* br-* veth* cni* flannel* cali* cilium* vxlan* kube-* tailscale* wg* zt* nebula* virbr*",
  );
  t.match(c.kubespan, {
    enabled: true,
    interface: "kubespan",
    port: 51820,
    mtu: 1420,
    advertiseKubernetesNetworks: false,
    allowDownPeerBypass: false,
    harvestExtraEndpoints: true,
    persistentKeepaliveSeconds: 25,
    firewallMark: 0x20,
    routeMark: 0x40,
    markMask: 0x60,
    table: 180,
    rulePriority: 32500,
    allowDefaultRoutes: false,
    fixRpFilter: false,
    wireguard: { backend: "auto", userspaceBinary: "wireguard-go" },
  });
  t.equal(c.kubespan.acceptedNetworks, undefined);
  t.equal(c.kubespan.filters.endpoints, undefined, "absent rules mean no filtering");
  t.equal(c.kubespan.filters.peerEndpoints, undefined);
  t.same(c.kubespan.filters.excludeAdvertisedNetworks, []);
  t.same(c.kubespan.extraAnnouncedEndpoints, []);
  t.equal(c.stateDir, "/var/lib/kubespan");
  t.equal(c.api.socket, "/run/kubespan/kubespand.sock");
  t.equal(String(c.metrics.address), "127.0.0.1:2123");
  t.equal(c.log.level, "info");
});

t.test("every option can be set", async (t) => {
  const c = parse(`${MINIMAL.replace(/discovery:[\s\S]*/, "")}discovery:
  endpoints: ["grpc://[fd00::1]:3000", "http://10.0.0.1/"]
  caFile: /etc/kubespan/ca.pem
  deleteOnStop: true
node:
  nodename: edge-7
  machineType: controlplane
  apiServerPort: 6443
  podCIDRs: [10.244.0.0/16]
  serviceCIDRs: [10.96.0.0/12, "fd00:96::/108"]
  excludeAddresses: [192.0.2.10]
  interfaceDenyList: [lo, "eth9*", "en?"]
kubespan:
  enabled: false
  interface: ks0
  port: 51821
  mtu: 1380
  advertiseKubernetesNetworks: true
  allowDownPeerBypass: true
  harvestExtraEndpoints: false
  persistentKeepalive: 1m5s
  firewallMark: "0x200"
  routeMark: 0x400
  markMask: 1536
  table: 1000
  rulePriority: 1000
  acceptedNetworks: [10.0.0.0/8]
  allowDefaultRoutes: true
  filters:
    endpoints: ["0.0.0.0/0", "!192.168.0.0/16", "::/0"]
    peerEndpoints: []
    excludeAdvertisedNetworks: [10.1.0.0/16]
  extraAnnouncedEndpoints: ["203.0.113.1:51820", "[2001:db8::1]:4000"]
  fixRpFilter: true
  wireguard: { backend: userspace, userspaceBinary: /usr/local/bin/wireguard-go }
stateDir: /srv/kubespan
api: { socket: /run/ks.sock }
metrics: { address: "" }
log: { level: debug }
`);
  t.same(
    c.discovery.endpoints.map((e) => [e.target, e.tls]),
    [
      ["[fd00::1]:3000", true],
      ["10.0.0.1:80", false],
    ],
  );
  t.match(c.discovery, { caFile: "/etc/kubespan/ca.pem", deleteOnStop: true });
  t.match(c.node, { nodename: "edge-7", machineType: "controlplane", apiServerPort: 6443 });
  t.same(c.node.serviceCIDRs.map(String), ["10.96.0.0/12", "fd00:96::/108"]);
  t.same(c.node.excludeAddresses.map(String), ["192.0.2.10/32"], "a bare IP is a host prefix");
  t.same(c.node.interfaceDenyList, ["lo", "eth9*", "en?"], "a configured list replaces the default");
  t.match(c.kubespan, {
    enabled: false,
    interface: "ks0",
    port: 51821,
    mtu: 1380,
    persistentKeepaliveSeconds: 65,
    firewallMark: 0x200,
    routeMark: 0x400,
    markMask: 0x600,
    table: 1000,
    rulePriority: 1000,
    wireguard: { backend: "userspace", userspaceBinary: "/usr/local/bin/wireguard-go" },
  });
  t.same(c.kubespan.acceptedNetworks?.map(String), ["10.0.0.0/8"]);
  t.same(c.kubespan.filters.endpoints, ["0.0.0.0/0", "!192.168.0.0/16", "::/0"]);
  t.same(c.kubespan.filters.peerEndpoints, [], "an empty list is kept: it filters everything out");
  t.same(c.kubespan.filters.excludeAdvertisedNetworks.map(String), ["10.1.0.0/16"]);
  t.same(c.kubespan.extraAnnouncedEndpoints.map(String), ["203.0.113.1:51820", "[2001:db8::1]:4000"]);
  t.equal(c.metrics.address, undefined, '"" disables metrics');
  t.match(c, { stateDir: "/srv/kubespan", api: { socket: "/run/ks.sock" }, log: { level: "debug" } });
});

t.test("keepalive accepts a number of seconds", async (t) => {
  t.equal(parse(`${MINIMAL}kubespan: { persistentKeepalive: 0 }\n`).kubespan.persistentKeepaliveSeconds, 0);
  t.equal(parse(`${MINIMAL}kubespan: { persistentKeepalive: 40 }\n`).kubespan.persistentKeepaliveSeconds, 40);
});

t.test("the result is deeply frozen", async (t) => {
  const c = parse(MINIMAL);
  t.ok(Object.isFrozen(c));
  t.ok(Object.isFrozen(c.kubespan.filters));
  t.ok(Object.isFrozen(c.discovery.endpoints));
  t.ok(Object.isFrozen(c.discovery.endpoints[0]));
  t.ok(Object.isFrozen(c.node.interfaceDenyList));
});

t.test("the secret never shows in JSON, inspect or string form", async (t) => {
  const c = parse(MINIMAL);
  for (const text of [
    JSON.stringify(c),
    inspect(c, { depth: null, showHidden: true }),
    String(c.clusterSecret),
  ]) {
    t.notOk(text.includes(SECRET), "secret text absent");
    t.notOk(text.includes(Buffer.from(SECRET, "base64").toString("hex")), "secret hex absent");
  }
  t.match(JSON.stringify(c), /"clusterSecret":"\[redacted\]"/);
});
