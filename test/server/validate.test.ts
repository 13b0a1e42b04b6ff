// Validation order and TTL conversion (protocol §4.3) as pure functions.
import t from "tap";
import { durationToMs, validateUpdate } from "../../src/server/validate.js";

const base = {
  clusterId: "c",
  affiliateId: "a",
  affiliateData: undefined,
  affiliateEndpoints: [],
  ttl: undefined,
};

t.test("a valid update converts ttl and keeps the blobs", async (t) => {
  const endpoints = [Buffer.from("e")];
  const update = validateUpdate({
    ...base,
    affiliateData: Buffer.from("d"),
    affiliateEndpoints: endpoints,
    ttl: { seconds: 1800, nanos: 0 },
  });
  t.same(update, { affiliateId: "a", data: Buffer.from("d"), endpoints, ttlMs: 1_800_000 });
});

t.test("ttl conversions", async (t) => {
  t.equal(durationToMs(undefined), 0, "absent is zero");
  t.equal(durationToMs({ seconds: 1, nanos: 500_000_000 }), 1500);
  t.equal(durationToMs({ seconds: -3, nanos: 0 }), -3000);
  t.throws(() => validateUpdate({ ...base, ttl: { seconds: 1799, nanos: 1_000_000_001 } }), {
    message: "ttl is too large",
  });
});

t.test("the first failing check wins", async (t) => {
  const everythingWrong = {
    clusterId: "",
    affiliateId: "",
    affiliateData: Buffer.alloc(3000),
    affiliateEndpoints: [Buffer.alloc(40)],
    ttl: { seconds: 4000, nanos: 0 },
  };
  const order = [
    ["clusterId", "c", "cluster ID can't be empty"],
    ["affiliateId", "a", "affiliate ID can't be empty"],
    ["affiliateData", undefined, "affiliate data is too big"],
    ["affiliateEndpoints", [], "affiliate endpoint is too big"],
    ["ttl", undefined, "ttl is too large"],
  ] as const;
  let request: Record<string, unknown> = { ...everythingWrong };
  for (const [field, fix, message] of order) {
    t.throws(() => validateUpdate(request as never), { kind: "invalid-argument", message }, message);
    request = { ...request, [field]: fix };
  }
  t.doesNotThrow(() => validateUpdate(request as never));
});
