import t from "tap";
import { plainPalette } from "../../../src/cli/render/color.js";
import {
  describeCandidates,
  notUpReason,
  peerName,
  peerSummary,
  renderPeersTable,
} from "../../../src/cli/render/peers.js";
import { peer } from "../../api/fake-source.js";

t.test("candidates: endpoint, outcome and how long each attempt took", async (t) => {
  const text = describeCandidates([
    { endpoint: "10.0.0.2:51820", startedAt: 1_000, endedAt: 7_000, outcome: "timeout" },
    { endpoint: "[2001:db8::2]:51820", startedAt: 8_000, endedAt: 0, outcome: "trying" },
    {
      endpoint: "192.0.2.9:51820",
      startedAt: 8_000,
      endedAt: 8_000,
      outcome: "rejected:inside a peer's allowed IPs",
    },
    { endpoint: "192.0.2.8:51820", startedAt: 9_000, endedAt: 9_350, outcome: "handshake" },
  ]);
  t.equal(
    text,
    "10.0.0.2:51820 timeout 6s, [2001:db8::2]:51820 trying, " +
      "192.0.2.9:51820 rejected (inside a peer's allowed IPs), 192.0.2.8:51820 handshake 350ms",
  );
});

t.test("a peer that is up needs no reason; others get the daemon's reason then candidates", async (t) => {
  const attempts = [{ endpoint: "10.0.0.2:51820", startedAt: 0, endedAt: 30_000, outcome: "timeout" }];
  t.equal(notUpReason(peer("a", "up", { reason: "stale", candidates: attempts })), "");
  t.equal(
    notUpReason(peer("a", "down", { reason: "no handshake for 5m", candidates: attempts })),
    "no handshake for 5m: 10.0.0.2:51820 timeout 30s",
  );
  t.equal(notUpReason(peer("a", "unknown", { candidates: attempts })), "10.0.0.2:51820 timeout 30s");
  t.equal(notUpReason(peer("a", "down", { reason: "no endpoints advertised" })), "no endpoints advertised");
});

t.test("peer names fall back from label to node ID to public key", async (t) => {
  t.equal(peerName(peer("web", "up")), "web");
  t.equal(peerName(peer("", "up", { nodeId: "n1" })), "n1");
  t.equal(peerName(peer("", "up", { nodeId: "", publicKey: "k=" })), "k=");
});

t.test("summary counts every state, always naming up and down", async (t) => {
  t.equal(peerSummary([]), "no peers");
  t.equal(peerSummary([peer("a", "up")]), "1 peer: 1 up, 0 down");
  t.equal(peerSummary([peer("a", "up"), peer("b", "up"), peer("c", "down")]), "3 peers: 2 up, 1 down");
  t.equal(
    peerSummary([peer("a", "unknown"), peer("b", "down"), peer("c", "up"), peer("d", "unknown")]),
    "4 peers: 1 up, 1 down, 2 unknown",
  );
});

t.test("the table is sorted by name and drops the REASON column when every peer is up", async (t) => {
  const ctx = { now: 100_000, palette: plainPalette };
  const allUp = renderPeersTable([peer("b", "up"), peer("a", "up", { lastHandshakeAt: 88_000 })], ctx);
  t.equal(
    allUp,
    "NAME  STATE  ENDPOINT  LAST HANDSHAKE  RX   TX\n" +
      "a     up     -         12s ago         0 B  0 B\n" +
      "b     up     -         never           0 B  0 B\n",
  );
  t.match(renderPeersTable([peer("a", "down")], ctx), /^NAME .* REASON$/m);
});
