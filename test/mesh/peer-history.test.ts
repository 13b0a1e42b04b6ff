import t from "tap";
import {
  closeAttempt,
  describe,
  HISTORY_LIMIT,
  markHandshake,
  openAttempt,
  recordRejections,
} from "../../src/mesh/peer-history.js";
import { newPeerStatus } from "../../src/mesh/peer-state.js";
import { Endpoint } from "../../src/net/ip.js";

const A = Endpoint.parse("10.0.0.1:51820");
const B = Endpoint.parse("[2001:db8::2]:51820");

t.test("attempts open, handshake once, close, and stay bounded", async (t) => {
  let history = openAttempt([], A, 1_000);
  history = [...markHandshake(history, 1_200)];
  history = [...markHandshake(history, 9_000)];
  t.equal(history[0]?.firstHandshakeAt, 1_200, "the first handshake time is kept");
  history = [...closeAttempt(history, "path-dead", 20_000)];
  t.same(history[0], {
    endpoint: A,
    startedAt: 1_000,
    endedAt: 20_000,
    firstHandshakeAt: 1_200,
    outcome: "path-dead",
  });
  t.equal(closeAttempt(history, "timeout", 30_000), history, "nothing open: unchanged");
  for (let i = 0; i < 40; i++) history = openAttempt(history, B, 30_000 + i);
  t.equal(history.length, HISTORY_LIMIT);
  t.equal(history[0]?.startedAt, 30_000 + 40 - HISTORY_LIMIT);
});

t.test("a rejection is recorded when it appears or its reason changes", async (t) => {
  const first = recordRejections([], [], [{ endpoint: A, reason: "filtered by peerEndpoints" }], 5);
  t.same(
    first.map((a) => [a.outcome, a.startedAt, a.endedAt]),
    [["rejected:filtered by peerEndpoints", 5, 5]],
  );
  const before = [{ endpoint: A, reason: "filtered by peerEndpoints" }];
  t.equal(recordRejections(first, before, before, 6).length, 1, "unchanged: nothing new");
  const changed = recordRejections(
    first,
    before,
    [{ endpoint: A, reason: "routes via kubespan (tunnel in tunnel)" }],
    7,
  );
  t.equal(changed.at(-1)?.outcome, "rejected:routes via kubespan (tunnel in tunnel)");
});

t.test("reason lines", async (t) => {
  const none = { usable: [], rejected: [] };
  const base = newPeerStatus("node-b");
  const cases: { name: string; facts: Parameters<typeof describe>[0]; expected: string }[] = [
    {
      name: "up",
      facts: { status: { ...base, state: "up" }, now: 0, candidates: 1, ranked: [A], screened: none },
      expected: "",
    },
    {
      name: "candidates but nothing chosen",
      facts: { status: base, now: 0, candidates: 1, ranked: [A], screened: none },
      expected: "no endpoint chosen yet",
    },
    {
      name: "an established path that went silent",
      facts: {
        status: {
          ...base,
          state: "down",
          lastUsedEndpoint: B,
          lastEndpointChange: 1_000,
          lastHandshakeTime: 2_000,
        },
        now: 302_000,
        candidates: 1,
        ranked: [B],
        screened: none,
      },
      expected: "path via [2001:db8::2]:51820 went silent; last handshake 300s ago",
    },
    {
      name: "an adopted session (never changed by us) that went silent",
      facts: {
        status: { ...base, state: "down", lastUsedEndpoint: A, lastHandshakeTime: 2_000 },
        now: 280_000,
        candidates: 1,
        ranked: [A],
        screened: none,
        cycle: { tried: [A.toString()], failed: 0, resumeAt: undefined },
      },
      expected: "path via 10.0.0.1:51820 went silent; last handshake 278s ago; 1 of 1 candidates tried",
    },
  ];
  for (const c of cases) t.equal(describe(c.facts), c.expected, c.name);
});
