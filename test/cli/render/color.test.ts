import t from "tap";
import {
  colorPalette,
  colorState,
  plainPalette,
  shouldColor,
  visibleWidth,
} from "../../../src/cli/render/color.js";

t.test("colour only on a terminal and never with a non-empty NO_COLOR", async (t) => {
  t.equal(shouldColor(true, {}), true);
  t.equal(shouldColor(false, {}), false);
  t.equal(shouldColor(true, { NO_COLOR: "1" }), false);
  // https://no-color.org: an empty value does not disable colour.
  t.equal(shouldColor(true, { NO_COLOR: "" }), true);
});

t.test("states: up green, down red, unknown yellow, others untouched", async (t) => {
  t.equal(colorState(colorPalette, "up"), "\x1b[32mup\x1b[0m");
  t.equal(colorState(colorPalette, "down"), "\x1b[31mdown\x1b[0m");
  t.equal(colorState(colorPalette, "unknown"), "\x1b[33munknown\x1b[0m");
  t.equal(colorState(colorPalette, "connected"), "\x1b[32mconnected\x1b[0m");
  t.equal(colorState(colorPalette, "backoff"), "\x1b[31mbackoff\x1b[0m");
  t.equal(colorState(colorPalette, "connecting"), "\x1b[33mconnecting\x1b[0m");
  t.equal(colorState(colorPalette, "weird"), "weird");
  t.equal(colorState(plainPalette, "up"), "up");
});

t.test("visible width ignores escape codes", async (t) => {
  t.equal(visibleWidth(colorPalette.bold(colorPalette.red("abc"))), 3);
  t.equal(visibleWidth("abc"), 3);
});
