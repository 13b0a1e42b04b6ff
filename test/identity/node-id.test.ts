import { readFileSync } from "node:fs";
import t from "tap";
import { base62Decode, base62Encode } from "../../src/identity/base62.js";
import { IdentityError } from "../../src/identity/errors.js";
import { generateNodeId, machineIdFromNodeId } from "../../src/identity/node-id.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));

t.test("node ID → machine-id vector (upstream)", async (t) => {
  for (const c of vectors.node_id_machine_id.cases) {
    t.equal(base62Decode(c.node_id).length, c.decoded_length);
    t.equal(machineIdFromNodeId(c.node_id), c.machine_id);
    // The upstream ID was produced by the reference encoder: ours reproduces it.
    t.equal(base62Encode(base62Decode(c.node_id)), c.node_id);
  }
});

t.test("a generated node ID is base62 of 32 random bytes", async (t) => {
  const bytes = Buffer.alloc(32, 0x5c);
  const id = generateNodeId(() => bytes);
  t.equal(id, base62Encode(bytes));
  t.same(base62Decode(id), bytes);
  t.equal(machineIdFromNodeId(id), "5c".repeat(16));
  const ids = new Set(Array.from({ length: 50 }, () => generateNodeId()));
  t.equal(ids.size, 50, "CSPRNG by default");
  for (const random of ids) t.ok(random.length >= 43 && random.length <= 45, random);
});

t.test("machine-id derivation refuses short or non-base62 IDs", async (t) => {
  const short = t.throws(() => machineIdFromNodeId("short")) as IdentityError;
  t.type(short, IdentityError);
  t.match(short.message, /decodes to 4 bytes, at least 16 are needed/);
  t.throws(() => machineIdFromNodeId("not_base62_at_all_______________________"), IdentityError);
});
