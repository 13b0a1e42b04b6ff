import t from "tap";
import { formatAgo, formatBytes, formatDuration } from "../../../src/cli/render/units.js";

t.test("bytes in binary units with one decimal", async (t) => {
  const cases: [number, string][] = [
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [12 * 1024 ** 2, "12.0 MiB"],
    [5 * 1024 ** 3, "5.0 GiB"],
    [3 * 1024 ** 4, "3.0 TiB"],
    [2048 * 1024 ** 5, "2048.0 PiB"],
  ];
  for (const [bytes, text] of cases) t.equal(formatBytes(bytes), text, `${bytes}`);
});

t.test("durations keep the two most significant units", async (t) => {
  const cases: [number, string][] = [
    [0, "0ms"],
    [350, "350ms"],
    [6_000, "6s"],
    [6_999, "6s"],
    [60_000, "1m"],
    [95_000, "1m35s"],
    [3_600_000, "1h"],
    [3_600_000 + 59_000, "1h"],
    [3_600_000 + 120_000, "1h2m"],
    [86_400_000 * 2 + 3_600_000 * 5, "2d5h"],
  ];
  for (const [ms, text] of cases) t.equal(formatDuration(ms), text, `${ms}ms`);
});

t.test("ago: never for zero, just now within a second or in the future", async (t) => {
  const now = 1_000_000;
  t.equal(formatAgo(now, 0), "never");
  t.equal(formatAgo(now, now - 12_000), "12s ago");
  t.equal(formatAgo(now, now - 500), "just now");
  t.equal(formatAgo(now, now + 2_000), "just now");
});
