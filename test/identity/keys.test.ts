import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import t from "tap";
import { IdentityError } from "../../src/identity/errors.js";
import {
  clampPrivateKey,
  decodeKey32,
  generateKeyPair,
  isValidPublicKey,
  publicKeyFromPrivate,
} from "../../src/identity/keys.js";

const b64 = (h: string) => Buffer.from(h, "hex").toString("base64");

t.test("public key from private: RFC 7748 §6.1 vectors", async (t) => {
  const alice = b64("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const bob = b64("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  t.equal(
    publicKeyFromPrivate(alice),
    b64("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
  );
  t.equal(publicKeyFromPrivate(bob), b64("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
});

t.test("generated private keys are clamped, both keys 44-char base64", async (t) => {
  const pair = generateKeyPair(() => Buffer.alloc(32, 0xff));
  const raw = Buffer.from(pair.privateKey, "base64");
  t.equal(raw[0], 0xf8);
  t.equal(raw[31], 0x7f);
  t.equal(pair.privateKey.length, 44);
  t.equal(pair.publicKey.length, 44);
  t.equal(pair.publicKey, publicKeyFromPrivate(pair.privateKey));
  t.same(clampPrivateKey(Buffer.alloc(32)).subarray(31), Buffer.from([0x40]));
  const a = generateKeyPair();
  const b = generateKeyPair();
  t.not(a.privateKey, b.privateKey, "CSPRNG by default");
  const rawA = Buffer.from(a.privateKey, "base64");
  t.equal((rawA[0] ?? 0) & 7, 0);
  t.equal((rawA[31] ?? 0) & 0xc0, 0x40);
});

const wgMissing = existsSync("/usr/bin/wg") ? false : "wireguard-tools (`wg`) is not installed";

t.test("agrees with `wg pubkey`", { skip: wgMissing }, async (t) => {
  const pair = generateKeyPair();
  const out = execFileSync("/usr/bin/wg", ["pubkey"], { input: `${pair.privateKey}\n` })
    .toString()
    .trim();
  t.equal(out, pair.publicKey);
});

t.test("key text validation: standard base64 of exactly 32 bytes", async (t) => {
  const good = Buffer.alloc(32, 0xfb).toString("base64");
  t.ok(decodeKey32(good)?.equals(Buffer.alloc(32, 0xfb)));
  t.ok(isValidPublicKey(good));
  for (const bad of [
    "",
    good.slice(0, 43),
    `${good}=`,
    Buffer.alloc(32, 0xfb).toString("base64url"),
    Buffer.alloc(31).toString("base64"),
    Buffer.alloc(33).toString("base64"),
    ` ${good.slice(1)}`,
  ]) {
    t.equal(decodeKey32(bad), undefined, JSON.stringify(bad));
    t.equal(isValidPublicKey(bad), false);
  }
});

t.test("a malformed private key is an error that does not quote it", async (t) => {
  const secretish = "not-a-key-but-secret-looking-text-1234567890";
  const error = t.throws(() => publicKeyFromPrivate(secretish)) as IdentityError;
  t.type(error, IdentityError);
  t.notMatch(error.message, secretish);
});
