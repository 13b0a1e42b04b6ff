import t from "tap";
import {
  createPeerTracker,
  type Decision,
  type Observation,
  ObservationError,
  type PeerTracker,
  probeOrder,
  type StepContext,
  step,
} from "../../src/mesh/peer-tracker.js";
import { FAST_TIMERS, TimerError } from "../../src/mesh/probe-policy.js";
import { Endpoint, Prefix } from "../../src/net/ip.js";

const KEY = "mSIbrbGRXN8jmZzN8nYIwS1Ttjbz3U1F8Qa0HbZ+MFk=";
const T0 = 1_000_000; // an arbitrary epoch; 0 would read as "never"
const at = (seconds: number) => T0 + seconds * 1000;
const ep = (text: string) => Endpoint.parse(text);
const A = ep("10.0.0.1:51820");
const B = ep("10.0.0.2:51820");
const C = ep("10.0.0.3:51820");

interface Stepped {
  tracker: PeerTracker;
  decision: Decision;
}

/** A peer stepped by hand: `next` feeds one observation and keeps the tracker. */
function manual(context: StepContext, init: { lastGood?: Endpoint } = {}) {
  let tracker = createPeerTracker({ publicKey: KEY, label: "node-b", now: T0, ...init });
  return {
    next(seconds: number, observation: Partial<Observation> = {}): Stepped {
      const result = step(tracker, { rxBytes: 0, txBytes: 0, ...observation }, context, at(seconds));
      tracker = result.tracker;
      return result;
    },
    get tracker() {
      return tracker;
    },
  };
}

interface Event {
  t: number;
  endpoint?: string;
  kick?: boolean;
  state?: string;
}

/**
 * Runs a tracker against a scripted WireGuard device until `untilS`, stepping
 * exactly when the decision asks to. A handshake completes 50 ms after a kick
 * on a live endpoint; without a kick it waits `idleHandshakeMs` for traffic or
 * the keepalive. Returns the endpoint changes and state changes, in seconds.
 */
function drive(
  context: StepContext,
  alive: (endpoint: Endpoint) => boolean,
  untilS: number,
  idleHandshakeMs = 20_000,
): Event[] {
  let tracker = createPeerTracker({ publicKey: KEY, now: T0 });
  let endpoint: Endpoint | undefined;
  let pendingHandshake: number | undefined;
  let lastHandshake: number | undefined;
  const events: Event[] = [];
  let now = T0;
  for (let i = 0; i < 10_000 && now <= at(untilS); i++) {
    if (pendingHandshake !== undefined && pendingHandshake <= now) {
      lastHandshake = pendingHandshake;
      pendingHandshake = undefined;
    }
    const result = step(tracker, { endpoint, lastHandshake, rxBytes: 0, txBytes: 0 }, context, now);
    tracker = result.tracker;
    const { decision } = result;
    const set = decision.setEndpoint;
    const t = (now - T0) / 1000;
    if (set !== undefined && (decision.kick || endpoint === undefined || !set.equals(endpoint))) {
      endpoint = set;
      pendingHandshake = alive(set) ? now + (decision.kick ? 50 : idleHandshakeMs) : undefined;
      events.push({ t, endpoint: set.toString(), kick: decision.kick });
    }
    if (decision.stateChanged) events.push({ t, state: tracker.status.state });
    now = decision.nextCheckAt;
  }
  return events;
}

t.test("a fresh peer picks the best-scored candidate, kicks, and polls every second", async (t) => {
  const context: StepContext = {
    candidates: [ep("203.0.113.5:51820"), ep("10.9.9.9:51820"), ep("192.168.1.20:51820")],
    localPrefixes: [Prefix.parse("192.168.1.10/24")],
  };
  const { decision, tracker } = manual(context).next(0);
  t.equal(decision.setEndpoint?.toString(), "192.168.1.20:51820", "same subnet first");
  t.equal(decision.kick, true);
  t.equal(decision.nextCheckAt, at(1));
  t.equal(decision.probeDue, false);
  t.equal(tracker.status.state, "unknown");
  t.equal(tracker.status.lastEndpointChange, at(0));
  t.match(
    tracker.reason,
    /^waiting for a handshake on 192\.168\.1\.20:51820 for 0s; 1 of 3 candidates tried$/,
  );
  t.same(
    tracker.history.map((a) => [a.endpoint.toString(), a.outcome]),
    [["192.168.1.20:51820", "trying"]],
  );
});

