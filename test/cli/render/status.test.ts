import t from "tap";
import { colorPalette, plainPalette, stripColor } from "../../../src/cli/render/color.js";
import { renderStatus } from "../../../src/cli/render/status.js";
import { emptyStatus } from "../../api/fake-source.js";
import { FIXTURE_NOW, loadStatus } from "../fixtures.js";
import { matchGolden } from "../golden.js";

const plain = { now: FIXTURE_NOW, palette: plainPalette };

t.test("a busy node: discovery, peers in every state, candidates and rejections", async (t) => {
  matchGolden(t, "status.txt", renderStatus(loadStatus(), plain));
});

t.test("a node still starting: no backend, a reconcile error, no peers", async (t) => {
  matchGolden(t, "status-starting.txt", renderStatus(loadStatus("status-starting.json"), plain));
});

t.test("an empty status renders placeholders instead of failing", async (t) => {
  const out = renderStatus(emptyStatus(), plain);
  t.match(out, /^Node ID: {5}-$/m);
  t.match(out, /^Reconcile: {2}not run yet$/m);
  t.match(out, /no discovery service configured/);
  t.match(out, /^WireGuard: {2}not set up yet$/m);
  t.match(out, /^no peers$/m);
  t.notMatch(out, /Rejected/);
});

t.test("colour marks peer states and errors without breaking alignment", async (t) => {
  const colored = renderStatus(loadStatus(), { now: FIXTURE_NOW, palette: colorPalette });
  t.match(colored, "\x1b[32mup\x1b[0m");
  t.match(colored, "\x1b[31mdown\x1b[0m");
  t.match(colored, "\x1b[33munknown\x1b[0m");
  t.match(colored, "\x1b[31mconnect ECONNREFUSED 10.0.0.53:3000\x1b[0m");
  const stripped = stripColor(colored);
  t.equal(stripped, renderStatus(loadStatus(), plain), "same text once the escape codes are removed");
});
