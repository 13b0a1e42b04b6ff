// The server API messages, encoded with the generated encoders, against the
// independently computed wire examples (discovery spec §2.5).
import { readFileSync } from "node:fs";
import t from "tap";
import { ClusterKey, encryptAffiliateData } from "../../src/discovery/crypto.js";
import { sealEndpoint } from "../../src/discovery/payload.js";
import { Duration } from "../../src/gen/google/protobuf/duration.js";
import {
  AffiliateUpdateRequest,
  HelloRequest,
  HelloResponse,
  WatchResponse,
} from "../../src/gen/sidero/discovery/server/cluster.js";
import { Endpoint } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const hex = (s: string) => Buffer.from(s, "hex");
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

interface ExampleValue {
  cluster_id?: string;
  client_version?: string;
  redirect?: { endpoint: string };
  client_ip_hex?: string;
  deleted?: boolean;
  affiliates?: Array<{ id: string; data_hex?: string }>;
  seconds?: number;
}

/** Builds the message named by a wire example from its `value`. */
function encodeExample(message: string, v: ExampleValue): Uint8Array {
  switch (message) {
    case "HelloRequest":
      return HelloRequest.encode({
        clusterId: v.cluster_id ?? "",
        clientVersion: v.client_version ?? "",
      }).finish();
    case "HelloResponse":
      return HelloResponse.encode({ redirect: v.redirect, clientIp: hex(v.client_ip_hex ?? "") }).finish();
    case "WatchResponse":
      return WatchResponse.encode({
        deleted: v.deleted ?? false,
        affiliates: (v.affiliates ?? []).map((a) => ({
          id: a.id,
          data: hex(a.data_hex ?? ""),
          endpoints: [],
        })),
      }).finish();
    case "google.protobuf.Duration":
      return Duration.encode({ seconds: v.seconds ?? 0, nanos: 0 }).finish();
    default:
      throw new Error(`no encoder for ${message}`);
  }
}

t.test("wire examples encode byte-exact and decode back", async (t) => {
  t.equal(vectors.wire_examples.cases.length, 7);
  for (const c of vectors.wire_examples.cases) {
    const bytes = encodeExample(c.message, c.value);
    t.equal(toHex(bytes), c.hex, c.message);
  }
  const hello = HelloResponse.decode(hex(vectors.wire_examples.cases[2].hex));
  t.equal(hello.redirect?.endpoint, "new.example.com:443");
  t.equal(toHex(hello.clientIp), "01020304");
});

t.test("the full AffiliateUpdateRequest, from our own sealing", async (t) => {
  const v = vectors.affiliate_update_request;
  const gcm = vectors.gcm_affiliate;
  const key = ClusterKey.fromSecret(hex(gcm.key_hex).toString("base64"));
  // The minimal GCM blob (fixed test nonce) and the 10.0.0.2:51820 ECB endpoint.
  const data = encryptAffiliateData(key, hex(gcm.cases[0].plaintext_hex), hex(gcm.nonce_hex));
  const endpoint = sealEndpoint(key, Endpoint.parse("10.0.0.2:51820"));
  t.equal(toHex(data), v.value.affiliate_data_hex);
  t.same([toHex(endpoint)], v.value.affiliate_endpoints_hex);
  const bytes = AffiliateUpdateRequest.encode({
    clusterId: v.value.cluster_id,
    affiliateId: v.value.affiliate_id,
    affiliateData: data,
    affiliateEndpoints: [endpoint],
    ttl: { seconds: v.value.ttl.seconds, nanos: 0 },
  }).finish();
  t.equal(toHex(bytes), v.hex);
  t.equal(bytes.length, v.length);
  const back = AffiliateUpdateRequest.decode(bytes);
  t.equal(back.affiliateId, "node-1");
  t.equal(Number(back.ttl?.seconds), 1800);
});
