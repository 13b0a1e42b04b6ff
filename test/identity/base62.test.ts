import { randomBytes } from "node:crypto";
import t from "tap";
import { BASE62_ALPHABET, base62Decode, base62Encode } from "../../src/identity/base62.js";
import { IdentityError } from "../../src/identity/errors.js";

const hex = (s: string) => Buffer.from(s, "hex");

t.test("worked examples from the specification and by hand", async (t) => {
  const table: Array<[string, string]> = [
    ["", ""],
    ["fc", "8D"], // 60 → "8", then the final 2 bits (3) → "D"
    ["1e", "eA"], // 30 is a 5-bit chunk → "e", then the final 0 → "A"
    ["ff", "fH"], // 63 → 5-bit "f", final 7 → "H"
    ["3f", "fB"],
    ["00", "AA"],
    ["0001", "BAA"],
    // A final 6-bit chunk of 63 is split: "f", then the single leftover bit "B".
    ["fc0000", "AAAfB"],
  ];
  for (const [input, encoded] of table) {
    t.equal(base62Encode(hex(input)), encoded, `encode ${input}`);
    t.equal(base62Decode(encoded).toString("hex"), input, `decode ${encoded}`);
  }
});

t.test("the alphabet is A–Z, a–z, 0–9", async (t) => {
  t.equal(BASE62_ALPHABET.length, 62);
  t.equal(BASE62_ALPHABET.indexOf("e"), 30);
  t.equal(BASE62_ALPHABET.indexOf("0"), 52);
});

t.test("round trip over random 32-byte inputs, 43–45 characters", async (t) => {
  const lengths = new Map<number, number>();
  const failures: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const bytes = randomBytes(32);
    // Exercise leading and trailing zero bytes too.
    if (i % 50 === 0) bytes.fill(0, 0, 1 + (i % 7));
    if (i % 50 === 1) bytes.fill(0, 31 - (i % 5));
    const text = base62Encode(bytes);
    lengths.set(text.length, (lengths.get(text.length) ?? 0) + 1);
    if (!base62Decode(text).equals(bytes) || !/^[A-Za-z0-9]+$/.test(text))
      failures.push(bytes.toString("hex"));
  }
  t.same(failures, []);
  t.same(
    [...lengths.keys()].filter((n) => n < 43 || n > 45),
    [],
    `lengths seen: ${JSON.stringify([...lengths])}`,
  );
  t.ok((lengths.get(43) ?? 0) > 1000 && (lengths.get(44) ?? 0) > 1000, "43 and 44 are both common");
});

t.test("edge inputs round-trip", async (t) => {
  for (const bytes of [
    Buffer.alloc(32),
    Buffer.alloc(32, 0xff),
    Buffer.alloc(1, 0x80),
    Buffer.alloc(7, 0x1e),
  ]) {
    t.same(base62Decode(base62Encode(bytes)), bytes, bytes.toString("hex"));
  }
});

t.test("decode rejects characters outside the alphabet", async (t) => {
  for (const [text, char, position] of [
    ["abc-def", "-", 3],
    ["abc+", "+", 3],
    ["ab/c", "/", 2],
    ["abc=", "=", 3],
    [" abc", " ", 0],
    ["abcé", "é", 3],
  ] as const) {
    const error = t.throws(() => base62Decode(text)) as IdentityError;
    t.type(error, IdentityError);
    t.equal(
      error.message,
      `base62: character ${JSON.stringify(char)} at position ${position} is outside the alphabet`,
    );
  }
});
