import t from "tap";
import { colorPalette } from "../../../src/cli/render/color.js";
import { cell, renderFields, renderTable } from "../../../src/cli/render/table.js";

t.test("columns align on the widest cell, two spaces apart, no trailing spaces", async (t) => {
  const out = renderTable(
    ["NAME", "STATE", "NOTE"],
    [
      ["a", "up", ""],
      ["longer-name", "down", "x"],
    ],
  );
  t.equal(out, "NAME         STATE  NOTE\na            up\nlonger-name  down   x\n");
});

t.test("escape codes take no width", async (t) => {
  const out = renderTable(["S", "N"], [[colorPalette.green("up"), "1"]]);
  t.equal(out, `S   N\n${colorPalette.green("up")}  1\n`);
});

t.test("empty values show a dash", async (t) => {
  t.equal(cell(""), "-");
  t.equal(cell(undefined), "-");
  t.equal(cell("x"), "x");
});

t.test("fields align their values", async (t) => {
  t.equal(
    renderFields([
      ["Node ID", "n"],
      ["Public key", ""],
    ]),
    "Node ID:     n\nPublic key:  -\n",
  );
});
