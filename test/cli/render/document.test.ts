import t from "tap";
import { parse, parseAllDocuments } from "yaml";
import { renderDocument } from "../../../src/cli/render/document.js";
import { PeerStatusList } from "../../../src/gen/kubespan/v1/api.js";
import { loadStatus } from "../fixtures.js";

const peers = PeerStatusList.toJSON({ items: loadStatus().peers });

t.test("JSON is indented once and round-trips to the same messages", async (t) => {
  const out = renderDocument(peers, "json", false);
  t.match(out, /^\{\n {2}"items": \[/);
  t.same(PeerStatusList.fromJSON(JSON.parse(out)), { items: loadStatus().peers });
});

t.test("streamed JSON is one document per line", async (t) => {
  const out = renderDocument(peers, "json", true) + renderDocument({ items: [] }, "json", true);
  const lines = out.trimEnd().split("\n");
  t.equal(lines.length, 2);
  t.same(JSON.parse(lines[0]!), peers);
  t.same(JSON.parse(lines[1]!), { items: [] });
});

t.test("YAML parses back to the JSON form; streamed documents are separated", async (t) => {
  t.same(parse(renderDocument(peers, "yaml", false)), peers);
  const stream = renderDocument(peers, "yaml", true) + renderDocument({ items: [] }, "yaml", true);
  t.same(
    parseAllDocuments(stream).map((doc) => doc.toJS()),
    [peers, { items: [] }],
  );
});
