// A cluster member that publishes hand-made records to a discovery server:
// well-formed fakes, and records a hostile or broken member could send. It
// holds the real cluster secret, so everything it seals decrypts fine on the
// nodes; what the nodes do with it is what the lab tests check.
//
// Input (stdin, JSON, so the secret never shows in a process list):
//   { server: "host:port", clusterId, secret, ttlSeconds, records: RecordSpec[] }
// Output (stdout): one JSON line per record, { id, ok, error? }, in order.
// It publishes once and exits; nothing refreshes the records.
import { randomBytes } from "node:crypto";
import { credentials, Metadata } from "@grpc/grpc-js";
import { type Affiliate, emptyAffiliate } from "../../src/cluster/affiliate.js";
import { ClusterKey } from "../../src/discovery/crypto.js";
import { discoveryPayloadCodec } from "../../src/discovery/payload.js";
import { type AffiliateUpdateRequest, ClusterClient } from "../../src/gen/sidero/discovery/server/cluster.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

export type RecordSpec =
  /** Bytes that are not a sealed affiliate at all. */
  | { id: string; kind: "garbage" }
  /** A data blob larger than the server's 2048-byte limit. */
  | { id: string; kind: "oversized" }
  | {
      id: string;
      kind: "affiliate";
      nodename: string;
      addresses: string[];
      publicKey: string;
      /** The KubeSpan address. */
      address: string;
      additionalAddresses: string[];
      endpoints: string[];
    };

export interface HostileInput {
  server: string;
  clusterId: string;
  secret: string;
  ttlSeconds: number;
  records: RecordSpec[];
}

export interface PublishResult {
  id: string;
  ok: boolean;
  error?: string;
}

const OVERSIZED_BYTES = 4096;
const CALL_DEADLINE_MS = 5_000;

function toAffiliate(spec: Extract<RecordSpec, { kind: "affiliate" }>): Affiliate {
  return {
    ...emptyAffiliate(spec.id),
    nodename: spec.nodename,
    hostname: spec.nodename,
    machineType: "worker",
    operatingSystem: "lab",
    addresses: spec.addresses.map((a) => IP.parse(a)),
    kubespan: {
      publicKey: spec.publicKey,
      address: IP.parse(spec.address),
      additionalAddresses: spec.additionalAddresses.map((p) => Prefix.parse(p)),
      excludedNetworks: [],
      endpoints: spec.endpoints.map((e) => Endpoint.parse(e)),
    },
  };
}

function request(input: HostileInput, spec: RecordSpec, key: ClusterKey): AffiliateUpdateRequest {
  const { crypto } = discoveryPayloadCodec(key);
  const base = {
    clusterId: input.clusterId,
    affiliateId: spec.id,
    ttl: { seconds: input.ttlSeconds, nanos: 0 },
  };
  switch (spec.kind) {
    case "garbage":
      return { ...base, affiliateData: randomBytes(200), affiliateEndpoints: [] };
    case "oversized":
      return { ...base, affiliateData: randomBytes(OVERSIZED_BYTES), affiliateEndpoints: [] };
    case "affiliate": {
      const affiliate = toAffiliate(spec);
      return {
        ...base,
        affiliateData: crypto.encryptData(crypto.encodeAffiliate(affiliate)),
        affiliateEndpoints: affiliate.kubespan!.endpoints.map((e) => crypto.encryptEndpoint(e)),
      };
    }
  }
}

function publish(client: ClusterClient, req: AffiliateUpdateRequest): Promise<string | undefined> {
  return new Promise((resolve) =>
    client.affiliateUpdate(req, new Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS }, (err) =>
      resolve(err ? err.message : undefined),
    ),
  );
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString()) as HostileInput;
  const key = ClusterKey.fromSecret(input.secret);
  const client = new ClusterClient(input.server, credentials.createInsecure());
  try {
    for (const spec of input.records) {
      const error = await publish(client, request(input, spec, key));
      const result: PublishResult =
        error === undefined ? { id: spec.id, ok: true } : { id: spec.id, ok: false, error };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    client.close();
  }
}

await main();
