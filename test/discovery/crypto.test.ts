import { createCipheriv } from "node:crypto";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import t from "tap";
import {
  ClusterKey,
  CryptoError,
  decryptAffiliateData,
  decryptEndpointBlock,
  encryptAffiliateData,
  encryptEndpointBlock,
} from "../../src/discovery/crypto.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const hex = (s: string) => Buffer.from(s, "hex");
const keyFromHex = (h: string) => ClusterKey.fromSecret(hex(h).toString("base64"));
const ecb = vectors.ecb_endpoints;
const gcm = vectors.gcm_affiliate;
const key = keyFromHex(ecb.key_hex);
const otherKey = ClusterKey.fromSecret(Buffer.alloc(32, 7).toString("base64"));

t.test("cluster secret: standard base64 of exactly 32 bytes", async (t) => {
  const secret = Buffer.alloc(32, 0xab).toString("base64");
  t.ok(ClusterKey.fromSecret(secret));
  const bad: Array<[string, RegExp]> = [
    ["", /decodes to 0 bytes/],
    [Buffer.alloc(16, 1).toString("base64"), /decodes to 16 bytes/],
    [Buffer.alloc(33, 1).toString("base64"), /decodes to 33 bytes/],
    [secret.slice(0, 43), /is not standard base64 \(43 characters\)/],
    [secret.replace(/.$/, "A"), /decodes to 33 bytes/],
    [Buffer.alloc(32, 0xfb).toString("base64url"), /is not standard base64/],
    [` ${secret.slice(1)}`, /is not standard base64/],
  ];
  for (const [text, why] of bad) {
    const error = t.throws(() => ClusterKey.fromSecret(text)) as CryptoError;
    t.type(error, CryptoError);
    t.equal(error.kind, "invalid-secret");
    t.match(error.message, why, JSON.stringify(text));
    if (text.length > 4) t.notMatch(error.message, text, "the secret is not in the message");
  }
});

t.test("a cluster key never prints its material", async (t) => {
  const secret = Buffer.alloc(32, 0x5a).toString("base64");
  const k = ClusterKey.fromSecret(secret);
  for (const text of [String(k), JSON.stringify(k), inspect(k, { showHidden: true, depth: 5 })]) {
    t.notMatch(text, secret);
    t.notMatch(text, "5a5a5a5a");
  }
});

t.test("ECB endpoint vectors, byte-exact both ways", async (t) => {
  for (const c of ecb.cases) {
    const blob = encryptEndpointBlock(key, hex(c.protobuf_hex));
    t.equal(blob.toString("hex"), c.ciphertext_hex, c.name);
    const opened = decryptEndpointBlock(key, hex(c.ciphertext_hex));
    t.ok(opened.ok, c.name);
    if (opened.ok) t.equal(opened.value.toString("hex"), c.protobuf_hex, c.name);
  }
});

t.test("ECB framing: length byte, zero padding, one or two blocks", async (t) => {
  for (const length of [0, 1, 14, 15, 16, 30, 31]) {
    const e = Buffer.alloc(length, 0x33);
    const blob = encryptEndpointBlock(key, e);
    t.equal(blob.length, length + 1 <= 16 ? 16 : 32, `${length} bytes`);
    const opened = decryptEndpointBlock(key, blob);
    t.same(opened.ok && opened.value, e, `${length} bytes round-trip`);
  }
  // The padded plaintext of the vectors, recovered with the raw block cipher.
  const c = ecb.cases[0];
  const framed = hex(c.padded_plaintext_hex);
  t.equal(framed[0], hex(c.protobuf_hex).length);
});

t.test("ECB refuses an endpoint protobuf over 31 bytes", async (t) => {
  const error = t.throws(() => encryptEndpointBlock(key, Buffer.alloc(32))) as CryptoError;
  t.equal(error.kind, "endpoint-too-long");
  t.match(error.message, /32 bytes, at most 31/);
});

