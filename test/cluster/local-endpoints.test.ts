import { readFileSync } from "node:fs";
import t from "tap";
import { parseFilterRules } from "../../src/cluster/filter-ips.js";
import {
  capEndpoints,
  DEFAULT_WIREGUARD_PORT,
  type LocalEndpointInputs,
  localEndpoints,
  MAX_LOCAL_ENDPOINTS,
} from "../../src/cluster/local-endpoints.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const ips = (list: string[]) => list.map((s) => IP.parse(s));
const endpoints = (list: string[]) => list.map((s) => Endpoint.parse(s));
const build = (inputs: LocalEndpointInputs) => localEndpoints(inputs).endpoints.map(String);

t.test("vector: local_affiliate_endpoints", async (t) => {
  const v = vectors.local_affiliate_endpoints;
  const inputs: LocalEndpointInputs = {
    addresses: v.inputs.current_addresses.map((s: string) => Prefix.parse(s).ip),
    publicIPs: ips(v.inputs.discovered_public_ips),
    filters: parseFilterRules(v.inputs.endpoint_filters),
    extraEndpoints: endpoints(v.inputs.extra_announced_endpoints),
  };
  t.same(build(inputs), v.expected_endpoints);
  t.same(localEndpoints(inputs).trimmed, []);
});

t.test("endpoint selection steps", async (t) => {
  const ksAddress = IP.parse("fd50:8d60:4238:6302:f857:23ff:fe21:d1e0");
  const base = { addresses: ips(["10.0.0.1", "fd50:8d60:4238:6302:f857:23ff:fe21:d1e0", "2001:db8::1"]) };
  const cases: { name: string; inputs: LocalEndpointInputs; expected: string[] }[] = [
    {
      name: "own KubeSpan address dropped",
      inputs: { ...base, kubespanAddress: ksAddress },
      expected: ["10.0.0.1:51820", "[2001:db8::1]:51820"],
    },
    {
      name: "without filters nothing else is dropped",
      inputs: base,
      expected: ["10.0.0.1:51820", "[fd50:8d60:4238:6302:f857:23ff:fe21:d1e0]:51820", "[2001:db8::1]:51820"],
    },
    {
      name: "public IP appended when new",
      inputs: { ...base, kubespanAddress: ksAddress, publicIPs: ips(["203.0.113.9"]) },
      expected: ["10.0.0.1:51820", "[2001:db8::1]:51820", "203.0.113.9:51820"],
    },
    {
      name: "public IP not repeated when already an address",
      inputs: { ...base, kubespanAddress: ksAddress, publicIPs: ips(["10.0.0.1"]) },
      expected: ["10.0.0.1:51820", "[2001:db8::1]:51820"],
    },
    {
      name: "filters apply to the public IP too",
      inputs: {
        ...base,
        kubespanAddress: ksAddress,
        publicIPs: ips(["203.0.113.9"]),
        filters: parseFilterRules(["10.0.0.0/8"]),
      },
      expected: ["10.0.0.1:51820"],
    },
    {
      name: "an empty filter list publishes only the extra endpoints",
      inputs: { ...base, filters: [], extraEndpoints: endpoints(["198.51.100.1:4000"]) },
      expected: ["198.51.100.1:4000"],
    },
    {
      name: "port is configurable; extras keep their own port and skip exact duplicates only",
      inputs: {
        addresses: ips(["10.0.0.1"]),
        port: 4500,
        extraEndpoints: endpoints(["10.0.0.1:4500", "10.0.0.1:51820", "10.0.0.1:51820"]),
      },
      expected: ["10.0.0.1:4500", "10.0.0.1:51820"],
    },
    {
      name: "duplicate addresses give one endpoint",
      inputs: { addresses: ips(["10.0.0.1", "10.0.0.1"]) },
      expected: ["10.0.0.1:51820"],
    },
  ];
  for (const c of cases) t.same(build(c.inputs), c.expected, c.name);
  t.equal(DEFAULT_WIREGUARD_PORT, 51820);
});

t.test("at most 64 distinct endpoints, the last ones trimmed", async (t) => {
  t.equal(MAX_LOCAL_ENDPOINTS, 64);
  const addresses = Array.from({ length: 70 }, (_, i) => IP.v4(0x0a000000n + BigInt(i)));
  const extra = endpoints(["198.51.100.1:4000"]);
  const result = localEndpoints({ addresses, extraEndpoints: extra });
  t.equal(result.endpoints.length, 64);
  t.equal(String(result.endpoints[0]), "10.0.0.0:51820");
  t.equal(String(result.endpoints[63]), "10.0.0.63:51820");
  t.same(result.trimmed.map(String), [
    "10.0.0.64:51820",
    "10.0.0.65:51820",
    "10.0.0.66:51820",
    "10.0.0.67:51820",
    "10.0.0.68:51820",
    "10.0.0.69:51820",
    "198.51.100.1:4000",
  ]);

  const capped = capEndpoints(
    endpoints(["1.1.1.1:1", "1.1.1.1:1", "2.2.2.2:2", "3.3.3.3:3", "3.3.3.3:3"]),
    2,
  );
  t.same(capped.endpoints.map(String), ["1.1.1.1:1", "2.2.2.2:2"], "duplicates do not use up the cap");
  t.same(capped.trimmed.map(String), ["3.3.3.3:3"], "each trimmed endpoint listed once");
});
