import t from "tap";
import { parseGoDuration } from "../../src/config/duration.js";

t.test("Go duration strings", async (t) => {
  const cases: [string, number | undefined][] = [
    ["0", 0],
    ["25s", 25_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["10us", 0.01],
    ["10µs", 0.01],
    ["2h45m", 9_900_000],
    [".5s", 500],
    ["", undefined],
    ["25", undefined],
    ["-1s", undefined],
    ["1d", undefined],
    ["s", undefined],
    ["1s ", undefined],
  ];
  for (const [text, ms] of cases) t.equal(parseGoDuration(text), ms, JSON.stringify(text));
});
