// docs/configuration.md documents every option of the schema, and nothing else.
import { readFileSync } from "node:fs";
import t from "tap";
import { changeKind } from "../../src/config/diff.js";
import { CONFIG_SCHEMA } from "../../src/config/schema.js";

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

function schemaPaths(node: SchemaNode, prefix = "", leavesOnly = false): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const below = schemaPaths(child, path, leavesOnly);
    return leavesOnly && child.properties ? below : [path, ...below];
  });
}

const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
// Option tables start each row with the option in backticks.
const rows = [...doc.matchAll(/^\| `([A-Za-z.]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|/gm)];
const documented = rows.map((m) => m[1] as string);
const paths = schemaPaths(CONFIG_SCHEMA as unknown as SchemaNode);

t.test("the schema has the options this test expects", async (t) => {
  t.ok(paths.includes("kubespan.filters.peerEndpoints"));
  t.ok(paths.length > 40);
});

t.test("every schema option has a row in docs/configuration.md", async (t) => {
  t.same(
    paths.filter((p) => !documented.includes(p)),
    [],
  );
});

t.test("every documented option exists, once", async (t) => {
  t.same(
    documented.filter((p) => !paths.includes(p)),
    [],
  );
  t.same(
    documented.filter((p, i) => documented.indexOf(p) !== i),
    [],
  );
});

t.test("the Reload column agrees with diffConfig", async (t) => {
  // Config names that differ from the file's: the secret is one value whichever way it is given.
  const configPath: Record<string, string> = {
    clusterSecretFile: "clusterSecret",
    "kubespan.persistentKeepalive": "kubespan.persistentKeepaliveSeconds",
  };
  const leaves = schemaPaths(CONFIG_SCHEMA as unknown as SchemaNode, "", true);
  for (const [, path = "", , , reload = ""] of rows) {
    if (!leaves.includes(path)) continue;
    t.equal(reload.trim(), changeKind(configPath[path] ?? path), path);
  }
});
