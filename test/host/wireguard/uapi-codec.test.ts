import t from "tap";
import { ZERO_KEY } from "../../../src/host/wireguard/keys.js";
import { WireGuardError } from "../../../src/host/wireguard/types.js";
import {
  encodeSet,
  encodeSetChunks,
  ParseMemo,
  parseGet,
  replyErrno,
} from "../../../src/host/wireguard/uapi-codec.js";
import { Endpoint, Prefix } from "../../../src/net/ip.js";

const hex = (n: number) => Buffer.alloc(32, n).toString("hex");
const b64 = (n: number) => Buffer.alloc(32, n).toString("base64");

// A reply of wireguard-go v0.0.20220316 to `get=1`, with keys replaced.
const REPLY = [
  `private_key=${hex(1)}`,
  "listen_port=51820",
  "fwmark=32",
  `public_key=${hex(10)}`,
  `preshared_key=${hex(2)}`,
  "protocol_version=1",
  "endpoint=192.0.2.1:51820",
  "last_handshake_time_sec=1700000000",
  "last_handshake_time_nsec=987654321",
  "tx_bytes=1234",
  "rx_bytes=18446744073709551615",
  "persistent_keepalive_interval=25",
  "allowed_ip=10.0.0.0/8",
  "allowed_ip=fd00::1/128",
  `public_key=${hex(11)}`,
  `preshared_key=${hex(0)}`,
  "protocol_version=1",
  "endpoint=[2001:db8::5]:40000",
  "last_handshake_time_sec=0",
  "last_handshake_time_nsec=0",
  "tx_bytes=0",
  "rx_bytes=0",
  "persistent_keepalive_interval=0",
  "errno=0",
  "",
  "",
].join("\n");

t.test("parseGet reads device and peers", async (t) => {
  const device = parseGet(REPLY);
  t.equal(device.privateKey, b64(1));
  t.equal(device.listenPort, 51820);
  t.equal(device.fwmark, 0x20);
  t.equal(device.peers.length, 2);
  const [a, b] = device.peers;
  t.equal(a!.publicKey, b64(10));
  t.equal(a!.presharedKey, b64(2));
  t.ok(a!.endpoint?.equals(Endpoint.parse("192.0.2.1:51820")));
  t.equal(a!.lastHandshakeMs, 1700000000987);
  t.equal(a!.txBytes, 1234n);
  t.equal(a!.rxBytes, 18446744073709551615n, "64-bit counters stay exact");
  t.equal(a!.keepaliveSeconds, 25);
  t.same(a!.allowedIPs.map(String), ["10.0.0.0/8", "fd00::1/128"]);
  t.equal(b!.presharedKey, undefined, "an all-zero preshared key means none");
  t.ok(b!.endpoint?.equals(Endpoint.parse("[2001:db8::5]:40000")));
  t.equal(b!.lastHandshakeMs, 0, "never");
  t.same(b!.allowedIPs, []);
});

t.test("parseGet of a fresh device", async (t) => {
  t.same(parseGet("listen_port=43210\nerrno=0\n\n"), {
    privateKey: undefined,
    listenPort: 43210,
    fwmark: 0,
    peers: [],
  });
});

t.test("parseGet endpoint forms", async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ["[fe80::1%eth0]:51820", "[fe80::1]:51820"],
    ["10.1.2.3:1", "10.1.2.3:1"],
  ];
  for (const [text, want] of cases) {
    const device = parseGet(`public_key=${hex(10)}\nendpoint=${text}\nerrno=0\n\n`);
    t.equal(device.peers[0]!.endpoint?.toString(), want, text);
  }
});

t.test("parseGet ignores keys it does not know", async (t) => {
  const device = parseGet(`something_new=1\npublic_key=${hex(10)}\nfuture_field=x\nerrno=0\n\n`);
  t.equal(device.peers.length, 1);
});

t.test("parseGet rejects bad replies with the line and key", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ["failed get", "errno=-22\n\n", /errno -22/],
    ["no errno", "listen_port=1\n\n", /without a final errno/],
    ["truncated", "listen_port=1\nerrno=0\n", /without a final errno/],
    ["not key=value", `garbage\nerrno=0\n\n`, /line 1: not a key=value line/],
    ["bad port", "listen_port=x\nerrno=0\n\n", /line 1: listen_port "x" is not a port number/],
    ["bad prefix", `public_key=${hex(10)}\nallowed_ip=10.0.0.0/33\nerrno=0\n\n`, /line 2: allowed_ip/],
    ["bad endpoint", `public_key=${hex(10)}\nendpoint=nowhere\nerrno=0\n\n`, /line 2: endpoint/],
    ["bad public key", "public_key=zz\nerrno=0\n\n", /peer public key/],
  ];
  for (const [name, reply, message] of cases) {
    t.throws(() => parseGet(reply), { name: "WireGuardError", message }, name);
  }
});

t.test("a malformed secret is reported without its value", async (t) => {
  const secret = "ab".repeat(31);
  const err = t.throws(() => parseGet(`private_key=${secret}\nerrno=0\n\n`)) as WireGuardError;
  t.match(err.message, /private key/);
  t.notMatch(err.message, secret);
});

