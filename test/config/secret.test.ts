import { inspect } from "node:util";
import t from "tap";
import { clusterSecretProblem, Secret } from "../../src/config/secret.js";

const BYTES = Buffer.alloc(32, 0xc3);
const TEXT = BYTES.toString("base64");

t.test("decodes exactly 32 bytes of standard base64", async (t) => {
  const s = Secret.fromClusterSecretText(TEXT);
  t.same(s.reveal(), BYTES);
  const copy = s.reveal();
  copy.fill(0);
  t.same(s.reveal(), BYTES, "reveal returns a copy");
  t.ok(s.equals(Secret.fromClusterSecretText(TEXT)));
  t.notOk(s.equals(Secret.fromClusterSecretText(Buffer.alloc(32, 1).toString("base64"))));
});

t.test("prints as [redacted] everywhere", async (t) => {
  const s = Secret.fromClusterSecretText(TEXT);
  t.equal(String(s), "[redacted]");
  t.equal(`${s}`, "[redacted]");
  t.equal(JSON.stringify({ s }), '{"s":"[redacted]"}');
  t.equal(inspect(s, { showHidden: true, depth: null }), "[redacted]");
  t.equal(inspect({ nested: [s] }), "{ nested: [ [redacted] ] }");
  t.same(Object.keys(s), [], "no enumerable field holds the bytes");
});

t.test("problems describe the text without quoting it", async (t) => {
  t.equal(clusterSecretProblem(TEXT), undefined);
  t.equal(
    clusterSecretProblem(TEXT.slice(0, -4)),
    "must be standard base64 of exactly 32 bytes, found 30 bytes",
  );
  t.equal(
    clusterSecretProblem(BYTES.toString("base64url")),
    "must be standard base64 of exactly 32 bytes, found 43 characters that are not standard base64",
  );
  t.equal(clusterSecretProblem(""), "must be standard base64 of exactly 32 bytes, found 0 bytes");
  t.throws(() => Secret.fromClusterSecretText("abc"), {
    message:
      "cluster secret must be standard base64 of exactly 32 bytes, found 3 characters that are not standard base64",
  });
});
