// Endpoint filter rules with siderolabs/net FilterIPs semantics (kubespan-node §4.5).
//
// Talos applies these to the endpoints it publishes; peers try them in the
// published order, so the "grouped by rule" output order is part of the
// behaviour, not an accident.
import { type IP, IPError, Prefix } from "../net/ip.js";

export interface FilterRule {
  /** The rule as written, for messages. */
  readonly text: string;
  /** `!rule`: remove matches already selected instead of adding them. */
  readonly negate: boolean;
  /** A bare IP rule is its host prefix (/32 or /128). */
  readonly prefix: Prefix;
}

export class FilterRuleError extends Error {
  override name = "FilterRuleError";

  constructor(
    readonly index: number,
    readonly rule: string,
    reason: string,
  ) {
    super(`filter rule #${index} ${JSON.stringify(rule)}: ${reason}`);
  }
}

/** Parses `[!]CIDR` or `[!]IP` rules. Throws FilterRuleError naming the first bad rule. */
export function parseFilterRules(rules: readonly string[]): FilterRule[] {
  return rules.map((text, index) => {
    const negate = text.startsWith("!");
    const body = negate ? text.slice(1) : text;
    try {
      return { text, negate, prefix: Prefix.parse(body) };
    } catch (err) {
      const reason = err instanceof IPError ? err.message : String(err);
      throw new FilterRuleError(
        index,
        text,
        `expected a CIDR or an IP address, optionally prefixed with "!" (${reason})`,
      );
    }
  });
}

/**
 * Applies the rules in order. `undefined` rules mean no filtering; an empty
 * rule list selects nothing. IPv4 rules never match IPv6 addresses and vice
 * versa (Prefix.contains checks the family).
 */
export function filterIPs(ips: readonly IP[], rules: readonly FilterRule[] | undefined): IP[] {
  if (rules === undefined) return [...ips];
  let result: IP[] = [];
  for (const rule of rules) {
    if (rule.negate) {
      result = result.filter((ip) => !rule.prefix.contains(ip));
      continue;
    }
    for (const ip of ips) {
      if (rule.prefix.contains(ip) && !result.some((kept) => kept.equals(ip))) result.push(ip);
    }
  }
  return result;
}
