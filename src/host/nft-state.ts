// Reading back our nftables table from `nft -j list table` output (libnftables
// JSON schema) into the TableShape that nftables.ts expects, and comparing the
// two. Pure: the JSON comes in as a value.
import { type Family, IP } from "../net/ip.js";
import type { ChainShape, Interval, TableShape } from "./nftables.js";

type Json = unknown;

export class NftStateError extends Error {
  override name = "NftStateError";
}

/** The shape of table `name` in a `nft -j list` document; undefined when the table is absent. */
export function shapeFromListing(listing: Json, name: string): TableShape | undefined {
  const items = nftItems(listing);
  let found = false;
  const chains: Record<string, ChainShape> = {};
  const sets: Record<string, Interval[]> = {};
  for (const item of items) {
    const table = objectAt(item, "table");
    if (table && table["family"] === "inet" && table["name"] === name) found = true;
    const chain = ownObject(item, "chain", name);
    if (chain && typeof chain["name"] === "string") {
      chains[chain["name"]] = {
        type: String(chain["type"] ?? ""),
        hook: String(chain["hook"] ?? ""),
        priority: Number(chain["prio"] ?? Number.NaN),
        policy: String(chain["policy"] ?? ""),
        rules: [],
      };
    }
    const rule = ownObject(item, "rule", name);
    const ruleChain = rule ? chains[String(rule["chain"])] : undefined;
    if (ruleChain) ruleChain.rules.push(typeof rule?.["comment"] === "string" ? rule["comment"] : "");
    const set = ownObject(item, "set", name);
    if (set && typeof set["name"] === "string") {
      const family: Family = set["type"] === "ipv6_addr" ? 6 : 4;
      sets[set["name"]] = elementsToIntervals(set["elem"], family);
    }
  }
  return found ? { chains, sets } : undefined;
}

export function sameShape(a: TableShape, b: TableShape): boolean {
  return sameRecord(a.chains, b.chains, sameChain) && sameRecord(a.sets, b.sets, sameIntervals);
}

/** The entries of a libnftables JSON document: `{"nftables": [ … ]}`. */
export function nftItems(listing: Json): Record<string, Json>[] {
  const list = isRecord(listing) ? listing["nftables"] : undefined;
  if (!Array.isArray(list)) throw new NftStateError('nft JSON output has no "nftables" array');
  return list.filter(isRecord);
}

function elementsToIntervals(elements: Json, family: Family): Interval[] {
  if (elements === undefined) return [];
  if (!Array.isArray(elements)) throw new NftStateError("nft set elements are not a list");
  return elements.map((e) => elementInterval(e, family)).sort((a, b) => (a.first < b.first ? -1 : 1));
}

function elementInterval(element: Json, family: Family): Interval {
  // Elements with a comment or timeout come wrapped as {"elem": {"val": …}}.
  const wrapped = objectAt(element, "elem");
  if (wrapped) return elementInterval(wrapped["val"], family);
  if (typeof element === "string") {
    const ip = address(element, family);
    return { first: ip, last: ip };
  }
  const prefix = objectAt(element, "prefix");
  if (prefix && typeof prefix["addr"] === "string" && typeof prefix["len"] === "number") {
    const hostBits = BigInt((family === 4 ? 32 : 128) - prefix["len"]);
    const first = address(prefix["addr"], family);
    return { first, last: first | ((1n << hostBits) - 1n) };
  }
  const range = isRecord(element) ? element["range"] : undefined;
  if (Array.isArray(range) && typeof range[0] === "string" && typeof range[1] === "string") {
    return { first: address(range[0], family), last: address(range[1], family) };
  }
  throw new NftStateError(`unexpected nft set element ${JSON.stringify(element)}`);
}

function address(text: string, family: Family): bigint {
  const ip = IP.tryParse(text);
  if (!ip || ip.family !== family)
    throw new NftStateError(`nft set element ${JSON.stringify(text)} is not IPv${family}`);
  return ip.value;
}

function ownObject(
  item: Record<string, Json>,
  kind: string,
  table: string,
): Record<string, Json> | undefined {
  const value = objectAt(item, kind);
  return value && value["family"] === "inet" && value["table"] === table ? value : undefined;
}

function objectAt(value: Json, key: string): Record<string, Json> | undefined {
  const inner = isRecord(value) ? value[key] : undefined;
  return isRecord(inner) ? inner : undefined;
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameRecord<T>(a: Record<string, T>, b: Record<string, T>, same: (x: T, y: T) => boolean): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => k in b && same(a[k]!, b[k]!));
}

function sameChain(a: ChainShape, b: ChainShape): boolean {
  return (
    a.type === b.type &&
    a.hook === b.hook &&
    a.priority === b.priority &&
    a.policy === b.policy &&
    a.rules.length === b.rules.length &&
    a.rules.every((r, i) => r === b.rules[i])
  );
}

function sameIntervals(a: Interval[], b: Interval[]): boolean {
  return a.length === b.length && a.every((x, i) => x.first === b[i]!.first && x.last === b[i]!.last);
}
