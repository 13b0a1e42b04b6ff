import { createCipheriv } from "node:crypto";
import { readFileSync } from "node:fs";
import t from "tap";
import { emptyAffiliate } from "../../src/cluster/affiliate.js";
import { ClusterKey, encryptAffiliateData, encryptEndpointBlock } from "../../src/discovery/crypto.js";
import {
  discoveryPayloadCodec,
  openAffiliate,
  openEndpoint,
  sealEndpoint,
} from "../../src/discovery/payload.js";
import * as wire from "../../src/gen/sidero/discovery/client/affiliate.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const hex = (s: string) => Buffer.from(s, "hex");
const key = ClusterKey.fromSecret(hex(vectors.gcm_affiliate.key_hex).toString("base64"));
const otherKey = ClusterKey.fromSecret(Buffer.alloc(32, 9).toString("base64"));
const [minimalBlob, fullBlob] = vectors.gcm_affiliate.cases.map((c: { blob_hex: string }) => hex(c.blob_hex));
const ecbBlobs: Buffer[] = vectors.ecb_endpoints.cases.map((c: { ciphertext_hex: string }) =>
  hex(c.ciphertext_hex),
);
const ecbNames: string[] = vectors.ecb_endpoints.cases.map((c: { name: string }) => c.name);

t.test("opens the full vector affiliate with its endpoints in order", async (t) => {
  const r = openAffiliate(key, { data: fullBlob, endpoints: ecbBlobs });
  if (!r.ok) throw r.error;
  const { affiliate, skippedEndpoints } = r.value;
  t.equal(skippedEndpoints, 0);
  t.equal(affiliate.nodeId, "node-1");
  t.same(affiliate.addresses.map(String), ["192.168.3.4"]);
  t.equal(affiliate.machineType, "controlplane");
  t.same(affiliate.controlPlane, { apiServerPort: 6443 });
  t.equal(affiliate.kubespan?.publicKey, "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=");
  t.equal(String(affiliate.kubespan?.address), "fd50:8d60:4238:6302:f857:23ff:fe21:d1e0");
  t.same(affiliate.kubespan?.additionalAddresses.map(String), ["10.244.3.1/24"]);
  t.same(affiliate.kubespan?.endpoints.map(String), ecbNames);
});

t.test("endpoints are attached only when the record carries KubeSpan data", async (t) => {
  const r = openAffiliate(key, { data: minimalBlob, endpoints: ecbBlobs });
  if (!r.ok) throw r.error;
  t.equal(r.value.affiliate.nodeId, "a");
  t.equal(r.value.affiliate.kubespan, undefined);
  t.equal(r.value.skippedEndpoints, 0);
});

t.test("bad endpoint blobs cost only themselves; duplicates are kept once", async (t) => {
  const badPort = encryptEndpointBlock(key, wire.Endpoint.encode({ ip: hex("01020304"), port: 0 }).finish());
  const noIp = encryptEndpointBlock(key, hex("10ec9403"));
  const garbageProtobuf = encryptEndpointBlock(key, hex("0a09"));
  const wrongKey = sealEndpoint(otherKey, Endpoint.parse("10.0.0.9:1"));
  // The same endpoint with a different padding byte: another ciphertext, same endpoint.
  const framed = Buffer.from(vectors.ecb_endpoints.cases[1].padded_plaintext_hex, "hex");
  framed[15] = 0x55;
  const cipher = createCipheriv("aes-256-ecb", key.keyObject, null).setAutoPadding(false);
  const otherPadding = Buffer.concat([cipher.update(framed), cipher.final()]);
  const endpoints = [
    Buffer.alloc(0),
    ecbBlobs[0]!,
    Buffer.alloc(17),
    badPort,
    noIp,
    garbageProtobuf,
    wrongKey,
    ecbBlobs[1]!,
    otherPadding,
    ecbBlobs[0]!,
  ];
  const r = openAffiliate(key, { data: fullBlob, endpoints });
  if (!r.ok) throw r.error;
  t.same(r.value.affiliate.kubespan?.endpoints.map(String), ["10.0.0.2:51820", "1.2.3.4:5678"]);
  // Empty, 17 bytes, port 0, no IP, garbage protobuf, and the wrong-key block.
  t.equal(openEndpoint(key, wrongKey).ok, false, "the wrong-key block does not open");
  t.equal(r.value.skippedEndpoints, 6);
});

t.test("a bad data blob fails the record with a typed reason", async (t) => {
  const cases: Array<[string, ClusterKey, Buffer, string]> = [
    ["empty data", key, Buffer.alloc(0), "truncated"],
    ["wrong key", otherKey, fullBlob, "authentication-failed"],
    ["valid seal of garbage protobuf", key, encryptAffiliateData(key, hex("0a05")), "malformed-protobuf"],
  ];
  for (const [name, k, data, kind] of cases) {
    const r = openAffiliate(k, { data, endpoints: ecbBlobs });
    t.equal(r.ok, false, name);
    if (!r.ok) t.equal(r.error.kind, kind, name);
  }
});

t.test("openEndpoint decrypts and decodes one blob", async (t) => {
  for (const [i, blob] of ecbBlobs.entries()) {
    const r = openEndpoint(key, blob);
    t.equal(r.ok && String(r.value), ecbNames[i]);
  }
  const r = openEndpoint(key, Buffer.alloc(3));
  t.ok(!r.ok && r.error.kind === "truncated");
});

t.test("the client codec seals with fresh nonces and opens what it sealed", async (t) => {
  const codec = discoveryPayloadCodec(key);
  const affiliate = {
    ...emptyAffiliate("node-7"),
    machineType: "worker" as const,
    addresses: [IP.parse("192.0.2.7"), IP.parse("2001:db8::7")],
    kubespan: {
      publicKey: "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=",
      address: IP.parse("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169"),
      additionalAddresses: [Prefix.parse("10.244.7.0/24")],
      excludedNetworks: [],
      endpoints: [],
    },
  };
  const plaintext = codec.crypto.encodeAffiliate(affiliate);
  const data1 = codec.crypto.encryptData(plaintext);
  const data2 = codec.crypto.encryptData(plaintext);
  t.not(data1.toString("hex"), data2.toString("hex"), "a fresh nonce every time");
  const endpoint = codec.crypto.encryptEndpoint(Endpoint.parse("10.0.0.2:51820"));
  t.equal(endpoint.toString("hex"), vectors.ecb_endpoints.cases[0].ciphertext_hex);
  const opened = codec.open({ id: "node-7", data: data2, endpoints: [endpoint, Buffer.alloc(5)] });
  if (!opened.ok) throw new Error(opened.reason);
  t.equal(opened.skippedEndpoints, 1);
  t.same(opened.affiliate, {
    ...affiliate,
    kubespan: { ...affiliate.kubespan, endpoints: [Endpoint.parse("10.0.0.2:51820")] },
  });
  const failed = codec.open({ id: "x", data: Buffer.alloc(40), endpoints: [] });
  t.same(failed, { ok: false, reason: "affiliate data blob failed authentication (wrong key or tampered)" });
});