/** The first-handshake window in whole seconds. */
const WINDOW_S = FAST_TIMERS.firstHandshakeMs / 1_000;

t.test("a dead first candidate is left after the first-handshake window, not sooner", async (t) => {
  const peer = manual({ candidates: [A, B, C], localPrefixes: [] });
  t.equal(peer.next(0).decision.setEndpoint, A);
  for (let s = 1; s < WINDOW_S; s++) {
    const { decision } = peer.next(s, { endpoint: A });
    t.same([decision.kick, decision.setEndpoint?.toString()], [false, A.toString()], `still on A at ${s}s`);
  }
  t.equal(
    peer.tracker.reason,
    `waiting for a handshake on 10.0.0.1:51820 for ${WINDOW_S - 1}s; 1 of 3 candidates tried`,
  );
  const { decision, tracker } = peer.next(WINDOW_S, { endpoint: A });
  t.same([decision.kick, decision.setEndpoint?.toString()], [true, B.toString()]);
  t.same(
    tracker.history.map((a) => [a.endpoint.toString(), a.outcome, a.startedAt, a.endedAt]),
    [
      [A.toString(), "timeout", at(0), at(WINDOW_S)],
      [B.toString(), "trying", at(WINDOW_S), undefined],
    ],
  );
});

t.test("a handshake after the change declares the peer up", async (t) => {
  const peer = manual({ candidates: [A, B], localPrefixes: [] });
  peer.next(0);
  const before = peer.next(1, { endpoint: A, lastHandshake: at(0) - 500 });
  t.equal(before.tracker.status.state, "unknown", "a handshake older than the change does not count");
  const { decision, tracker } = peer.next(2, { endpoint: A, lastHandshake: at(1.2) });
  t.equal(tracker.status.state, "up");
  t.equal(decision.stateChanged, true);
  t.equal(decision.kick, false);
  t.equal(decision.setEndpoint, A);
  t.equal(tracker.reason, "");
  t.equal(tracker.lastGood, A, "the endpoint that handshook becomes last good");
  t.same(tracker.history[0], {
    endpoint: A,
    startedAt: at(0),
    endedAt: undefined,
    firstHandshakeAt: at(1.2),
    outcome: "handshake",
  });
  t.equal(decision.nextCheckAt, at(7), "up and quiet: counters read every 5 s");
  t.equal(peer.next(3, { endpoint: A, lastHandshake: at(1.2) }).decision.stateChanged, false);
});

t.test("time to up, 3 candidates with the first two dead: fast mode vs Talos baseline", async (t) => {
  const context: StepContext = { candidates: [A, B, C], localPrefixes: [] };
  const alive = (e: Endpoint) => e.equals(C);
  t.same(drive(context, alive, 100), [
    { t: 0, endpoint: A.toString(), kick: true },
    { t: WINDOW_S, endpoint: B.toString(), kick: true },
    { t: 2 * WINDOW_S, endpoint: C.toString(), kick: true },
    { t: 2 * WINDOW_S + 1, state: "up" },
  ]);
  t.same(drive({ ...context, talosCompatible: true }, alive, 200), [
    { t: 0, endpoint: A.toString(), kick: false },
    { t: 30, endpoint: B.toString(), kick: false },
    { t: 60, endpoint: C.toString(), kick: false },
    { t: 90, state: "up" },
  ]);
});

/** Established on A at 1 s; healthy traffic until `deadAtS`, then tx grows and rx freezes. */
function trafficScript(
  probe: (s: number, dead: boolean) => Observation["probe"],
  deadAtS: number,
  untilS: number,
) {
  const peer = manual({ candidates: [A, B], localPrefixes: [] });
  peer.next(0);
  const log: { s: number; decision: Decision; state: string }[] = [];
  let rx = 0;
  let tx = 0;
  for (let s = 1; s <= untilS; s++) {
    const dead = s >= deadAtS;
    tx += 5_000;
    if (!dead) rx += 5_000;
    const endpoint = peer.tracker.status.lastUsedEndpoint;
    const result = peer.next(s, {
      endpoint,
      lastHandshake: at(0.5),
      rxBytes: rx,
      txBytes: tx,
      probe: probe(s, dead),
    });
    log.push({ s, decision: result.decision, state: result.tracker.status.state });
    if (result.decision.kick) break;
  }
  return { log, tracker: peer.tracker };
}

