import t from "tap";
import { NETLINK_BATCH, splitPatch } from "../../../src/host/wireguard/batch.js";
import type { DevicePatch, PeerPatch } from "../../../src/host/wireguard/types.js";
import { IP, Prefix } from "../../../src/net/ip.js";

const key = (n: number) =>
  Buffer.alloc(32, n % 256)
    .fill(Math.floor(n / 256), 0, 1)
    .toString("base64");
const prefixes = (count: number, base = 0) =>
  Array.from({ length: count }, (_, i) => Prefix.of(IP.v4(0x0a000000n + BigInt(base + i)), 32));
const addPeer = (n: number, ips: number): PeerPatch => ({
  publicKey: key(n),
  presharedKey: key(999),
  keepaliveSeconds: 25,
  replaceAllowedIPs: true,
  allowedIPs: prefixes(ips, n * 1000),
});

/** Replays batches the way the kernel applies them, into peer → allowed IPs. */
function replay(batches: DevicePatch[]): Map<string, string[]> {
  const state = new Map<string, string[]>();
  for (const batch of batches) {
    for (const peer of batch.peers) {
      if (peer.remove) {
        state.delete(peer.publicKey);
        continue;
      }
      const current = peer.replaceAllowedIPs ? [] : (state.get(peer.publicKey) ?? []);
      state.set(peer.publicKey, [...current, ...peer.allowedIPs.map(String)]);
    }
  }
  return state;
}

/** Messages over the netlink limits, described; [] when all fit. */
function overLimits(batches: DevicePatch[]): string[] {
  return batches.flatMap((b, i) => {
    const ips = b.peers.reduce((n, p) => n + (p.remove ? 0 : p.allowedIPs.length), 0);
    const tooMany = b.peers.length > NETLINK_BATCH.maxPeers || ips > NETLINK_BATCH.maxAllowedIPs;
    return tooMany ? [`batch ${i}: ${b.peers.length} peers, ${ips} allowed IPs`] : [];
  });
}

t.test("a small patch stays one message", async (t) => {
  const patch: DevicePatch = { privateKey: key(1), listenPort: 51820, peers: [addPeer(1, 3), addPeer(2, 3)] };
  t.same(splitPatch(patch), [patch]);
});

t.test("an empty patch sends nothing; device fields alone send one message", async (t) => {
  t.same(splitPatch({ peers: [] }), []);
  t.same(splitPatch({ fwmark: 0x20, peers: [] }), [{ fwmark: 0x20, peers: [] }]);
});

t.test("5 000 peers with 8 allowed IPs each", async (t) => {
  const peers = Array.from({ length: 5000 }, (_, i) => addPeer(i, 8));
  const batches = splitPatch({ privateKey: key(1), fwmark: 0x20, peers });
  t.same(overLimits(batches), []);
  t.equal(batches[0]!.privateKey, key(1), "device fields in the first message");
  t.ok(
    batches.slice(1).every((b) => b.privateKey === undefined && b.fwmark === undefined),
    "and only there",
  );
  const state = replay(batches);
  t.equal(state.size, 5000);
  t.ok(
    peers.every((p) => !p.remove && state.get(p.publicKey)!.length === 8),
    "every allowed IP arrives",
  );
});

t.test("a peer with more allowed IPs than one message holds continues without replace", async (t) => {
  const big = addPeer(7, 600);
  const batches = splitPatch({ peers: [addPeer(1, 100), big, addPeer(2, 1)] });
  t.same(overLimits(batches), []);
  const pieces = batches.flatMap((b) => b.peers).filter((p) => p.publicKey === big.publicKey);
  t.ok(pieces.length >= 3, `split in ${pieces.length} pieces`);
  t.match(pieces[0], { replaceAllowedIPs: true, presharedKey: key(999), keepaliveSeconds: 25 });
  for (const piece of pieces.slice(1)) {
    t.same(
      Object.keys(piece).sort(),
      ["allowedIPs", "publicKey", "replaceAllowedIPs"],
      "continuation carries IPs only",
    );
    t.equal(!piece.remove && piece.replaceAllowedIPs, false);
  }
  const state = replay(batches);
  t.same(state.get(big.publicKey), big.remove ? [] : big.allowedIPs.map(String), "all 600 in order");
  t.equal(state.get(key(2))?.length, 1);
});

t.test("update-only survives the split, so a continuation cannot create the peer", async (t) => {
  const peer: PeerPatch = {
    publicKey: key(3),
    updateOnly: true,
    replaceAllowedIPs: false,
    allowedIPs: prefixes(300),
  };
  const pieces = splitPatch({ peers: [peer] }).flatMap((b) => b.peers);
  t.equal(pieces.length, 2);
  t.ok(pieces.every((p) => !p.remove && p.updateOnly === true));
});

t.test("removals count against the peer limit", async (t) => {
  const removals: PeerPatch[] = Array.from({ length: 70 }, (_, i) => ({ publicKey: key(i), remove: true }));
  const batches = splitPatch({ peers: removals });
  t.same(
    batches.map((b) => b.peers.length),
    [32, 32, 6],
  );
});

t.test("a peer with no allowed IPs right at the IP limit", async (t) => {
  const batches = splitPatch({ peers: [addPeer(1, 256), addPeer(2, 0), addPeer(3, 1)] });
  t.same(overLimits(batches), []);
  const state = replay(batches);
  t.same(
    [...state.values()].map((v) => v.length),
    [256, 0, 1],
  );
});
