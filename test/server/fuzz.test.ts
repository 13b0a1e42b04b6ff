// Fuzzing over real gRPC: 100 000 random and mutated requests, sent as raw
// bytes so malformed protobuf reaches the server too. The server must answer
// every one with a proper status and keep a state that obeys every limit.
import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import t from "tap";
import {
  AffiliateDeleteRequest,
  AffiliateDeleteResponse,
  AffiliateUpdateRequest,
  AffiliateUpdateResponse,
  HelloRequest,
  HelloResponse,
  ListRequest,
  ListResponse,
  WatchRequest,
  WatchResponse,
} from "../../src/gen/sidero/discovery/server/cluster.js";
import { connect, startTestServer, unary } from "./helpers.js";

const TOTAL = 100_000;
// Most answers here are expected failures; capturing a stack trace for each
// (with source maps on) would cost more than the calls themselves.
Error.stackTraceLimit = 0;
const CONCURRENCY = 256;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** mulberry32: a small seeded generator, so a failing run can be replayed with FUZZ_SEED. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}

const rng = generator(SEED);
// Small clusters take most calls and stay cheap to List; "full" is driven
// into the affiliate limit and "hot" affiliates into the endpoint limit.
const SMALL = Array.from({ length: 16 }, (_, i) => `small${i}`);
const INVALID = ["", "x".repeat(257), "é".repeat(129)];
const EDGE = ["é".repeat(128), "x".repeat(256)];
const CLUSTERS = [...SMALL, "full", ...EDGE];
const sizeNear = (limit: number) => rng.pick([0, 1, limit - 1, limit, limit + 1, rng.int(limit * 2)]);

/** Writers favour "full" so it reaches 1024 affiliates; readers and deleters rarely touch it. */
function clusterId(use: "read" | "update" | "delete"): string {
  const r = rng.next();
  if (r < 0.04) return rng.pick(INVALID);
  if (r < 0.06) return rng.pick(EDGE);
  if (r < { read: 0.065, update: 0.5, delete: 0.07 }[use]) return "full";
  return rng.pick(SMALL);
}

function affiliateId(cluster: string): string {
  const r = rng.next();
  if (r < 0.02) return "a".repeat(sizeNear(256));
  if (r < 0.1) return "hot";
  return cluster === "full" ? `af${rng.int(1300)}` : `af${rng.int(40)}`;
}

const data = () => (rng.next() < 0.1 ? rng.bytes(sizeNear(2048)) : rng.bytes(rng.int(64)));
const endpoint = () => (rng.next() < 0.9 ? Buffer.from(`ep${rng.int(100)}`) : rng.bytes(sizeNear(32)));

function updateRequest() {
  const cluster = clusterId("update");
  return AffiliateUpdateRequest.encode({
    clusterId: cluster,
    affiliateId: affiliateId(cluster),
    affiliateData: rng.next() < 0.5 && cluster !== "full" ? data() : undefined,
    affiliateEndpoints: Array.from({ length: rng.int(4) }, endpoint),
    ttl:
      rng.next() < 0.1
        ? undefined
        : { seconds: rng.pick([-10, 0, 1, 60, 1800, 1801, 1e9]), nanos: rng.pick([0, 1, 999_999_999, -5]) },
  });
}

const METHODS = {
  Hello: () =>
    HelloRequest.encode({
      clusterId: clusterId("read"),
      clientVersion: rng.pick(["", "v1.8.3", "v0.14.0-alpha.0", "junk"]),
    }),
  AffiliateUpdate: updateRequest,
  AffiliateDelete: () => {
    const cluster = clusterId("delete");
    return AffiliateDeleteRequest.encode({ clusterId: cluster, affiliateId: affiliateId(cluster) });
  },
  List: () => ListRequest.encode({ clusterId: clusterId("read") }),
  Watch: () => WatchRequest.encode({ clusterId: clusterId("read") }),
} as const;
type Method = keyof typeof METHODS;

/** Half the time keeps a valid encoding; otherwise damages it in one of several ways or replaces it with noise. */
function mutate(valid: Uint8Array): Buffer {
  const out = Buffer.from(valid);
  if (rng.next() < 0.5) return out;
  switch (rng.int(6)) {
    case 0:
      if (out.length > 0) out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    case 1:
      return out.subarray(0, rng.int(out.length + 1));
    case 2:
      return Buffer.concat([out, rng.bytes(rng.int(16))]);
    case 3:
      // A length prefix that points far past the end.
      return Buffer.concat([Buffer.from([0x0a, 0xff, 0xff, 0x03]), out]);
    case 4:
      // Unknown, repeated and wrongly typed fields.
      return Buffer.concat([out, Buffer.from([0x78, 0x01, 0x0d, 1, 2, 3, 4, 0x08, 0x01]), out]);
    default:
      return rng.bytes(rng.int(64));
  }
}

const RESPONSES: Record<Method, { decode(b: Uint8Array): unknown }> = {
  Hello: HelloResponse,
  AffiliateUpdate: AffiliateUpdateResponse,
  AffiliateDelete: AffiliateDeleteResponse,
  List: ListResponse,
  Watch: WatchResponse,
};

const passthrough = (b: Buffer) => b;

