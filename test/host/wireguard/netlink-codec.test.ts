import { endianness } from "node:os";
import type { wg } from "netlink";
import t from "tap";
import { ZERO_KEY } from "../../../src/host/wireguard/keys.js";
import {
  decodeSockaddr,
  devicesFromNetlink,
  encodeSockaddr,
  patchToNetlink,
  timespecMs,
} from "../../../src/host/wireguard/netlink-codec.js";
import { Endpoint, Prefix } from "../../../src/net/ip.js";

const raw = (n: number) => Buffer.alloc(32, n);
const b64 = (n: number) => raw(n).toString("base64");
const LE = endianness() === "LE";

t.test("sockaddr round trip, IPv4 and IPv6", async (t) => {
  for (const text of ["192.0.2.1:51820", "[2001:db8::1]:443"]) {
    const endpoint = Endpoint.parse(text);
    const bytes = encodeSockaddr(endpoint);
    t.equal(bytes.length, endpoint.ip.family === 4 ? 16 : 28, `${text}: struct size`);
    t.equal(bytes.readUInt16BE(2), endpoint.port, `${text}: port in network order`);
    t.equal(decodeSockaddr(bytes)?.toString(), text);
  }
  const v4 = encodeSockaddr(Endpoint.parse("192.0.2.1:51820"));
  t.same([...v4.subarray(4, 8)], [192, 0, 2, 1], "address bytes");
  t.equal(LE ? v4.readUInt16LE(0) : v4.readUInt16BE(0), 2, "AF_INET in host order");
});

t.test("decodeSockaddr: no endpoint", async (t) => {
  t.equal(decodeSockaddr(Buffer.alloc(16)), undefined, "all zero");
  t.equal(decodeSockaddr(Buffer.alloc(1)), undefined, "too short");
});

t.test("timespecMs", async (t) => {
  const ts = Buffer.alloc(16);
  if (LE) {
    ts.writeBigInt64LE(1700000000n, 0);
    ts.writeBigInt64LE(5_999_999n, 8);
  } else {
    ts.writeBigInt64BE(1700000000n, 0);
    ts.writeBigInt64BE(5_999_999n, 8);
  }
  t.equal(timespecMs(ts), 1700000000005);
  t.equal(timespecMs(Buffer.alloc(16)), 0);
  t.equal(timespecMs(Buffer.alloc(4)), 0, "short buffer");
});

t.test("patchToNetlink", async (t) => {
  const device = patchToNetlink({
    privateKey: b64(1),
    listenPort: 51820,
    fwmark: 0x20,
    peers: [
      { publicKey: b64(10), remove: true },
      {
        publicKey: b64(11),
        presharedKey: ZERO_KEY,
        endpoint: Endpoint.parse("192.0.2.1:51820"),
        keepaliveSeconds: 25,
        replaceAllowedIPs: true,
        allowedIPs: [Prefix.parse("10.0.0.0/8"), Prefix.parse("fd00::1/128")],
      },
      { publicKey: b64(12), updateOnly: true, keepaliveSeconds: 0, replaceAllowedIPs: false, allowedIPs: [] },
    ],
  });
  t.same(device.privateKey, raw(1));
  t.equal(device.listenPort, 51820);
  t.equal(device.fwmark, 0x20);
  t.same(device.peers![0], { publicKey: raw(10), flags: { removeMe: true } });
  const added = device.peers![1]!;
  t.same(added.flags, { replaceAllowedIps: true });
  t.same(added.presharedKey, Buffer.alloc(32));
  t.equal(added.persistentKeepaliveInterval, 25);
  t.same(added.allowedIps, [
    { family: 2, ipaddr: Buffer.from([10, 0, 0, 0]), cidrMask: 8 },
    { family: 10, ipaddr: Prefix.parse("fd00::1/128").ip.toBytes(), cidrMask: 128 },
  ]);
  t.equal(decodeSockaddr(added.endpoint!)?.toString(), "192.0.2.1:51820");
  t.same(device.peers![2]!.flags, { updateOnly: true });
  t.equal(device.peers![2]!.persistentKeepaliveInterval, 0);
});

t.test("devicesFromNetlink merges a peer continued in the next dump message", async (t) => {
  const ip = (text: string): wg.AllowedIp => {
    const p = Prefix.parse(text);
    return { family: p.family === 4 ? 2 : 10, ipaddr: p.ip.toBytes(), cidrMask: p.bits };
  };
  const messages: wg.Device[] = [
    {
      ifname: "kubespan",
      privateKey: raw(1),
      publicKey: raw(99),
      listenPort: 51820,
      fwmark: 0x20,
      peers: [
        {
          publicKey: raw(10),
          presharedKey: raw(2),
          endpoint: encodeSockaddr(Endpoint.parse("[2001:db8::9]:51820")),
          persistentKeepaliveInterval: 25,
          rxBytes: 10n,
          txBytes: 20n,
          allowedIps: [ip("10.0.0.0/8")],
        },
        { publicKey: raw(11), presharedKey: Buffer.alloc(32), allowedIps: [ip("10.1.0.0/16")] },
      ],
    },
    {
      ifname: "kubespan",
      peers: [{ publicKey: raw(11), allowedIps: [ip("10.2.0.0/16"), ip("fd00::2/128")] }],
    },
  ];
  const device = devicesFromNetlink(messages);
  t.equal(device.privateKey, b64(1));
  t.equal(device.listenPort, 51820);
  t.equal(device.peers.length, 2);
  const [a, b] = device.peers;
  t.match(a, { publicKey: b64(10), presharedKey: b64(2), keepaliveSeconds: 25, rxBytes: 10n, txBytes: 20n });
  t.equal(a!.endpoint?.toString(), "[2001:db8::9]:51820");
  t.equal(b!.presharedKey, undefined);
  t.equal(b!.endpoint, undefined);
  t.equal(b!.lastHandshakeMs, 0);
  t.same(b!.allowedIPs.map(String), ["10.1.0.0/16", "10.2.0.0/16", "fd00::2/128"]);
});

t.test("devicesFromNetlink rejects incomplete input", async (t) => {
  t.throws(() => devicesFromNetlink([]), { name: "WireGuardError" });
  t.throws(() => devicesFromNetlink([{ peers: [{ allowedIps: [] }] }]), /without a public key/);
  t.throws(
    () => devicesFromNetlink([{ peers: [{ publicKey: raw(1), allowedIps: [{ family: 2 }] }] }]),
    /incomplete/,
  );
  t.same(
    devicesFromNetlink([{}]),
    { privateKey: undefined, listenPort: 0, fwmark: 0, peers: [] },
    "bare device",
  );
});
