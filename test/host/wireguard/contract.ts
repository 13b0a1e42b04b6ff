// The contract every WireGuardBackend passes: the fake, the userspace (UAPI)
// and the kernel (netlink) backends run these same cases against a fresh
// device each.
import { diffDevice, isEmptyDiff, kickPatches } from "../../../src/host/wireguard/diff.js";
import { ZERO_KEY } from "../../../src/host/wireguard/keys.js";
import type {
  DesiredDevice,
  DesiredPeer,
  ObservedPeer,
  PeerPatch,
  WireGuardBackend,
} from "../../../src/host/wireguard/types.js";
import { Endpoint, IP, Prefix } from "../../../src/net/ip.js";
import { keyPair, randomKey } from "../../lab/wg-keys.js";

/** The subset of tap's Test the contract uses. */
export interface ContractTest {
  test(name: string, fn: (t: ContractTest) => Promise<void>): Promise<unknown>;
  equal(found: unknown, wanted: unknown, message?: string): void;
  same(found: unknown, wanted: unknown, message?: string): void;
  ok(value: unknown, message?: string): void;
}

export type DeviceFactory = () => Promise<WireGuardBackend>;

const p = (...texts: string[]) => texts.map((x) => Prefix.parse(x));
const sorted = (list: Prefix[]) => list.map(String).sort();

function add(
  publicKey: string,
  allowedIPs: Prefix[],
  extra: Partial<Extract<PeerPatch, { remove?: false }>> = {},
) {
  return { publicKey, replaceAllowedIPs: true, allowedIPs, ...extra };
}

async function peer(backend: WireGuardBackend, publicKey: string): Promise<ObservedPeer | undefined> {
  return (await backend.read()).peers.find((x) => x.publicKey === publicKey);
}

