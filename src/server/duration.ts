// Go duration strings ("90s", "1m", "1h30m", "250ms"), because the upstream
// flags take them and operators copy them from upstream deployments.

export class DurationError extends Error {
  override name = "DurationError";
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration into milliseconds; throws DurationError naming the input. */
export function parseGoDuration(text: string): number {
  const body = text.replace(/^[-+]/, "");
  const sign = text.startsWith("-") ? -1 : 1;
  if (body === "0") return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let position = 0;
  while (position < body.length) {
    part.lastIndex = position;
    const match = part.exec(body);
    if (!match) break;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    position = part.lastIndex;
  }
  if (body === "" || position !== body.length) {
    throw new DurationError(`invalid duration ${JSON.stringify(text)}: expected e.g. "30s", "1m" or "1h30m"`);
  }
  return sign * total;
}