t.test("an established probing peer whose probes stop while tx grows rotates within 3 s", async (t) => {
  const { log, tracker } = trafficScript(
    (s, dead) => ({ capable: true, ok: s < 3 ? undefined : !dead }),
    20,
    60,
  );
  const rotation = log.find((l) => l.decision.kick);
  t.equal(rotation?.s, 22, "three missed probes (20, 21, 22 s) after the path died at 20 s");
  t.equal(rotation?.decision.setEndpoint, B);
  t.ok(
    log.filter((l) => l.s >= 2 && l.s < 22).every((l) => l.state === "up"),
    "up until then",
  );
  t.ok(
    log.filter((l) => l.s >= 2 && l.s < 20).every((l) => l.decision.probeDue),
    "probed once a second while busy",
  );
  t.same(
    tracker.history.map((a) => [a.endpoint.toString(), a.outcome]),
    [
      [A.toString(), "path-dead"],
      [B.toString(), "trying"],
    ],
  );
  t.equal(tracker.status.state, "unknown", "only a handshake on B can make it up again");
});

t.test("a peer that never answered probes (Talos) falls back to the counter rule", async (t) => {
  // Probed (capable) but never answering, and a peer not probed at all, behave the same.
  for (const probe of [(): Observation["probe"] => ({ capable: true, ok: false }), () => undefined]) {
    const { log } = trafficScript(probe, 20, 80);
    const rotation = log.find((l) => l.decision.kick);
    t.equal(rotation?.s, 54, "35 s of tx without rx since rx last moved at 19 s");
    t.ok(
      log.filter((l) => l.s >= 2 && l.s < 54).every((l) => l.state === "up"),
      "never down just for not answering probes",
    );
  }
});

t.test("a probe-capable peer never answering but carrying traffic stays up", async (t) => {
  const { log } = trafficScript(() => ({ capable: true, ok: false }), 1_000, 90);
  t.ok(
    log.filter((l) => l.s >= 2).every((l) => l.state === "up" && !l.decision.kick),
    "rx keeps growing, so missed probes mean nothing",
  );
});

t.test("275 s without a handshake on a quiet established peer: down, retried", async (t) => {
  const peer = manual({ candidates: [A], localPrefixes: [] });
  peer.next(0);
  const up = peer.next(1, { endpoint: A, lastHandshake: at(0.5) });
  t.equal(up.tracker.status.state, "up");
  const quiet = peer.next(272, { endpoint: A, lastHandshake: at(0.5) });
  t.equal(quiet.decision.nextCheckAt, at(275.5), "checks exactly when the 275 s rule can fire");
  t.equal(peer.next(275, { endpoint: A, lastHandshake: at(0.5) }).tracker.status.state, "up");
  const down = peer.next(275.5, { endpoint: A, lastHandshake: at(0.5) });
  t.same(
    [down.decision.kick, down.decision.setEndpoint],
    [true, A],
    "a single candidate is retried and kicked",
  );
  t.same(
    down.tracker.history.map((a) => a.outcome),
    ["timeout", "trying"],
  );
});

t.test("roaming: a handshaking endpoint WireGuard learnt is never overwritten", async (t) => {
  const nat = ep("198.51.100.7:40000");
  const peer = manual({ candidates: [A, B], localPrefixes: [] });
  peer.next(0);
  t.equal(peer.next(1, { endpoint: A }).decision.setEndpoint, A, "re-asserted while the device agrees");
  const roamed = peer.next(2, { endpoint: nat, lastHandshake: at(1.5) });
  t.equal(roamed.tracker.status.state, "up");
  t.equal(roamed.decision.setEndpoint, undefined, "left alone: do not touch");
  t.equal(roamed.tracker.lastGood, nat, "the address that answered is the good one");
  t.equal(peer.next(60, { endpoint: nat, lastHandshake: at(59) }).decision.setEndpoint, undefined);
});

t.test("roaming is respected only after a handshake: a stale device endpoint is re-asserted", async (t) => {
  const peer = manual({ candidates: [A, B], localPrefixes: [] });
  peer.next(0);
  const stale = peer.next(1, { endpoint: ep("198.51.100.7:40000"), lastHandshake: at(-10) });
  t.equal(stale.decision.setEndpoint, A);
  t.equal(peer.next(2, {}).decision.setEndpoint, A, "a device without endpoint gets ours");
});

