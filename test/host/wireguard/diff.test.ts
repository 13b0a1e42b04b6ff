import t from "tap";
import { canonicalPrefixes, diffDevice, isEmptyDiff, kickPatches } from "../../../src/host/wireguard/diff.js";
import { ZERO_KEY } from "../../../src/host/wireguard/keys.js";
import type {
  DesiredDevice,
  DesiredPeer,
  ObservedDevice,
  ObservedPeer,
} from "../../../src/host/wireguard/types.js";
import { Endpoint, Prefix } from "../../../src/net/ip.js";

const key = (n: number) => Buffer.alloc(32, n).toString("base64");
const PRIVATE = key(1);
const PSK = key(2);
const A = key(10);
const B = key(11);
const C = key(12);
const p = (...texts: string[]) => texts.map((x) => Prefix.parse(x));
const ep = (text: string) => Endpoint.parse(text);

function desiredPeer(publicKey: string, extra: Partial<DesiredPeer> = {}): DesiredPeer {
  return {
    publicKey,
    presharedKey: PSK,
    endpoint: undefined,
    keepaliveSeconds: 25,
    allowedIPs: p("10.0.0.1/32"),
    ...extra,
  };
}

function observedPeer(publicKey: string, extra: Partial<ObservedPeer> = {}): ObservedPeer {
  return {
    publicKey,
    presharedKey: PSK,
    endpoint: undefined,
    lastHandshakeMs: 0,
    rxBytes: 0n,
    txBytes: 0n,
    keepaliveSeconds: 25,
    allowedIPs: p("10.0.0.1/32"),
    ...extra,
  };
}

function desired(peers: DesiredPeer[], extra: Partial<DesiredDevice> = {}): DesiredDevice {
  return { privateKey: PRIVATE, listenPort: 51820, fwmark: 0x20, peers, ...extra };
}

function observed(peers: ObservedPeer[], extra: Partial<ObservedDevice> = {}): ObservedDevice {
  return { privateKey: PRIVATE, listenPort: 51820, fwmark: 0x20, peers, ...extra };
}

t.test("device fields", async (t) => {
  const cases: Array<[string, Partial<DesiredDevice>, Partial<ObservedDevice>, string[]]> = [
    ["identical", {}, {}, []],
    ["private key differs", {}, { privateKey: key(9) }, ["private key"]],
    ["no private key yet", {}, { privateKey: undefined }, ["private key"]],
    ["listen port differs", {}, { listenPort: 40000 }, ["listen port"]],
    ["desired port 0 leaves a random port alone", { listenPort: 0 }, { listenPort: 40000 }, []],
    ["fwmark differs", {}, { fwmark: 0 }, ["fwmark"]],
    [
      "all three",
      {},
      { privateKey: undefined, listenPort: 1, fwmark: 0 },
      ["private key", "listen port", "fwmark"],
    ],
  ];
  for (const [name, want, have, fields] of cases) {
    const diff = diffDevice(desired([], want), observed([], have));
    t.same(diff.device, fields, name);
    t.equal(diff.patch.privateKey !== undefined, fields.includes("private key"), `${name}: private key sent`);
    t.equal(diff.patch.listenPort !== undefined, fields.includes("listen port"), `${name}: port sent`);
    t.equal(diff.patch.fwmark !== undefined, fields.includes("fwmark"), `${name}: fwmark sent`);
    t.equal(isEmptyDiff(diff), fields.length === 0, `${name}: empty`);
  }
});