t.test("hostile endpoint blobs are typed errors, never exceptions", async (t) => {
  const valid = hex(ecb.cases[3].ciphertext_hex);
  const cases: Array<[string, Uint8Array, string]> = [
    ["empty", Buffer.alloc(0), "truncated"],
    ["one byte", Buffer.alloc(1), "truncated"],
    ["15 bytes", Buffer.alloc(15), "truncated"],
    ["17 bytes", Buffer.alloc(17), "misaligned"],
    ["33 bytes", Buffer.concat([valid, Buffer.alloc(1)]), "misaligned"],
  ];
  for (const [name, blob, kind] of cases) {
    const r = decryptEndpointBlock(key, blob);
    t.equal(r.ok, false, name);
    if (!r.ok) {
      t.type(r.error, CryptoError);
      t.equal(r.error.kind, kind, name);
    }
  }
  // Wrong key or garbage: the length byte is random; bounds-checked every time.
  let badLength = 0;
  for (let i = 0; i < 256; i++) {
    const garbage = Buffer.alloc(16, i);
    const r = decryptEndpointBlock(otherKey, garbage);
    if (!r.ok) {
      t.equal(r.error.kind, "bad-length-byte");
      badLength++;
    } else t.ok(r.value.length <= 15);
  }
  t.ok(badLength > 0, "some garbage blocks announce too many bytes");
});

t.test("a length byte pointing past the blob is rejected", async (t) => {
  // A block whose first plaintext byte is 16, one more than can follow it.
  const framed = Buffer.alloc(16);
  framed[0] = 16;
  const cipher = createCipheriv("aes-256-ecb", key.keyObject, null).setAutoPadding(false);
  const blob = Buffer.concat([cipher.update(framed), cipher.final()]);
  const r = decryptEndpointBlock(key, blob);
  t.equal(r.ok, false);
  if (!r.ok) {
    t.equal(r.error.kind, "bad-length-byte");
    t.match(r.error.message, /announces 16 bytes but only 15 follow/);
  }
});

t.test("GCM affiliate vectors with the fixed test nonce", async (t) => {
  const gcmKey = keyFromHex(gcm.key_hex);
  for (const c of gcm.cases) {
    const blob = encryptAffiliateData(gcmKey, hex(c.plaintext_hex), hex(gcm.nonce_hex));
    t.equal(blob.toString("hex"), c.blob_hex, c.name);
    t.equal(blob.length, c.blob_length);
    const opened = decryptAffiliateData(gcmKey, hex(c.blob_hex));
    t.ok(opened.ok, c.name);
    if (opened.ok) t.equal(opened.value.toString("hex"), c.plaintext_hex, c.name);
  }
});

t.test("GCM uses a fresh nonce each time and keeps the layout", async (t) => {
  const pt = Buffer.from("same plaintext");
  const a = encryptAffiliateData(key, pt);
  const b = encryptAffiliateData(key, pt);
  t.not(a.toString("hex"), b.toString("hex"));
  t.not(a.subarray(0, 12).toString("hex"), b.subarray(0, 12).toString("hex"));
  t.equal(a.length, pt.length + 28);
  for (const blob of [a, b]) {
    const r = decryptAffiliateData(key, blob);
    t.same(r.ok && r.value, pt);
  }
  const empty = encryptAffiliateData(key, Buffer.alloc(0));
  t.equal(empty.length, 28);
  t.same(decryptAffiliateData(key, empty), { ok: true, value: Buffer.alloc(0) });
});

t.test("GCM refuses a nonce that is not 12 bytes", async (t) => {
  const error = t.throws(() => encryptAffiliateData(key, Buffer.alloc(1), Buffer.alloc(8))) as CryptoError;
  t.equal(error.kind, "invalid-nonce");
});

t.test("hostile affiliate blobs are typed errors, never exceptions", async (t) => {
  const gcmKey = keyFromHex(gcm.key_hex);
  const good = hex(gcm.cases[1].blob_hex);
  const flip = (i: number) => {
    const b = Buffer.from(good);
    b[i] = (b[i] ?? 0) ^ 1;
    return b;
  };
  const cases: Array<[string, ClusterKey, Uint8Array, string]> = [
    ["empty", gcmKey, Buffer.alloc(0), "truncated"],
    ["27 bytes", gcmKey, good.subarray(0, 27), "truncated"],
    ["28 zero bytes", gcmKey, Buffer.alloc(28), "authentication-failed"],
    ["wrong key", otherKey, good, "authentication-failed"],
    ["nonce flipped", gcmKey, flip(0), "authentication-failed"],
    ["ciphertext flipped", gcmKey, flip(40), "authentication-failed"],
    ["tag flipped", gcmKey, flip(good.length - 1), "authentication-failed"],
    ["truncated by one", gcmKey, good.subarray(0, good.length - 1), "authentication-failed"],
    ["extended by one", gcmKey, Buffer.concat([good, Buffer.alloc(1)]), "authentication-failed"],
  ];
  for (const [name, k, blob, kind] of cases) {
    const r = decryptAffiliateData(k, blob);
    t.equal(r.ok, false, name);
    if (!r.ok) {
      t.type(r.error, CryptoError);
      t.equal(r.error.kind, kind, name);
    }
  }
});