t.test("hysteresis: an up peer stays on its endpoint until it fails", async (t) => {
  const pub = ep("203.0.113.5:51820");
  const lan = ep("192.168.1.20:51820");
  const local = [Prefix.parse("192.168.1.10/24")];
  let tracker = createPeerTracker({ publicKey: KEY, now: T0 });
  const run = (s: number, candidates: Endpoint[], lastHandshake?: number) => {
    const result = step(
      tracker,
      { endpoint: tracker.status.lastUsedEndpoint, lastHandshake, rxBytes: 0, txBytes: 0 },
      { candidates, localPrefixes: local },
      at(s),
    );
    tracker = result.tracker;
    return result.decision;
  };
  t.equal(run(0, [pub]).setEndpoint, pub);
  run(1, [pub], at(0.5));
  t.equal(tracker.status.state, "up");
  for (const s of [2, 30, 200]) {
    const decision = run(s, [pub, lan], at(s - 1));
    t.same([decision.setEndpoint, decision.kick], [pub, false], `still on the public endpoint at ${s}s`);
  }
  const failed = run(480, [pub, lan], at(199));
  t.same([failed.setEndpoint, failed.kick], [lan, true], "after failing, the better endpoint is next");
});

t.test("rejected candidates are never chosen and are shown with their reason", async (t) => {
  const inTunnel = ep("172.16.0.9:51820");
  const inAllowed = ep("10.244.2.2:51820");
  const filtered = ep("192.0.2.1:51820");
  const context: StepContext = {
    candidates: [inTunnel, inAllowed, filtered, C],
    localPrefixes: [],
    rules: {
      routesViaKubeSpan: (ip) => ip.equals(inTunnel.ip),
      peerAllowedIPs: [Prefix.parse("10.244.2.0/24")],
      peerEndpointsFilter: (ips) => ips.filter((ip) => !ip.equals(filtered.ip)),
    },
  };
  const events = drive(context, () => false, 120);
  const dialled = new Set(events.flatMap((e) => (e.endpoint ? [e.endpoint] : [])));
  t.same([...dialled], [C.toString()], "only the usable candidate is ever dialled");

  const peer = manual(context);
  const first = peer.next(0).tracker;
  t.same(
    first.rejected.map((r) => `${r.endpoint} ${r.reason}`),
    [
      "172.16.0.9:51820 routes via kubespan (tunnel in tunnel)",
      "10.244.2.2:51820 inside peer allowed IPs 10.244.2.0/24",
      "192.0.2.1:51820 filtered by peerEndpoints",
    ],
  );
  t.same(
    first.history.map((a) => a.outcome),
    [
      "rejected:routes via kubespan (tunnel in tunnel)",
      "rejected:inside peer allowed IPs 10.244.2.0/24",
      "rejected:filtered by peerEndpoints",
      "trying",
    ],
  );
  t.match(first.reason, /; 3 rejected$/);
  t.equal(peer.next(1, { endpoint: C }).tracker.history.length, 4, "a standing rejection is recorded once");
});

t.test("with every candidate rejected nothing is dialled and the reason says why", async (t) => {
  const peer = manual({
    candidates: [A],
    localPrefixes: [],
    rules: { routesViaKubeSpan: () => true },
  });
  const { decision, tracker } = peer.next(0);
  t.same([decision.setEndpoint, decision.kick], [undefined, false]);
  t.equal(
    tracker.reason,
    "no usable endpoint: 1 rejected, e.g. 10.0.0.1:51820 routes via kubespan (tunnel in tunnel)",
  );
  t.equal(
    manual({ candidates: [], localPrefixes: [] }).next(0).tracker.reason,
    "peer advertises no endpoints",
  );
});

t.test("an endpoint in use that becomes rejected is left at once, even when up", async (t) => {
  let viaKubeSpan = false;
  const context: StepContext = {
    candidates: [A, B],
    localPrefixes: [],
    rules: { routesViaKubeSpan: (ip) => viaKubeSpan && ip.equals(A.ip) },
  };
  const peer = manual(context);
  peer.next(0);
  t.equal(peer.next(1, { endpoint: A, lastHandshake: at(0.5) }).tracker.status.state, "up");
  viaKubeSpan = true;
  const { decision, tracker } = peer.next(2, { endpoint: A, lastHandshake: at(0.5) });
  t.same([decision.setEndpoint, decision.kick], [B, true]);
  t.same(
    tracker.history.map((a) => [a.endpoint.toString(), a.outcome]),
    [
      [A.toString(), "superseded"],
      [A.toString(), "rejected:routes via kubespan (tunnel in tunnel)"],
      [B.toString(), "trying"],
    ],
  );
});

