import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { LAST_GOOD_FILE, LastGoodStore, parseLastGood } from "../../src/daemon/last-good.js";
import { Endpoint } from "../../src/net/ip.js";

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "last-good-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test("save and load round-trip, file mode 0600", async (t) => {
  const dir = await tempDir(t);
  const store = new LastGoodStore(dir, () => {});
  const map = new Map([
    ["keyB", Endpoint.parse("[2001:db8::2]:51820")],
    ["keyA", Endpoint.parse("10.0.0.1:51820")],
  ]);
  await store.save(map);
  t.equal((await stat(join(dir, LAST_GOOD_FILE))).mode & 0o777, 0o600);
  const loaded = await new LastGoodStore(dir, () => {}).load();
  t.same(
    [...loaded].map(([k, v]) => [k, v.toString()]),
    [
      ["keyA", "10.0.0.1:51820"],
      ["keyB", "[2001:db8::2]:51820"],
    ],
  );
});

t.test("a missing file is an empty map without warnings; a corrupt one warns and is empty", async (t) => {
  const dir = await tempDir(t);
  const warnings: string[] = [];
  const store = new LastGoodStore(dir, (m) => warnings.push(m));
  t.equal((await store.load()).size, 0);
  t.same(warnings, []);
  await writeFile(join(dir, LAST_GOOD_FILE), "{not json");
  t.equal((await store.load()).size, 0);
  t.match(warnings[0], /ignoring corrupt .*last-good-endpoints\.json/);
  await store.save(new Map([["k", Endpoint.parse("1.2.3.4:5")]]));
  t.match(
    await readFile(join(dir, LAST_GOOD_FILE), "utf8"),
    /"k": "1\.2\.3\.4:5"/,
    "replaced by a good file",
  );
});

t.test("bad entries are dropped one by one", async (t) => {
  const map = parseLastGood('{"a": "10.0.0.1:1", "b": "nonsense", "c": 7}');
  t.same([...map.keys()], ["a"]);
  t.throws(() => parseLastGood("[]"), /expected a JSON object/);
});
