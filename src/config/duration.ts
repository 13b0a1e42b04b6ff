// Go-style duration strings ("25s", "1m30s", "1.5h", "250ms"), as Talos
// configuration uses them. Negative durations are not accepted: no option
// here has a meaning for them.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu, which Go accepts too
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const WHOLE = new RegExp(`^(?:${PART.source})+$`);

/** Milliseconds (possibly fractional), or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  return total;
}
