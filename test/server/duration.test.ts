// Go duration parsing for the flags.
import t from "tap";
import { parseGoDuration } from "../../src/server/duration.js";

const table: [string, number][] = [
  ["1m", 60_000],
  ["10m", 600_000],
  ["90s", 90_000],
  ["1h30m", 5_400_000],
  ["250ms", 250],
  ["1.5s", 1500],
  ["0", 0],
  ["-2s", -2000],
  ["1500us", 1.5],
];
for (const [text, ms] of table) t.equal(parseGoDuration(text), ms, text);

for (const bad of ["", "1", "m", "1x", "1m junk", "--1s", "1 m"]) {
  t.throws(
    () => parseGoDuration(bad),
    { name: "DurationError", message: /invalid duration/ },
    JSON.stringify(bad),
  );
}
