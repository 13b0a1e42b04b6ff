import { readFileSync } from "node:fs";
import t from "tap";
import {
  calculateState,
  DEFAULT_STATE_TIMINGS,
  ENDPOINT_CONNECTION_TIMEOUT_MS,
  newPeerStatus,
  PEER_DOWN_INTERVAL_MS,
  type PeerStatus,
  pickNewEndpoint,
  updateEndpoint,
} from "../../src/mesh/peer-state.js";
import { Endpoint } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const ep = (text: string) => Endpoint.parse(text);
// Small enough that a nanosecond difference survives in a millisecond double.
const NOW = 4_000_000;

t.test("constants match the vectors", async (t) => {
  t.equal(
    ENDPOINT_CONNECTION_TIMEOUT_MS * 1e6,
    vectors.calculate_state.constants.endpoint_connection_timeout_ns,
  );
  t.equal(PEER_DOWN_INTERVAL_MS * 1e6, vectors.calculate_state.constants.peer_down_interval_ns);
  t.same(DEFAULT_STATE_TIMINGS, { endpointConnectionTimeoutMs: 15_000, peerDownIntervalMs: 275_000 });
});

t.test("vectors: calculate_state, every row", async (t) => {
  const rows = vectors.calculate_state.rows;
  t.equal(rows.length, 7);
  for (const row of rows) {
    const lastUsed = row.last_used_endpoint === null ? undefined : ep(row.last_used_endpoint);
    const status: PeerStatus = {
      ...newPeerStatus("peer"),
      endpoint: lastUsed,
      lastUsedEndpoint: lastUsed,
      lastHandshakeTime: NOW - row.since_last_handshake_ns / 1e6,
      lastEndpointChange: NOW - row.since_endpoint_change_ns / 1e6,
    };
    t.equal(calculateState(status, NOW), row.expected_state, row.name);
  }
});

t.test("calculateState edges", async (t) => {
  const used = ep("192.168.1.1:10000");
  const at = (handshake: number | undefined, change: number | undefined, lastUsed = used): PeerStatus => ({
    ...newPeerStatus("p"),
    lastUsedEndpoint: lastUsed,
    lastHandshakeTime: handshake,
    lastEndpointChange: change,
  });
  const cases: [string, PeerStatus, string][] = [
    ["never anything, endpoint set: down", at(undefined, undefined), "down"],
    ["0 means never, like undefined", at(0, 0), "down"],
    ["never anything, no endpoint: unknown", { ...newPeerStatus("p") }, "unknown"],
    ["just changed, no handshake yet", at(undefined, NOW), "unknown"],
    ["handshake before the change does not count", at(NOW - 2_000, NOW - 1_000), "unknown"],
    ["handshake at the same instant as the change does not count", at(NOW - 1_000, NOW - 1_000), "unknown"],
    ["exactly 15 s after the change without handshake", at(undefined, NOW - 15_000), "down"],
    ["exactly 275 s after the change, handshake after it", at(NOW - 100, NOW - 275_000), "up"],
    ["more than 275 s, handshake exactly 275 s ago", at(NOW - 275_000, NOW - 300_000), "down"],
    ["more than 275 s, never a change, recent handshake", at(NOW - 10_000, undefined), "up"],
  ];
  for (const [name, status, expected] of cases) t.equal(calculateState(status, NOW), expected, name);
  const fast = { endpointConnectionTimeoutMs: 1_000, peerDownIntervalMs: 5_000 };
  t.equal(calculateState(at(undefined, NOW - 2_000), NOW, fast), "down", "durations are arguments");
  t.equal(
    calculateState(at(undefined, NOW - 2_000), NOW),
    "unknown",
    "with the defaults the same is unknown",
  );
});

t.test("vectors: pick_new_endpoint, the whole sequence", async (t) => {
  let status = newPeerStatus("peer");
  for (const [i, step] of vectors.pick_new_endpoint.steps.entries()) {
    const picked = pickNewEndpoint(status, step.endpoints.map(ep));
    t.equal(
      picked === undefined ? null : String(picked),
      step.expected,
      `step ${i}${step.note ? `: ${step.note}` : ""}`,
    );
    if (picked) status = updateEndpoint(status, picked, NOW + i * 1_000);
  }
});

t.test("pickNewEndpoint edges", async (t) => {
  const a = ep("10.0.0.1:51820");
  const b = ep("10.0.0.2:51820");
  const using = (last: Endpoint | undefined, device: Endpoint | undefined): PeerStatus => ({
    ...newPeerStatus("p"),
    lastUsedEndpoint: last,
    endpoint: device,
  });
  t.equal(pickNewEndpoint(using(a, a), []), undefined, "empty list: no change");
  t.equal(String(pickNewEndpoint(using(undefined, undefined), [b, a])), String(b), "first pick is the first");
  t.equal(
    String(pickNewEndpoint(using(a, undefined), [a])),
    String(a),
    "single endpoint is re-picked when the device has none",
  );
  t.equal(String(pickNewEndpoint(using(a, b), [a])), String(a), "single endpoint is re-picked after roaming");
  t.equal(String(pickNewEndpoint(using(b, b), [a])), String(a), "single different endpoint is picked");
  t.equal(String(pickNewEndpoint(using(b, b), [a, b])), String(a), "wraps around at the end");
});

t.test("updateEndpoint", async (t) => {
  const before: PeerStatus = {
    ...newPeerStatus("node-b"),
    state: "down",
    lastHandshakeTime: 5,
    receiveBytes: 9,
  };
  const target = ep("[2001:db8::1]:51820");
  const after = updateEndpoint(before, target, NOW);
  t.same(after, {
    ...before,
    endpoint: target,
    lastUsedEndpoint: target,
    lastEndpointChange: NOW,
    state: "unknown",
  });
  t.equal(before.state, "down", "the input is not modified");
  t.same(newPeerStatus("x"), {
    endpoint: undefined,
    label: "x",
    state: "unknown",
    receiveBytes: 0,
    transmitBytes: 0,
    lastHandshakeTime: undefined,
    lastUsedEndpoint: undefined,
    lastEndpointChange: undefined,
  });
});
