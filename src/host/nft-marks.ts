// Finding nftables rules of other tables that write our packet-mark bits, from
// `nft -j list ruleset` output. A rule "uses" our bits when the value it
// stores may have one of them set: `meta mark set 0x40`, `meta mark set meta
// mark | 0x40`, `meta mark set meta mark ^ 0x20`. Clearing bits, or setting
// bits outside the mask (kube-proxy's `| 0x4000`), is not a conflict.
import { nftItems } from "./nft-state.js";

export interface MarkWriters {
  /** Rules that set some of our bits. */
  definite: string[];
  /** Rules whose value cannot be analysed (a ct mark, a map, iptables-nft MARK). */
  unknown: string[];
}

type Json = unknown;

export function markWriters(ruleset: unknown, mask: number, ownTable: string): MarkWriters {
  const out: MarkWriters = { definite: [], unknown: [] };
  for (const item of nftItems(ruleset)) {
    const rule = record(item["rule"]);
    if (!rule || (rule["family"] === "inet" && rule["table"] === ownTable)) continue;
    const where = `table ${String(rule["family"])} ${String(rule["table"])} chain ${String(rule["chain"])} rule handle ${String(rule["handle"])}`;
    for (const expr of Array.isArray(rule["expr"]) ? rule["expr"] : []) {
      const verdict = exprVerdict(expr, mask);
      if (verdict === "sets") out.definite.push(where);
      if (verdict === "unknown") out.unknown.push(where);
    }
  }
  return { definite: unique(out.definite), unknown: unique(out.unknown) };
}

function exprVerdict(expr: Json, mask: number): "sets" | "unknown" | "clear" {
  const mangle = record(record(expr)?.["mangle"]);
  if (mangle && isMetaMark(mangle["key"])) {
    const bits = bitsSet(mangle["value"]);
    if (bits === undefined) return "unknown";
    return (bits & mask) !== 0 ? "sets" : "clear";
  }
  const xt = record(record(expr)?.["xt"]);
  if (xt && xt["type"] === "target" && (xt["name"] === "MARK" || xt["name"] === "CONNMARK")) return "unknown";
  return "clear";
}

/** The bits a mark value may set; undefined when it depends on something else. */
function bitsSet(value: Json): number | undefined {
  if (typeof value === "number") return value >>> 0;
  if (isMetaMark(value)) return 0; // keeps the packet's own bits: sets nothing new
  const obj = record(value);
  if (!obj) return undefined;
  for (const op of ["|", "&", "^"] as const) {
    const operands = obj[op];
    if (!Array.isArray(operands) || operands.length !== 2) continue;
    const left = bitsSet(operands[0]);
    const right = typeof operands[1] === "number" ? operands[1] >>> 0 : undefined;
    if (left === undefined || right === undefined) return undefined;
    if (op === "&") return (left & right) >>> 0;
    return (left | right) >>> 0;
  }
  return undefined;
}

function isMetaMark(value: Json): boolean {
  return record(record(value)?.["meta"])?.["key"] === "mark";
}

function record(value: Json): Record<string, Json> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, Json>)
    : undefined;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
