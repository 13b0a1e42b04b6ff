// Human units for tables: byte counts, durations and "12s ago".

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** Two most significant units, floored: "350ms", "6s", "2m5s", "3h", "1d4h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.floor(ms))}ms`;
  const seconds = Math.floor(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor(seconds / 3600) % 24, "h"],
    [Math.floor(seconds / 60) % 60, "m"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts
    .slice(first, first + 2)
    .filter(([value], i) => i === 0 || value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join("");
}

/** `at` is unix milliseconds; 0 means it never happened. */
export function formatAgo(now: number, at: number): string {
  if (at === 0) return "never";
  const elapsed = now - at;
  // The daemon and the CLI share a clock, so a future time is rounding noise.
  if (elapsed < 1000) return "just now";
  return `${formatDuration(elapsed)} ago`;
}
