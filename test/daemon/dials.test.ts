import t from "tap";
import { FreshHandshakes, planDials } from "../../src/daemon/dials.js";
import { type DesiredPeer, emptyObservedPeer, type ObservedDevice } from "../../src/host/wireguard/types.js";
import { Endpoint } from "../../src/net/ip.js";

const A = "A".repeat(43) + "=";
const B = "B".repeat(43) + "=";

function device(handshakes: Record<string, number>): ObservedDevice {
  return {
    privateKey: undefined,
    listenPort: 51820,
    fwmark: 0,
    peers: Object.entries(handshakes).map(([key, at]) => ({
      ...emptyObservedPeer(key),
      lastHandshakeMs: at,
    })),
  };
}

t.test("a handshake after the planned read is fresh; an unchanged one is not", async (t) => {
  let reads = 0;
  const fresh = new FreshHandshakes(device({ [A]: 0, [B]: 1_000 }), async () => {
    reads++;
    return device({ [A]: 5_000, [B]: 1_000 });
  });
  t.equal(await fresh.since(A), true, "A handshook since");
  t.equal(await fresh.since(B), false, "B's handshake is the one planned on");
  t.equal(reads, 1, "the device is read again once per pass");
});

t.test("a peer missing from either read has no fresh handshake", async (t) => {
  const fresh = new FreshHandshakes(device({ [A]: 0 }), async () => device({}));
  t.equal(await fresh.since(A), false);
  t.equal(await fresh.since(B), false);
});

t.test("without a planned read (device unreadable or just opened) nothing is re-read", async (t) => {
  let reads = 0;
  const fresh = new FreshHandshakes(undefined, async () => {
    reads++;
    return device({ [A]: 5_000 });
  });
  t.equal(await fresh.since(A), false);
  t.equal(reads, 0);
});

t.test("a device that cannot be read again means no fresh handshake", async (t) => {
  const fresh = new FreshHandshakes(device({ [A]: 0 }), async () => undefined);
  t.equal(await fresh.since(A), false);
});

t.test(
  "every dial with an endpoint re-creates the peer; without one it toggles; fresh sessions are kept",
  async (t) => {
    const C = "C".repeat(43) + "=";
    const peer = (publicKey: string, endpoint?: string): DesiredPeer => ({
      publicKey,
      presharedKey: undefined,
      endpoint: endpoint === undefined ? undefined : Endpoint.parse(endpoint),
      keepaliveSeconds: 25,
      allowedIPs: [],
    });
    const desired = new Map([
      [A, peer(A, "192.0.2.1:51820")],
      [B, peer(B)],
      [C, peer(C, "192.0.2.3:51820")],
    ]);
    const fresh = new FreshHandshakes(device({ [A]: 0, [C]: 0 }), async () => device({ [A]: 0, [C]: 9_000 }));
    const dials = await planDials([A, B, C], desired, fresh);
    t.same(
      dials.recreate.map((p) => p.publicKey),
      [A],
    );
    t.same(dials.toggle, [B], "no endpoint: only the keepalive toggle is possible");
    t.same(dials.skipped, [C], "handshook while planning: not re-created");
  },
);
