import t from "tap";
import {
  decodeProbe,
  deriveProbeKey,
  encodeProbe,
  PROBE_PACKET_BYTES,
  sign,
} from "../../src/mesh/probe-packet.js";

const key = deriveProbeKey(Buffer.alloc(32, 7));

t.test("round trip of request and reply", async (t) => {
  for (const kind of ["request", "reply"] as const) {
    const wire = encodeProbe(key, { kind, id: 0x0102030405060708n, sentAt: 1_700_000_000_123 });
    t.equal(wire.length, PROBE_PACKET_BYTES);
    t.same(decodeProbe(key, wire), { kind, id: 0x0102030405060708n, sentAt: 1_700_000_000_123 });
  }
});

t.test("the key depends on the cluster secret", async (t) => {
  t.not(
    deriveProbeKey(Buffer.alloc(32, 1)).toString("hex"),
    deriveProbeKey(Buffer.alloc(32, 2)).toString("hex"),
  );
});

t.test("forged, truncated or altered packets are rejected", async (t) => {
  const wire = encodeProbe(key, { kind: "request", id: 1n, sentAt: 5 });
  t.equal(decodeProbe(deriveProbeKey(Buffer.alloc(32, 8)), wire), undefined, "other cluster's key");
  t.equal(decodeProbe(key, wire.subarray(0, 39)), undefined, "short");
  t.equal(decodeProbe(key, Buffer.concat([wire, Buffer.alloc(1)])), undefined, "long");
  t.equal(decodeProbe(key, Buffer.alloc(0)), undefined, "empty");
  for (const offset of [0, 4, 9, 20, 30]) {
    const bad = Buffer.from(wire);
    bad[offset] = (bad[offset] ?? 0) ^ 0x01;
    t.equal(decodeProbe(key, bad), undefined, `bit flipped at ${offset}`);
  }
  t.equal(decodeProbe(key, sign(key, 3, 1n, 5)), undefined, "an authentic packet of unknown kind");
});