export async function runContract(t: ContractTest, newDevice: DeviceFactory): Promise<void> {
  await t.test("a new device has no peers and no private key", async (t) => {
    const device = await (await newDevice()).read();
    t.same(device.peers, []);
    t.equal(device.privateKey, undefined);
  });

  await t.test("device fields are set and read back", async (t) => {
    const backend = await newDevice();
    const { privateKey } = keyPair();
    await backend.configure({ privateKey, listenPort: 51901, fwmark: 0x20, peers: [] });
    const device = await backend.read();
    t.equal(device.privateKey, privateKey);
    t.equal(device.listenPort, 51901);
    t.equal(device.fwmark, 0x20);
  });

  await t.test("a peer is added with everything and read back", async (t) => {
    const backend = await newDevice();
    const { publicKey } = keyPair();
    const psk = randomKey();
    await backend.configure({
      peers: [
        add(publicKey, p("10.9.1.2/16", "fd00::5/128", "192.168.7.7/32"), {
          presharedKey: psk,
          keepaliveSeconds: 25,
          endpoint: Endpoint.parse("[2001:db8::7]:51820"),
        }),
      ],
    });
    const found = await peer(backend, publicKey);
    t.equal(found?.presharedKey, psk);
    t.equal(found?.keepaliveSeconds, 25);
    t.equal(found?.endpoint?.toString(), "[2001:db8::7]:51820");
    t.same(
      sorted(found?.allowedIPs ?? []),
      ["10.9.0.0/16", "192.168.7.7/32", "fd00::5/128"],
      "host bits masked",
    );
    t.equal(found?.lastHandshakeMs, 0, "no handshake yet");
    t.equal(found?.rxBytes, 0n);
  });

  await t.test("replace-allowed-IPs replaces; without it the list grows", async (t) => {
    const backend = await newDevice();
    const { publicKey } = keyPair();
    await backend.configure({ peers: [add(publicKey, p("10.0.0.1/32"))] });
    await backend.configure({ peers: [add(publicKey, p("10.0.0.2/32"), { replaceAllowedIPs: false })] });
    t.same(sorted((await peer(backend, publicKey))!.allowedIPs), ["10.0.0.1/32", "10.0.0.2/32"]);
    await backend.configure({ peers: [add(publicKey, p("10.0.0.3/32"))] });
    t.same(sorted((await peer(backend, publicKey))!.allowedIPs), ["10.0.0.3/32"]);
  });

  await t.test("a removed peer is gone, others stay", async (t) => {
    const backend = await newDevice();
    const [a, b] = [keyPair().publicKey, keyPair().publicKey];
    await backend.configure({ peers: [add(a, p("10.0.0.1/32")), add(b, p("10.0.0.2/32"))] });
    await backend.configure({ peers: [{ publicKey: a, remove: true }] });
    t.same(
      (await backend.read()).peers.map((x) => x.publicKey),
      [b],
    );
  });

  await t.test("update-only does not create a peer", async (t) => {
    const backend = await newDevice();
    const [off] = kickPatches(keyPair().publicKey, 25);
    await backend.configure(off);
    t.same((await backend.read()).peers, []);
  });

  await t.test("a patch without an endpoint leaves the endpoint alone (roaming)", async (t) => {
    const backend = await newDevice();
    const { publicKey } = keyPair();
    await backend.configure({
      peers: [add(publicKey, p("10.0.0.1/32"), { endpoint: Endpoint.parse("192.0.2.9:5000") })],
    });
    await backend.configure({ peers: [add(publicKey, p("10.0.0.1/32"), { keepaliveSeconds: 25 })] });
    t.equal((await peer(backend, publicKey))?.endpoint?.toString(), "192.0.2.9:5000");
  });

  await t.test("the zero key removes a preshared key", async (t) => {
    const backend = await newDevice();
    const { publicKey } = keyPair();
    await backend.configure({ peers: [add(publicKey, [], { presharedKey: randomKey() })] });
    await backend.configure({ peers: [add(publicKey, [], { presharedKey: ZERO_KEY })] });
    t.equal((await peer(backend, publicKey))?.presharedKey, undefined);
  });

  await t.test("an allowed IP belongs to the peer that claimed it last", async (t) => {
    const backend = await newDevice();
    const [a, b] = [keyPair().publicKey, keyPair().publicKey];
    await backend.configure({ peers: [add(a, p("10.0.0.0/24", "10.1.0.0/24")), add(b, p("10.0.0.0/24"))] });
    t.same(sorted((await peer(backend, a))!.allowedIPs), ["10.1.0.0/24"]);
    t.same(sorted((await peer(backend, b))!.allowedIPs), ["10.0.0.0/24"]);
  });

  await t.test("kick: keepalive toggles through 0 and ends where it was", async (t) => {
    const backend = await newDevice();
    const { publicKey } = keyPair();
    await backend.configure({ peers: [add(publicKey, [], { keepaliveSeconds: 25 })] });
    const [off, on] = kickPatches(publicKey, 25);
    await backend.configure(off);
    t.equal((await peer(backend, publicKey))?.keepaliveSeconds, 0);
    await backend.configure(on);
    t.equal((await peer(backend, publicKey))?.keepaliveSeconds, 25);
  });

  await t.test("apply by diff converges on a large device, then the diff is empty", async (t) => {
    const backend = await newDevice();
    const want = largeDevice(300, 4);
    const first = diffDevice(want, await backend.read());
    t.equal(first.added.length, 301);
    await backend.configure(first.patch);
    const second = diffDevice(want, await backend.read());
    t.ok(
      isEmptyDiff(second),
      `no difference left (updated: ${second.updated.length}, added: ${second.added.length})`,
    );
    // Shrink: every second peer leaves, one changes its allowed IPs.
    const smaller: DesiredDevice = { ...want, peers: want.peers.filter((_, i) => i % 2 === 0) };
    smaller.peers[0] = { ...smaller.peers[0]!, allowedIPs: p("172.16.0.0/12") };
    const third = diffDevice(smaller, await backend.read());
    t.equal(third.removed.length, 150);
    t.equal(third.updated.length, 1);
    await backend.configure(third.patch);
    t.ok(isEmptyDiff(diffDevice(smaller, await backend.read())), "converged again");
  });
}

/** `count` peers with `each` allowed IPs, plus one peer with 600 (more than one netlink message holds). */
function largeDevice(count: number, each: number): DesiredDevice {
  const psk = randomKey();
  const peers: DesiredPeer[] = Array.from({ length: count }, (_, i) => ({
    publicKey: keyPair().publicKey,
    presharedKey: psk,
    endpoint: Endpoint.of(IP.v4(0xc0000200n + BigInt(i % 250)), 51820),
    keepaliveSeconds: 25,
    allowedIPs: Array.from({ length: each }, (_, j) =>
      Prefix.of(IP.v4(0x0a000000n + BigInt(i * 256 + j * 64)), 26),
    ),
  }));
  peers.push({
    publicKey: keyPair().publicKey,
    presharedKey: psk,
    endpoint: undefined,
    keepaliveSeconds: 25,
    allowedIPs: Array.from({ length: 600 }, (_, j) => Prefix.of(IP.v6((0xfd00n << 112n) | BigInt(j)), 128)),
  });
  return { privateKey: keyPair().privateKey, listenPort: 0, fwmark: 0x20, peers };
}
