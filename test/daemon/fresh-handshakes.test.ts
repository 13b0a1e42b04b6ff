import t from "tap";
import { FreshHandshakes } from "../../src/daemon/fresh-handshakes.js";
import { emptyObservedPeer, type ObservedDevice } from "../../src/host/wireguard/types.js";

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