t.test("encodeSet writes the request in protocol order, addresses in full form", async (t) => {
  const text = encodeSet({
    privateKey: b64(1),
    listenPort: 51820,
    fwmark: 0x20,
    peers: [
      { publicKey: b64(12), remove: true },
      {
        publicKey: b64(10),
        presharedKey: b64(2),
        endpoint: Endpoint.parse("[2001:db8::1]:51820"),
        keepaliveSeconds: 25,
        replaceAllowedIPs: true,
        allowedIPs: [Prefix.parse("10.0.0.0/8"), Prefix.parse("fd00::1/128")],
      },
      { publicKey: b64(11), updateOnly: true, keepaliveSeconds: 0, replaceAllowedIPs: false, allowedIPs: [] },
    ],
  });
  t.equal(
    text,
    [
      "set=1",
      `private_key=${hex(1)}`,
      "listen_port=51820",
      "fwmark=32",
      `public_key=${hex(12)}`,
      "remove=true",
      `public_key=${hex(10)}`,
      `preshared_key=${hex(2)}`,
      "endpoint=[2001:0db8:0000:0000:0000:0000:0000:0001]:51820",
      "persistent_keepalive_interval=25",
      "replace_allowed_ips=true",
      "allowed_ip=10.0.0.0/8",
      "allowed_ip=fd00:0000:0000:0000:0000:0000:0000:0001/128",
      `public_key=${hex(11)}`,
      "update_only=true",
      "persistent_keepalive_interval=0",
      "",
      "",
    ].join("\n"),
  );
});

t.test("encodeSet sends the zero key to remove a preshared key", async (t) => {
  const text = encodeSet({
    peers: [{ publicKey: b64(10), presharedKey: ZERO_KEY, replaceAllowedIPs: false, allowedIPs: [] }],
  });
  t.match(text, `preshared_key=${"0".repeat(64)}\n`);
});

t.test("encodeSet rejects a malformed key without echoing it", async (t) => {
  const err = t.throws(() =>
    encodeSet({ privateKey: "not-a-key-but-a-secret", peers: [] }),
  ) as WireGuardError;
  t.match(err.message, /private key: expected a 32-byte key/);
  t.notMatch(err.message, "not-a-key-but-a-secret");
});

t.test("replyErrno", async (t) => {
  t.equal(replyErrno("errno=0\n\n"), 0);
  t.equal(replyErrno("errno=-22\n\n"), -22);
  t.equal(replyErrno("listen_port=1\nerrno=5\n\n"), 5);
  t.throws(() => replyErrno("errno=0\n"), WireGuardError);
});

t.test("ParseMemo: a second read reuses conversions and still returns fresh, correct values", async (t) => {
  const memo = new ParseMemo();
  const first = parseGet(REPLY, memo);
  first.peers[0]!.allowedIPs.push(Prefix.parse("192.0.2.0/24"));
  const second = parseGet(REPLY, memo);
  t.same(
    second.peers[0]!.allowedIPs.map(String),
    ["10.0.0.0/8", "fd00::1/128"],
    "caller's changes do not leak",
  );
  t.same(
    second.peers.map((p) => p.presharedKey),
    [b64(2), undefined],
  );
  const changed = parseGet(REPLY.replace("allowed_ip=fd00::1/128", "allowed_ip=fd00::2/128"), memo);
  t.same(
    changed.peers[0]!.allowedIPs.map(String),
    ["10.0.0.0/8", "fd00::2/128"],
    "a changed run is parsed again",
  );
});

t.test("an error inside a run of allowed IPs names its own line", async (t) => {
  const reply = `public_key=${hex(10)}\nallowed_ip=10.0.0.0/8\nallowed_ip=10.0.0.0/99\nerrno=0\n\n`;
  t.throws(() => parseGet(reply, new ParseMemo()), { message: /line 3: allowed_ip "10\.0\.0\.0\/99"/ });
});

t.test("encodeSetChunks: pieces of N peers that join into the whole request", async (t) => {
  const peers = Array.from({ length: 5 }, (_, i) => ({
    publicKey: b64(20 + i),
    replaceAllowedIPs: true,
    allowedIPs: [Prefix.parse(`10.0.0.${i}/32`)],
  }));
  const pieces = [...encodeSetChunks({ fwmark: 1, peers }, 2)];
  t.equal(pieces.length, 3);
  t.ok(pieces[0]!.startsWith("set=1\nfwmark=1\n"));
  t.ok(pieces[2]!.endsWith("allowed_ip=10.0.0.4/32\n\n"), "only the last piece ends the request");
  t.equal(pieces.join(""), encodeSet({ fwmark: 1, peers }));
});

t.test("encodeSetChunks checks every key before the first piece", async (t) => {
  const pieces = encodeSetChunks(
    {
      peers: [
        { publicKey: b64(1), remove: true },
        { publicKey: "bad", remove: true },
      ],
    },
    1,
  );
  t.throws(() => pieces.next(), { message: /peer public key: expected a 32-byte key/ });
});