t.test("a candidate being tried that disappears from the list is superseded at once", async (t) => {
  const peer = manual({ candidates: [A, B], localPrefixes: [] });
  peer.next(0);
  const trackerBefore = peer.tracker;
  const { decision, tracker } = step(
    trackerBefore,
    { endpoint: A, rxBytes: 0, txBytes: 0 },
    { candidates: [B], localPrefixes: [] },
    at(2),
  );
  t.same([decision.setEndpoint, decision.kick], [B, true]);
  t.same(
    tracker.history.map((a) => a.outcome),
    ["superseded", "trying"],
  );
});

/**
 * When a peer whose candidates never answer is kicked: each round tries every
 * candidate for one window; the first two failed rounds are free, then rounds
 * wait 5, 10, 20 and at most 30 s (FAST_TIMERS).
 */
function backoffKicks(candidates: number, untilS: number): number[] {
  const kicks: number[] = [];
  let start = 0;
  for (let round = 0; start <= untilS; round++) {
    for (let k = 0; k < candidates && start + k * WINDOW_S <= untilS; k++) kicks.push(start + k * WINDOW_S);
    const pause = round + 1 < 2 ? 0 : Math.min(30, 5 * 2 ** (round - 1));
    start += candidates * WINDOW_S + pause;
  }
  return kicks;
}

t.test("a single-candidate peer is re-kicked each window, then backs off", async (t) => {
  const events = drive({ candidates: [A], localPrefixes: [] }, () => false, 150);
  t.same(
    events.filter((e) => e.kick).map((e) => e.t),
    backoffKicks(1, 150),
    "one free retry, then pauses of 5, 10, 20, 30, 30 s after each failed round",
  );
});

t.test("long-failing peers back off between full rounds", async (t) => {
  const events = drive({ candidates: [A, B], localPrefixes: [] }, () => false, 200);
  t.same(
    events.filter((e) => e.kick).map((e) => `${e.t}:${e.endpoint}`),
    backoffKicks(2, 200).map((s, i) => `${s}:${(i % 2 === 0 ? A : B).toString()}`),
  );
});

t.test("while backing off the reason says so, and new local addresses retry at once", async (t) => {
  const peer = manual({ candidates: [A], localPrefixes: [] });
  for (const s of [0, WINDOW_S]) peer.next(s, { endpoint: A });
  const held = peer.next(2 * WINDOW_S, { endpoint: A });
  t.same([held.decision.kick, held.tracker.status.state], [false, "down"]);
  t.equal(
    held.tracker.reason,
    `no handshake on 10.0.0.1:51820 after ${WINDOW_S}s; 1 of 1 candidates tried; all failed 2 rounds in a row, next round in 5s`,
  );
  const moved = step(
    peer.tracker,
    { endpoint: A, rxBytes: 0, txBytes: 0 },
    { candidates: [A], localPrefixes: [Prefix.parse("10.0.0.50/24")] },
    at(2 * WINDOW_S + 1),
  );
  t.same([moved.decision.kick, moved.decision.setEndpoint], [true, A]);
  t.equal(moved.tracker.cycle.failed, 0);
});

t.test("after a restart the persisted last-good endpoint is tried first", async (t) => {
  const local = [Prefix.parse("192.168.1.10/24")];
  const lan = ep("192.168.1.20:51820");
  const pub = ep("203.0.113.5:51820");
  const peer = manual({ candidates: [lan, pub], localPrefixes: local }, { lastGood: pub });
  t.equal(peer.next(0).decision.setEndpoint, pub);
  t.equal(peer.next(WINDOW_S, { endpoint: pub }).decision.setEndpoint, lan, "then the ranking");
});

t.test("after a restart a session the kernel still has is adopted, not disturbed", async (t) => {
  const peer = manual({ candidates: [A, B], localPrefixes: [] });
  const { decision, tracker } = peer.next(0, {
    endpoint: B,
    lastHandshake: at(-20),
    rxBytes: 9e6,
    txBytes: 9e6,
  });
  t.same([decision.setEndpoint, decision.kick], [B, false]);
  t.equal(tracker.status.state, "up");
  t.equal(tracker.status.lastEndpointChange, undefined, "we never changed it");
  t.equal(tracker.lastGood, B);
  const stale = manual({ candidates: [A, B], localPrefixes: [] }).next(0, {
    endpoint: B,
    lastHandshake: at(-300),
  });
  t.same([stale.decision.setEndpoint, stale.decision.kick], [A, true], "a stale session is not adopted");
});

