// The nftables ruleset of spec §10.5, built as nft text by pure functions.
//
// The project owns one table (`inet kubespan`) and replaces it whole in one
// transaction. Every rule carries a comment with a short hash of its own text:
// comparing those hashes (nft-state.ts) detects a removed, added, reordered or
// edited rule without depending on how a given nft version prints expressions
// back, which also lets a restarted daemon adopt its table unchanged.
import { createHash } from "node:crypto";
import { type Family, IP, type Prefix } from "../net/ip.js";

export interface NftMarks {
  wireguard: number;
  route: number;
  mask: number;
}

export interface NftPlan {
  table: string;
  dst4: Prefix[];
  dst6: Prefix[];
  mtu: number;
  marks: NftMarks;
  /** Adds a forward-hook chain clamping the MSS of marked, forwarded traffic (spec §14). */
  clampForwarded: boolean;
}

/** A closed range of addresses of one family. */
export interface Interval {
  first: bigint;
  last: bigint;
}

export interface ChainShape {
  type: string;
  hook: string;
  /** Numeric priority: filter = 0, mangle = -150. */
  priority: number;
  policy: string;
  /** The rules' comments, in order. */
  rules: string[];
}

/** What the table must look like; compared against what `nft -j list table` reports. */
export interface TableShape {
  chains: Record<string, ChainShape>;
  sets: Record<string, Interval[]>;
}

/** MSS clamp = MTU − (IP header + 20 TCP header + 12 option bytes): 1368 / 1348 at MTU 1420. */
export function mssClamp(mtu: number, family: Family): number {
  return mtu - (family === 4 ? 20 : 40) - 32;
}

/** The `nft -f` script that replaces the table atomically: create-if-missing, delete, define. */
export function replaceScript(plan: NftPlan): string {
  return `table inet ${plan.table}\ndelete table inet ${plan.table}\n${renderTable(plan)}`;
}

export function deleteScript(table: string): string {
  return `delete table inet ${table}\n`;
}

export function renderTable(plan: NftPlan): string {
  const sets = (["dst4", "dst6"] as const).map((name) => {
    const family = name === "dst4" ? 4 : 6;
    const elements = toIntervals(plan[name], family).map((i) => renderInterval(i, family));
    const body = elements.length > 0 ? ` elements = { ${elements.join(", ")} };` : "";
    return `  set ${name} { type ipv${family}_addr; flags interval;${body} }\n`;
  });
  const comment = "managed by kubespan-node: replaced as a whole on every change";
  return `table inet ${plan.table} {\n  comment "${comment}"\n${sets.join("")}${renderChains(plan)}}\n`;
}

export function expectedShape(plan: NftPlan): TableShape {
  const chains: Record<string, ChainShape> = {};
  for (const chain of chainDefinitions(plan)) {
    chains[chain.name] = {
      type: chain.type,
      hook: chain.hook,
      priority: chain.priority,
      policy: "accept",
      rules: chain.rules.map(ruleComment),
    };
  }
  return {
    chains,
    sets: { dst4: toIntervals(plan.dst4, 4), dst6: toIntervals(plan.dst6, 6) },
  };
}

/** Prefixes as sorted, disjoint, non-adjacent intervals: nft rejects overlapping interval elements. */
export function toIntervals(prefixes: readonly Prefix[], family: Family): Interval[] {
  const sorted = prefixes
    .filter((p) => p.family === family)
    .map((p) => ({ first: p.first(), last: p.last() }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: Interval[] = [];
  for (const next of sorted) {
    const top = merged[merged.length - 1];
    if (top && next.first <= top.last + 1n) {
      if (next.last > top.last) top.last = next.last;
    } else {
      merged.push({ ...next });
    }
  }
  return merged;
}

export function renderInterval(interval: Interval, family: Family): string {
  const first = IP.of(family, interval.first);
  if (interval.first === interval.last) return String(first);
  const size = interval.last - interval.first + 1n;
  const hostBits = size.toString(2).length - 1;
  const aligned = size === 1n << BigInt(hostBits) && interval.first % size === 0n;
  if (aligned) return `${first}/${first.bits - hostBits}`;
  return `${first}-${IP.of(family, interval.last)}`;
}

interface ChainDefinition {
  name: string;
  type: string;
  hook: string;
  priority: number;
  priorityName: string;
  rules: string[];
}

function chainDefinitions(plan: NftPlan): ChainDefinition[] {
  const { wireguard, route, mask } = plan.marks;
  const ownPacket = `meta mark & ${hex(mask)} == ${hex(wireguard)} accept`;
  const setMark = `meta mark set meta mark & ${hex(~mask >>> 0)} | ${hex(route)} accept`;
  const clamp = (family: Family) => {
    const mss = mssClamp(plan.mtu, family);
    return `tcp flags & (syn | rst) == syn tcp option maxseg size > ${mss} tcp option maxseg size set ${mss}`;
  };
  const chains: ChainDefinition[] = [
    {
      name: "prerouting",
      type: "filter",
      hook: "prerouting",
      priority: 0,
      priorityName: "filter",
      rules: [ownPacket, `ip daddr @dst4 ${setMark}`, `ip6 daddr @dst6 ${setMark}`],
    },
    {
      name: "output",
      // A route chain makes the kernel re-route the packet after the mark changes.
      type: "route",
      hook: "output",
      priority: 0,
      priorityName: "filter",
      rules: [
        ownPacket,
        `oifname "lo" accept`,
        `ip daddr @dst4 ${clamp(4)}`,
        `ip6 daddr @dst6 ${clamp(6)}`,
        `ip daddr @dst4 ${setMark}`,
        `ip6 daddr @dst6 ${setMark}`,
      ],
    },
  ];
  if (plan.clampForwarded) {
    const marked = `meta mark & ${hex(mask)} == ${hex(route)}`;
    chains.push({
      name: "forward",
      type: "filter",
      hook: "forward",
      priority: -150,
      priorityName: "mangle",
      rules: [`meta nfproto ipv4 ${marked} ${clamp(4)}`, `meta nfproto ipv6 ${marked} ${clamp(6)}`],
    });
  }
  return chains;
}

function renderChains(plan: NftPlan): string {
  return chainDefinitions(plan)
    .map((c) => {
      const header = `type ${c.type} hook ${c.hook} priority ${c.priorityName}; policy accept;`;
      const rules = c.rules.map((r) => `    ${r} comment "${ruleComment(r)}"\n`);
      return `  chain ${c.name} { ${header}\n${rules.join("")}  }\n`;
    })
    .join("");
}

/** Names the rule's exact text, so that any other rule in its place is noticed. */
function ruleComment(rule: string): string {
  return `ks:${createHash("sha256").update(rule).digest("hex").slice(0, 8)}`;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
