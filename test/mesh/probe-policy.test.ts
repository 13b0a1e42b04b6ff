import t from "tap";
import {
  checkTimers,
  cycleBackoffMs,
  FAST_TIMERS,
  freshLiveness,
  type Liveness,
  observeLiveness,
  pathVerdict,
  TimerError,
  upCheckAt,
  wantsProbe,
} from "../../src/mesh/probe-policy.js";

const T = FAST_TIMERS;

t.test("the default timers pass their own checks", async (t) => {
  t.doesNotThrow(() => checkTimers(FAST_TIMERS));
  t.ok(T.firstHandshakeMs < 15_000, "shorter than Talos's 15 s window");
  t.equal(T.peerDownMs, 275_000, "Talos's backstop kept");
});

t.test("timer checks name the field, the expectation and the value", async (t) => {
  const cases: [Partial<typeof T>, RegExp][] = [
    [{ fastPollMs: 0 }, /^timers\.fastPollMs: expected a finite number ≥ 5e-324, found 0$/],
    [{ slowTickMs: Number.POSITIVE_INFINITY }, /timers\.slowTickMs: .* found Infinity/],
    [{ probeMissesForDead: 0 }, /timers\.probeMissesForDead: expected a finite number ≥ 1, found 0/],
    [{ freeCycles: -1 }, /timers\.freeCycles: expected a finite number ≥ 0, found -1/],
    [{ minDwellMs: 4_000 }, /timers\.minDwellMs: expected ≥ 5000 \(WireGuard's rekey timeout\), found 4000/],
    [
      { firstHandshakeMs: 900, fastPollMs: 1_000 },
      /timers\.firstHandshakeMs: expected ≥ fastPollMs \(1000\), found 900/,
    ],
  ];
  for (const [override, message] of cases) {
    t.throws(() => checkTimers({ ...T, ...override }), TimerError);
    t.throws(() => checkTimers({ ...T, ...override }), message);
  }
  t.doesNotThrow(() => checkTimers({ ...T, freeCycles: 0 }), "zero free cycles is allowed");
});

t.test("cycle backoff: free rounds, then doubling up to the cap", async (t) => {
  t.same(
    [0, 1, 2, 3, 4, 5, 6, 20].map((n) => cycleBackoffMs(n, T)),
    [0, 0, 5_000, 10_000, 20_000, 30_000, 30_000, 30_000],
  );
});

const counters = (rxBytes: number, txBytes: number) => ({ rxBytes, txBytes });

t.test("liveness follows rx, tx and probe results", async (t) => {
  let live = freshLiveness(0, 100);
  live = observeLiveness(live, counters(0, 100), counters(50, 150), undefined, 1_000, T);
  t.same([live.rxMovedAt, live.txAtRxMove, live.activeUntil], [1_000, 150, 0], "keepalive-sized: not active");
  live = observeLiveness(live, counters(50, 150), counters(50, 5_000), true, 2_000, T);
  t.same(
    [live.rxMovedAt, live.activeUntil, live.probeAnswered, live.lastProbeOkAt],
    [1_000, 12_000, true, 2_000],
  );
  live = observeLiveness(live, counters(50, 5_000), counters(50, 5_100), false, 3_000, T);
  live = observeLiveness(live, counters(50, 5_100), counters(50, 5_200), false, 4_000, T);
  t.same([live.probeMisses, live.firstMissAt], [2, 3_000]);
  live = observeLiveness(live, counters(50, 5_200), counters(60, 5_300), true, 5_000, T);
  t.same(
    [live.probeMisses, live.firstMissAt, live.rxMovedAt],
    [0, undefined, 5_000],
    "an answer resets the misses",
  );
});

t.test(
  "counters that go backwards (peer re-added) restart the evidence but keep what the peer can do",
  async (t) => {
    const before: Liveness = { ...freshLiveness(0, 0), probeAnswered: true, probeMisses: 2, firstMissAt: 10 };
    const after = observeLiveness(before, counters(900, 900), counters(10, 10), false, 7_000, T);
    t.same([after.rxMovedAt, after.txAtRxMove, after.probeMisses, after.probeAnswered], [7_000, 10, 0, true]);
  },
);

t.test("path verdicts", async (t) => {
  const base: Liveness = { ...freshLiveness(0, 1_000), rxMovedAt: 10_000 };
  const cases: { name: string; live: Partial<Liveness>; tx: number; now: number; expected?: string }[] = [
    { name: "nothing sent since rx moved", live: {}, tx: 1_000, now: 90_000 },
    {
      name: "answered, then three misses with rx frozen",
      live: { probeAnswered: true, probeMisses: 3, firstMissAt: 11_000 },
      tx: 2_000,
      now: 13_000,
      expected: "probes-missed",
    },
    {
      name: "two misses are not enough",
      live: { probeAnswered: true, probeMisses: 2, firstMissAt: 11_000 },
      tx: 2_000,
      now: 12_000,
    },
    {
      name: "rx moved during the misses",
      live: { probeAnswered: true, probeMisses: 3, firstMissAt: 10_000 },
      tx: 2_000,
      now: 13_000,
    },
    {
      name: "never answered: misses mean nothing",
      live: { probeMisses: 30, firstMissAt: 11_000 },
      tx: 2_000,
      now: 40_000,
    },
    { name: "tx without rx for 35 s", live: {}, tx: 2_000, now: 45_000, expected: "tx-without-rx" },
    { name: "tx without rx for 34.9 s", live: {}, tx: 2_000, now: 44_900 },
  ];
  for (const c of cases) t.equal(pathVerdict({ ...base, ...c.live }, c.tx, c.now, T), c.expected, c.name);
});

t.test("wantsProbe: capable, busy, and not within the interval", async (t) => {
  const busy: Liveness = { ...freshLiveness(0, 0), activeUntil: 20_000 };
  t.equal(wantsProbe(busy, true, 5_000, T), true);
  t.equal(wantsProbe(busy, false, 5_000, T), false, "not capable");
  t.equal(wantsProbe({ ...busy, lastProbeAt: 4_500 }, true, 5_000, T), false, "probed 0.5 s ago");
  t.equal(wantsProbe({ ...busy, lastProbeAt: 4_000 }, true, 5_000, T), true);
  t.equal(wantsProbe(busy, true, 20_000, T), false, "idle since the window closed");
  t.equal(wantsProbe({ ...busy, probeMisses: 3 }, true, 5_000, T), false, "never answered: no responder");
  t.equal(
    wantsProbe({ ...busy, probeMisses: 3, probeAnswered: true }, true, 5_000, T),
    true,
    "answered before",
  );
});

t.test("upCheckAt: the earliest moment a rule could change the verdict", async (t) => {
  const live: Liveness = { ...freshLiveness(0, 500), rxMovedAt: 100_000 };
  t.equal(upCheckAt(live, 500, 99_000, false, 100_000, T), 105_000, "quiet: counters read every 5 s");
  t.equal(upCheckAt(live, 500, 0, false, 272_000, T), 275_000, "handshake deadline first");
  t.equal(upCheckAt(live, 900, 99_000, false, 100_000, T), 105_000, "sending since rx: still the 5 s poll");
  t.equal(upCheckAt(live, 900, 99_000, false, 132_000, T), 135_000, "tx-without-rx deadline");
  t.equal(upCheckAt(live, 500, 99_000, true, 100_000, T), 101_000, "probing: every second");
  t.equal(upCheckAt(live, 900, 99_000, false, 140_000, T), 140_001, "never in the past");
});