t.test("history keeps the last 16 attempts", async (t) => {
  const peer = manual({ candidates: [A, B, C], localPrefixes: [] });
  for (let s = 0; s <= 300; s++) peer.next(s, { endpoint: peer.tracker.status.lastUsedEndpoint });
  const history = peer.tracker.history;
  t.equal(history.length, 16);
  t.same([history.at(-1)?.outcome, history.at(-1)?.startedAt], ["trying", at(backoffKicks(3, 300).at(-1)!)]);
  t.ok(history.slice(0, -1).every((a) => a.outcome === "timeout" && a.endedAt !== undefined));
  t.ok((history[0]?.startedAt ?? 0) > at(0), "the oldest attempts were dropped");
});

t.test("probes: at most one per second per peer, within the global budget, busy peers only", async (t) => {
  const peer = manual({ candidates: [A], localPrefixes: [] });
  peer.next(0);
  const probe = { capable: true };
  const quiet = peer.next(1, { endpoint: A, lastHandshake: at(0.5), probe });
  t.equal(quiet.decision.probeDue, false, "no traffic, no probe");
  const busy = peer.next(2, { endpoint: A, lastHandshake: at(0.5), rxBytes: 5000, txBytes: 5000, probe });
  t.equal(busy.decision.probeDue, true);
  t.equal(busy.decision.nextCheckAt, at(3), "probing peers are looked at every second");
  const again = peer.next(2.5, { endpoint: A, lastHandshake: at(0.5), rxBytes: 9000, txBytes: 9000, probe });
  t.equal(again.decision.probeDue, false, "not twice within a second");
  const context = { candidates: [A], localPrefixes: [], probeBudget: 0 };
  const starved = step(
    peer.tracker,
    { endpoint: A, lastHandshake: at(0.5), rxBytes: 20000, txBytes: 20000, probe },
    context,
    at(4),
  );
  t.equal(starved.decision.probeDue, false, "global budget spent");
  const later = peer.next(13.5, { endpoint: A, lastHandshake: at(0.5), rxBytes: 9000, txBytes: 9000, probe });
  t.equal(later.decision.probeDue, false, "idle for 10 s: probing stops");
  const notCapable = peer.next(14, { endpoint: A, lastHandshake: at(0.5), rxBytes: 90000, txBytes: 90000 });
  t.equal(notCapable.decision.probeDue, false, "peers without a responder are never probed");
});

t.test("probeOrder gives the budget to the peers that waited longest", async (t) => {
  const make = (key: string, lastProbeAt: number | undefined) => {
    const tracker = createPeerTracker({ publicKey: key, now: T0 });
    return { ...tracker, liveness: { ...tracker.liveness, lastProbeAt } };
  };
  const order = probeOrder([make("a", at(5)), make("b", undefined), make("c", at(2))]);
  t.same(
    order.map((p) => p.publicKey),
    ["b", "c", "a"],
  );
});

t.test("bad input gets a typed error naming the field", async (t) => {
  const peer = manual({ candidates: [A], localPrefixes: [] });
  t.throws(() => peer.next(0, { rxBytes: -1 }), ObservationError);
  t.throws(() => peer.next(0, { txBytes: Number.NaN }), /txBytes: expected a finite number ≥ 0, found NaN/);
  t.throws(
    () => step(peer.tracker, { rxBytes: 0, txBytes: 0 }, { candidates: [], localPrefixes: [] }, -5),
    /now/,
  );
  const timers = { ...FAST_TIMERS, firstHandshakeMs: 500 };
  t.throws(
    () =>
      step(peer.tracker, { rxBytes: 0, txBytes: 0 }, { candidates: [A], localPrefixes: [], timers }, at(1)),
    TimerError,
  );
});

t.test("custom timers that respect the rekey timeout are used", async (t) => {
  const timers = { ...FAST_TIMERS, firstHandshakeMs: 10_000 };
  const events = drive({ candidates: [A, B], localPrefixes: [], timers }, () => false, 15);
  t.same(
    events.filter((e) => e.kick).map((e) => e.t),
    [0, 10],
  );
});
