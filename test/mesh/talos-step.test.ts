import { readFileSync } from "node:fs";
import t from "tap";
import { createPeerTracker, type PeerTracker, type StepContext, step } from "../../src/mesh/peer-tracker.js";
import { TALOS_RECONCILE_INTERVAL_MS } from "../../src/mesh/talos-step.js";
import { Endpoint } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const KEY = "mSIbrbGRXN8jmZzN8nYIwS1Ttjbz3U1F8Qa0HbZ+MFk=";
const ep = (text: string) => Endpoint.parse(text);
const talos = (candidates: Endpoint[]): StepContext => ({
  candidates,
  localPrefixes: [],
  talosCompatible: true,
});

interface PickStep {
  endpoints: string[];
  expected: string | null;
}

t.test("vectors: pick_new_endpoint, driven through the compatible tracker", async (t) => {
  const steps: PickStep[] = vectors.pick_new_endpoint.steps;
  t.ok(steps.length >= 5);
  let tracker = createPeerTracker({ publicKey: KEY, now: 0 });
  let device: Endpoint | undefined;
  let now = 1_000_000;
  for (const [i, s] of steps.entries()) {
    // 300 s without a handshake: every pass after the first finds the peer down and rotates.
    now += 300_000;
    const result = step(
      tracker,
      { endpoint: device, rxBytes: 0, txBytes: 0 },
      talos(s.endpoints.map(ep)),
      now,
    );
    const changed = result.tracker.status.lastEndpointChange === now;
    t.equal(changed ? String(result.tracker.status.lastUsedEndpoint) : null, s.expected, `step ${i}`);
    t.equal(result.decision.kick, false);
    tracker = result.tracker;
    device = result.decision.setEndpoint ?? device;
  }
});

interface StateRow {
  name: string;
  since_last_handshake_ns: number;
  since_endpoint_change_ns: number;
  last_used_endpoint: string | null;
  expected_state: string;
}

t.test("vectors: calculate_state, driven through the compatible tracker", async (t) => {
  const rows: StateRow[] = vectors.calculate_state.rows;
  t.ok(rows.length >= 5);
  const now = 10_000_000;
  for (const row of rows) {
    const used = row.last_used_endpoint === null ? undefined : ep(row.last_used_endpoint);
    const base = createPeerTracker({ publicKey: KEY, now });
    const tracker: PeerTracker = {
      ...base,
      status: {
        ...base.status,
        lastUsedEndpoint: used,
        lastEndpointChange: now - row.since_endpoint_change_ns / 1e6,
      },
    };
    // A single candidate equal to the one in use cannot rotate, so the state stays visible.
    const observation = {
      endpoint: used,
      lastHandshake: now - row.since_last_handshake_ns / 1e6,
      rxBytes: 0,
      txBytes: 0,
    };
    const result = step(tracker, observation, talos(used ? [used] : []), now);
    t.equal(result.tracker.status.state, row.expected_state, row.name);
  }
});

t.test("compatible mode: 30 s tick, no kick, no probe, Talos's roaming rule", async (t) => {
  const A = ep("10.0.0.1:51820");
  const nat = ep("198.51.100.7:40000");
  let tracker = createPeerTracker({ publicKey: KEY, now: 0 });
  const at = (s: number) => 1_000_000 + s * 1000;
  const first = step(tracker, { rxBytes: 0, txBytes: 0 }, talos([A]), at(0));
  t.same(
    [first.decision.setEndpoint, first.decision.kick, first.decision.nextCheckAt],
    [A, false, at(0) + TALOS_RECONCILE_INTERVAL_MS],
  );
  tracker = first.tracker;
  // Talos leaves any other device endpoint alone, even without a handshake.
  const roamed = step(tracker, { endpoint: nat, rxBytes: 0, txBytes: 0 }, talos([A]), at(5));
  t.equal(roamed.decision.setEndpoint, undefined);
  const up = step(
    roamed.tracker,
    { endpoint: nat, lastHandshake: at(6), rxBytes: 9e6, txBytes: 9e6, probe: { capable: true, ok: true } },
    talos([A]),
    at(30),
  );
  t.same([up.tracker.status.state, up.decision.probeDue, up.tracker.lastGood], ["up", false, nat]);
  t.same(
    up.tracker.history.map((a) => [a.outcome, a.firstHandshakeAt]),
    [["handshake", at(6)]],
  );
  t.equal(up.tracker.reason, "");
});

t.test("compatible mode: timed-out attempts are recorded and rejections still apply", async (t) => {
  const A = ep("10.0.0.1:51820");
  const B = ep("10.0.0.2:51820");
  const context: StepContext = { ...talos([A, B]), rules: { routesViaKubeSpan: (ip) => ip.equals(A.ip) } };
  const first = step(
    createPeerTracker({ publicKey: KEY, now: 0 }),
    { rxBytes: 0, txBytes: 0 },
    context,
    1_000_000,
  );
  t.equal(first.decision.setEndpoint, B, "the rejected first endpoint is skipped");
  const down = step(first.tracker, { endpoint: B, rxBytes: 0, txBytes: 0 }, context, 1_030_000);
  t.equal(down.tracker.status.state, "down", "a single usable endpoint cannot rotate");
  t.equal(down.tracker.reason, "no handshake on 10.0.0.2:51820 after 30s; 1 rejected");
  t.same(
    down.tracker.history.map((a) => a.outcome),
    ["rejected:routes via kubespan (tunnel in tunnel)", "timeout"],
  );
});
