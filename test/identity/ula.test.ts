import { readFileSync } from "node:fs";
import t from "tap";
import { IdentityError } from "../../src/identity/errors.js";
import { parseMac } from "../../src/identity/mac.js";
import { addressInSubnet, clusterSubnet, interfaceId, nodeAddress } from "../../src/identity/ula.js";
import { Prefix } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const [prefixCase, addressCase, intermediate] = vectors.ula.cases;

t.test("cluster /64 vector (upstream)", async (t) => {
  const subnet = clusterSubnet(prefixCase.cluster_id);
  t.equal(subnet.toString(), prefixCase.prefix);
  t.equal(subnet.ip.toBytes().subarray(0, 8).toString("hex"), intermediate.prefix_bytes_hex);
});

t.test("node address vector (upstream)", async (t) => {
  const mac = parseMac(addressCase.mac)!;
  t.equal(interfaceId(mac).toString("hex"), intermediate.interface_id_hex_for_mac_2e1ab6538169);
  const subnet = clusterSubnet(addressCase.cluster_id);
  t.equal(subnet.toString(), addressCase.subnet);
  const address = nodeAddress(subnet, mac);
  t.equal(address.toString(), addressCase.address);
  t.equal(Prefix.host(address).toString(), addressCase.address_with_prefix);
});

t.test("the cluster ID is hashed as text, never base64-decoded", async (t) => {
  const a = clusterSubnet("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=");
  const b = clusterSubnet("8XuV9TZHW08DOk3bVxQjH9ih/TBKjnh+j44tsCLSBzo=");
  t.not(a.toString(), b.toString(), "URL-safe and standard spellings are different clusters");
  for (const s of [a, b, clusterSubnet(""), clusterSubnet("é")]) {
    const bytes = s.ip.toBytes();
    t.equal(bytes[0], 0xfd);
    t.equal(bytes[7], 0x02);
    t.equal(s.bits, 64);
    t.ok(bytes.subarray(8).every((x) => x === 0));
  }
});

t.test("modified EUI-64: 6-byte and 8-byte MACs; other lengths refused", async (t) => {
  t.equal(interfaceId(Buffer.from("000000000000", "hex")).toString("hex"), "020000fffe000000");
  t.equal(interfaceId(Buffer.from("021122334455", "hex")).toString("hex"), "001122fffe334455");
  t.equal(interfaceId(Buffer.from("0011223344556677", "hex")).toString("hex"), "0211223344556677");
  for (const n of [0, 5, 7, 16]) {
    const error = t.throws(() => interfaceId(Buffer.alloc(n))) as IdentityError;
    t.type(error, IdentityError);
    t.match(error.message, `got ${n}`);
  }
});

t.test("addressInSubnet needs an IPv6 /64 and an 8-byte ID", async (t) => {
  const iid = Buffer.alloc(8, 1);
  t.equal(
    addressInSubnet(Prefix.parse("fd00:1:2:3:ffff::/64"), iid).toString(),
    "fd00:1:2:3:101:101:101:101",
  );
  t.throws(() => addressInSubnet(Prefix.parse("fd00::/48"), iid), IdentityError);
  t.throws(() => addressInSubnet(Prefix.parse("10.0.0.0/8"), iid), IdentityError);
  t.throws(() => addressInSubnet(Prefix.parse("fd00::/64"), Buffer.alloc(6)), IdentityError);
});
