import t from "tap";
import type { PeerSpec } from "../../src/mesh/peer-spec.js";
import { PrefixOwners } from "../../src/mesh/prefix-owners.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

const spec = (publicKey: string, allowed: string[]): PeerSpec => ({
  publicKey,
  nodeId: publicKey,
  label: publicKey,
  address: IP.parse("fd00::1"),
  allowedIPs: allowed.map((p) => Prefix.parse(p)),
  endpoints: [Endpoint.parse("10.0.0.1:51820")],
});

t.test("finds the owner of an address across families and many prefixes", async (t) => {
  const specs = [
    spec("A", ["10.0.0.1/32", "10.244.1.0/24", "fd00::a/128"]),
    spec("B", ["10.0.0.2/32", "10.244.2.0/24"]),
  ];
  for (let i = 0; i < 200; i++) specs.push(spec(`P${i}`, [`172.16.${i}.0/24`]));
  const owners = new PrefixOwners(specs);
  t.equal(owners.ownerOf(IP.parse("10.0.0.1")), "A");
  t.equal(owners.ownerOf(IP.parse("10.244.2.77")), "B");
  t.equal(owners.ownerOf(IP.parse("fd00::a")), "A");
  t.equal(owners.ownerOf(IP.parse("172.16.150.3")), "P150");
  t.equal(owners.ownerOf(IP.parse("10.0.0.3")), undefined);
  t.equal(owners.ownerOf(IP.parse("fd00::b")), undefined);
  t.equal(owners.ownerOf(IP.parse("0.0.0.0")), undefined);
});