interface Outcome {
  method: Method;
  code: number;
  details: string;
  decodes: boolean;
}

function send(client: Client, method: Method, body: Buffer): Promise<Outcome> {
  const path = `/sidero.discovery.server.Cluster/${method}`;
  const decodes = (reply: Buffer) => {
    try {
      RESPONSES[method].decode(reply);
      return true;
    } catch {
      return false;
    }
  };
  const options = { deadline: Date.now() + 30_000 };
  if (method !== "Watch") {
    return new Promise((resolve) =>
      client.makeUnaryRequest(path, passthrough, passthrough, body, new Metadata(), options, (err, reply) =>
        resolve(
          err
            ? {
                method,
                code: (err as ServiceError).code,
                details: (err as ServiceError).details,
                decodes: true,
              }
            : { method, code: status.OK, details: "", decodes: decodes(reply!) },
        ),
      ),
    );
  }
  return new Promise((resolve) => {
    const stream = client.makeServerStreamRequest(
      path,
      passthrough,
      passthrough,
      body,
      new Metadata(),
      options,
    );
    stream.on("data", (reply: Buffer) => {
      resolve({ method, code: status.OK, details: "", decodes: decodes(reply) });
      stream.cancel();
    });
    stream.on("error", (err: ServiceError) =>
      resolve({ method, code: err.code, details: err.details, decodes: true }),
    );
    stream.on("end", () => resolve({ method, code: status.OK, details: "", decodes: true }));
  });
}

const EXPECTED: Record<number, RegExp> = {
  [status.OK]: /^$/,
  [status.INVALID_ARGUMENT]: /^(cluster ID|affiliate ID|affiliate data|affiliate endpoint|ttl) /,
  [status.RESOURCE_EXHAUSTED]: /^too many (affiliates in the cluster|endpoints in the affiliate)$/,
  [status.INTERNAL]: /^Error deserializing request/,
  [status.CANCELLED]: /.*/,
};

t.test(`${TOTAL} random and mutated requests`, async (t) => {
  t.comment(`seed ${SEED} (set FUZZ_SEED to replay)`);
  const server = await startTestServer(t, { rateLimit: { perSecond: 1e9, burst: 1e9 } });
  const client = new Client(server.address, credentials.createInsecure(), {
    "grpc.max_receive_message_length": 16 * 1024 * 1024,
  });
  t.teardown(() => client.close());
  const methods = Object.keys(METHODS) as Method[];
  const counts = new Map<string, number>();
  const surprises: Outcome[] = [];
  let sent = 0;
  const worker = async () => {
    while (sent < TOTAL) {
      sent++;
      // Watch streams are costlier; keep them to a few percent of the mix.
      const method = rng.next() < 0.03 ? "Watch" : rng.pick(methods.filter((m) => m !== "Watch"));
      const body =
        rng.next() < 0.05
          ? mutate(METHODS[rng.pick(methods)]().finish())
          : mutate(METHODS[method]().finish());
      const outcome = await send(client, method, body);
      const key = `${outcome.method} ${status[outcome.code]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const expected = EXPECTED[outcome.code];
      if (!expected?.test(outcome.details) || !outcome.decodes) surprises.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  t.comment(
    [...counts]
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(", "),
  );
  t.equal(
    [...counts.values()].reduce((x, y) => x + y, 0),
    TOTAL,
    "every request got an answer",
  );
  t.same(
    surprises.slice(0, 10),
    [],
    "every answer is a protocol status with its exact message, every reply decodes",
  );
  t.ok((counts.get("AffiliateUpdate OK") ?? 0) > 1000, "many updates were accepted");
  t.ok((counts.get("AffiliateUpdate INTERNAL") ?? 0) > 100, "many malformed requests reached the server");
  t.ok((counts.get("AffiliateUpdate RESOURCE_EXHAUSTED") ?? 0) > 0, "the limits were reached");

  const stub = connect(t, server);
  for (const id of CLUSTERS) {
    const { affiliates } = await unary(stub, "list", { clusterId: id });
    const problems: string[] = [];
    if (affiliates.length > 1024) problems.push(`${affiliates.length} affiliates`);
    if (new Set(affiliates.map((a) => a.id)).size !== affiliates.length) problems.push("duplicate IDs");
    for (const a of affiliates) {
      if (a.id === "" || Buffer.byteLength(a.id) > 256) problems.push(`bad ID length ${a.id.length}`);
      if (a.data.length > 2048) problems.push(`${a.id}: data ${a.data.length} bytes`);
      if (a.endpoints.length > 64) problems.push(`${a.id}: ${a.endpoints.length} endpoints`);
      if (a.endpoints.some((e) => e.length > 32)) problems.push(`${a.id}: oversized endpoint`);
      if (new Set(a.endpoints.map((e) => e.toString("hex"))).size !== a.endpoints.length) {
        problems.push(`${a.id}: duplicate endpoints`);
      }
    }
    t.same(
      problems,
      [],
      `cluster ${JSON.stringify(id.slice(0, 8))} obeys every limit (${affiliates.length} affiliates)`,
    );
  }
  const hello = await unary(stub, "hello", { clusterId: "after", clientVersion: "" });
  t.equal(hello.clientIp.toString("hex"), "7f000001", "the server still answers normally");
});
