import { randomBytes } from "node:crypto";
import t from "tap";
import {
  parseIP,
  parsePrefix,
  wireEndpoint,
  wireIP,
  wirePrefix,
} from "../../../src/host/wireguard/canonical-ip.js";
import { Endpoint, IP, Prefix } from "../../../src/net/ip.js";

const same = (a: IP | undefined, b: IP | undefined) =>
  a === undefined || b === undefined ? a === b : a.family === b.family && a.value === b.value;

t.test("parseIP agrees with the general parser", async (t) => {
  const inputs = [
    "0.0.0.0",
    "255.255.255.255",
    "10.1.2.3",
    "192.168.001.1",
    "256.0.0.1",
    "1.2.3",
    "1.2.3.4.5",
    "1..2.3",
    "1.2.3.",
    ".1.2.3",
    "a.b.c.d",
    "",
    "::",
    "::1",
    "1::",
    "fd00::1",
    "fd7f:175a:b97c:5602::a",
    "FD00::A",
    "2001:db8:0:0:1:0:0:1",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1::2::3",
    ":::",
    "1:2:3:4:5:6:7::",
    "::1:2:3:4:5:6:7",
    "12345::",
    "g::1",
    "::ffff:1.2.3.4",
    "fe80::1%eth0",
  ];
  for (const input of inputs) t.ok(same(parseIP(input), IP.tryParse(input)), JSON.stringify(input));
});

t.test("parseIP on random addresses in both printed forms", async (t) => {
  let mismatches = 0;
  for (let i = 0; i < 2000; i++) {
    const v6 = IP.fromBytes(randomBytes(16))!;
    const v4 = IP.fromBytes(randomBytes(4))!;
    for (const ip of [v4, v6]) {
      if (!same(parseIP(ip.toString()), ip) || !same(parseIP(wireIP(ip)), ip)) mismatches++;
    }
  }
  t.equal(mismatches, 0);
});

t.test("parsePrefix", async (t) => {
  t.equal(String(parsePrefix("10.0.0.0/8")), "10.0.0.0/8");
  t.equal(String(parsePrefix("fd00::1/128")), "fd00::1/128");
  t.equal(String(parsePrefix("10.0.0.1/24")), "10.0.0.1/24", "host bits kept, as Prefix.parse");
  for (const bad of [
    "10.0.0.0",
    "10.0.0.0/33",
    "fd00::/129",
    "10.0.0.0/x",
    "10.0.0.0/",
    "x/8",
    "10.0.0.0/0008",
  ]) {
    t.equal(parsePrefix(bad), undefined, bad);
  }
});

t.test("wire forms", async (t) => {
  t.equal(wireIP(IP.parse("10.1.2.3")), "10.1.2.3");
  t.equal(wireIP(IP.parse("fd00::1")), "fd00:0000:0000:0000:0000:0000:0000:0001");
  t.equal(wirePrefix(Prefix.parse("::/0")), "0000:0000:0000:0000:0000:0000:0000:0000/0");
  t.equal(wireEndpoint(Endpoint.parse("192.0.2.1:51820")), "192.0.2.1:51820");
  t.equal(wireEndpoint(Endpoint.parse("[2001:db8::1]:443")), "[2001:0db8:0000:0000:0000:0000:0000:0001]:443");
});