t.test("peer equality (spec §11)", async (t) => {
  const cases: Array<[string, Partial<DesiredPeer>, Partial<ObservedPeer>, boolean]> = [
    ["same", {}, {}, false],
    ["unset endpoint ignores a roamed one", {}, { endpoint: ep("198.51.100.7:40001") }, false],
    ["set endpoint equal", { endpoint: ep("192.0.2.1:51820") }, { endpoint: ep("192.0.2.1:51820") }, false],
    ["set endpoint differs", { endpoint: ep("192.0.2.1:51820") }, { endpoint: ep("192.0.2.2:51820") }, true],
    ["set endpoint, device has none", { endpoint: ep("192.0.2.1:51820") }, {}, true],
    ["psk differs", {}, { presharedKey: key(3) }, true],
    ["psk missing on device", {}, { presharedKey: undefined }, true],
    ["no psk wanted, none present", { presharedKey: undefined }, { presharedKey: undefined }, false],
    ["zero psk wanted means none", { presharedKey: ZERO_KEY }, { presharedKey: undefined }, false],
    ["no psk wanted, one present", { presharedKey: undefined }, {}, true],
    ["keepalive differs", {}, { keepaliveSeconds: 0 }, true],
    ["allowed IPs differ", { allowedIPs: p("10.0.0.2/32") }, {}, true],
    ["allowed IP missing", { allowedIPs: p("10.0.0.1/32", "10.9.0.0/16") }, {}, true],
    ["allowed IP extra on device", {}, { allowedIPs: p("10.0.0.1/32", "10.9.0.0/16") }, true],
    [
      "order does not matter",
      { allowedIPs: p("fd00::1/128", "10.0.0.1/32") },
      { allowedIPs: p("10.0.0.1/32", "fd00::1/128") },
      false,
    ],
    [
      "host bits are masked as WireGuard does",
      { allowedIPs: p("10.9.1.2/16") },
      { allowedIPs: p("10.9.0.0/16") },
      false,
    ],
    ["duplicates collapse", { allowedIPs: p("10.0.0.1/32", "10.0.0.1/32") }, {}, false],
  ];
  for (const [name, want, have, changed] of cases) {
    const diff = diffDevice(desired([desiredPeer(A, want)]), observed([observedPeer(A, have)]));
    t.same(diff.updated, changed ? [A] : [], name);
    t.equal(diff.patch.peers.length, changed ? 1 : 0, `${name}: patch size`);
  }
});

t.test("new, changed and removed peers", async (t) => {
  const diff = diffDevice(
    desired([
      desiredPeer(C, { endpoint: ep("[2001:db8::1]:51820") }),
      desiredPeer(A, { keepaliveSeconds: 10 }),
    ]),
    observed([observedPeer(A), observedPeer(B)]),
  );
  t.same(diff.added, [C]);
  t.same(diff.updated, [A]);
  t.same(diff.removed, [B]);
  t.same(diff.patch.peers[0], { publicKey: B, remove: true }, "removals come first");
  t.same(
    diff.patch.peers.slice(1).map((x) => x.publicKey),
    [A, C],
    "then peers sorted by key",
  );
  const added = diff.patch.peers[2];
  t.match(added, {
    publicKey: C,
    presharedKey: PSK,
    keepaliveSeconds: 25,
    replaceAllowedIPs: true,
    endpoint: ep("[2001:db8::1]:51820"),
  });
  t.notOk("endpoint" in diff.patch.peers[1]!, "an unset endpoint is not sent");
});

t.test("a re-added peer carries everything, with a zero key when it should have no PSK", async (t) => {
  const diff = diffDevice(
    desired([
      desiredPeer(A, { presharedKey: undefined, allowedIPs: p("10.1.0.0/16", "10.0.0.5/32", "10.1.2.3/16") }),
    ]),
    observed([observedPeer(A)]),
  );
  t.same(diff.patch.peers, [
    {
      publicKey: A,
      presharedKey: ZERO_KEY,
      keepaliveSeconds: 25,
      replaceAllowedIPs: true,
      allowedIPs: p("10.0.0.5/32", "10.1.0.0/16"),
    },
  ]);
});

t.test("an allowed IP moving between peers changes both", async (t) => {
  const diff = diffDevice(
    desired([
      desiredPeer(A, { allowedIPs: p("10.0.0.1/32") }),
      desiredPeer(B, { allowedIPs: p("10.0.0.2/32", "10.7.0.0/16") }),
    ]),
    observed([
      observedPeer(A, { allowedIPs: p("10.0.0.1/32", "10.7.0.0/16") }),
      observedPeer(B, { allowedIPs: p("10.0.0.2/32") }),
    ]),
  );
  t.same(diff.updated, [A, B].sort());
});

t.test("empty device against empty plan", async (t) => {
  const diff = diffDevice(desired([]), observed([]));
  t.ok(isEmptyDiff(diff));
  t.same(diff.patch, { peers: [] });
});

t.test("kick: keepalive 0 then back, update-only", async (t) => {
  const [off, on] = kickPatches(A, 25);
  t.same(off.peers, [
    { publicKey: A, updateOnly: true, keepaliveSeconds: 0, replaceAllowedIPs: false, allowedIPs: [] },
  ]);
  t.same(on.peers, [
    { publicKey: A, updateOnly: true, keepaliveSeconds: 25, replaceAllowedIPs: false, allowedIPs: [] },
  ]);
  t.equal(off.privateKey, undefined, "device fields untouched");
});

t.test("canonicalPrefixes sorts by family, address, then length", async (t) => {
  t.same(
    canonicalPrefixes(p("fd00::/8", "10.0.0.0/16", "10.0.0.0/8", "9.0.0.1/32", "10.0.0.7/8")).map(String),
    ["9.0.0.1/32", "10.0.0.0/8", "10.0.0.0/16", "fd00::/8"],
  );
});
