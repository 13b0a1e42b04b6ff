import t from "tap";
import { buildLocalAffiliate } from "../../src/cluster/local-affiliate.js";
import { IP, Prefix } from "../../src/net/ip.js";

const base = {
  nodeId: "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L",
  hostname: "web1.example.com",
  nodename: "web1",
  operatingSystem: "Debian GNU/Linux 12 (bookworm) (kubespan-node v0.1.0)",
  addresses: [IP.parse("192.168.1.10")],
};

t.test("a worker with KubeSpan publishes its key and address, no control plane", async (t) => {
  const a = buildLocalAffiliate({
    ...base,
    machineType: "worker",
    apiServerPort: 6443,
    kubespan: {
      publicKey: "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=",
      address: IP.parse("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169"),
      additionalAddresses: [Prefix.parse("10.244.3.1/24")],
      excludedNetworks: [],
    },
  });
  t.equal(a.controlPlane, undefined, "workers never publish an API server port");
  t.equal(a.kubespan?.publicKey, "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=");
  t.same(a.kubespan?.additionalAddresses.map(String), ["10.244.3.0/24"], "pod CIDRs are masked");
  t.same(a.addresses.map(String), ["192.168.1.10"]);
});

t.test("control-plane nodes publish the API server port when known", async (t) => {
  t.same(buildLocalAffiliate({ ...base, machineType: "controlplane", apiServerPort: 6443 }).controlPlane, {
    apiServerPort: 6443,
  });
  t.equal(
    buildLocalAffiliate({ ...base, machineType: "init" }).controlPlane,
    undefined,
    "unknown port: none",
  );
  t.equal(
    buildLocalAffiliate({ ...base, machineType: "worker" }).kubespan,
    undefined,
    "no identity: no kubespan",
  );
});
