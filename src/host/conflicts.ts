// The start-up conflict check (spec §10.1, §14): before anything is touched,
// find rules, routes and nftables rules of others that would collide with ours.
// Each conflict names the setting that moves this project out of the way.

import { markWriters } from "./nft-marks.js";
import { isOwnRoute, isOwnRule, isStaleOwnRule } from "./ownership.js";
import type { HostPlan } from "./plan.js";
import { describeRule } from "./rtnl/rtnl.js";
import type { LinkState, RouteState, RuleState } from "./rtnl/types.js";

export interface Conflict {
  /** The HostSettings field that avoids the conflict. */
  setting: "rulePriority" | "routingTable" | "marks" | "linkName";
  message: string;
}

export interface ConflictReport {
  conflicts: Conflict[];
  warnings: string[];
}

export interface ObservedRouting {
  link: LinkState | undefined;
  rules: RuleState[];
  /** Routes of the plan's tables. */
  tableRoutes: RouteState[];
  /** `nft -j list ruleset`. */
  ruleset: unknown;
  linkNames: string[];
}

export class ConflictError extends Error {
  override name = "ConflictError";
  constructor(readonly conflicts: Conflict[]) {
    super(conflicts.map((c) => `${c.message} (setting: ${c.setting})`).join("; "));
  }
}

/** CNIs with fixed mark bits (spec §10.1), recognised by a link they create. */
export const KNOWN_CNI_MARKS: ReadonlyArray<{ cni: string; mask: number; link: RegExp }> = [
  { cni: "Calico", mask: 0xffff0000, link: /^(cali|vxlan\.calico$|tunl0$)/ },
  { cni: "Cilium", mask: 0xf00, link: /^cilium_/ },
  { cni: "Flannel", mask: 0x4000, link: /^flannel[.-]/ },
];

export function findConflicts(plan: HostPlan, observed: ObservedRouting): ConflictReport {
  const conflicts: Conflict[] = [];
  const warnings: string[] = [];
  const priorities = new Set(plan.rules.map((r) => r.priority));
  const tables = new Set(plan.rules.map((r) => r.table));
  for (const rule of observed.rules) {
    if (isOwnRule(rule, plan) || isStaleOwnRule(rule, plan)) continue;
    if (priorities.has(rule.priority)) {
      conflicts.push({
        setting: "rulePriority",
        message: `rule priority ${rule.priority} is already used by a rule not created by kubespan-node (${describeForeignRule(rule)})`,
      });
    } else if (tables.has(rule.table)) {
      conflicts.push({
        setting: "routingTable",
        message: `routing table ${rule.table} is already looked up by a rule not created by kubespan-node (${describeForeignRule(rule)})`,
      });
    }
  }
  const linkIndex = observed.link?.index;
  for (const route of observed.tableRoutes) {
    if (isOwnRoute(route, linkIndex)) continue;
    conflicts.push({
      setting: "routingTable",
      message: `routing table ${route.table} already holds a route not created by kubespan-node (${route.dst}, output link index ${route.oif})`,
    });
  }
  const writers = markWriters(observed.ruleset, plan.nftables.marks.mask, plan.nftables.table);
  for (const w of writers.definite) {
    conflicts.push({
      setting: "marks",
      message: `nftables ${w} sets packet-mark bits 0x${plan.nftables.marks.mask.toString(16)}`,
    });
  }
  for (const w of writers.unknown) {
    warnings.push(
      `nftables ${w} writes the packet mark with a value that cannot be checked against our mark bits`,
    );
  }
  for (const { cni, mask } of detectedCnis(observed.linkNames)) {
    if ((mask & plan.nftables.marks.mask) !== 0) {
      warnings.push(
        `${cni} uses mark bits 0x${mask.toString(16)}, which overlap ours (0x${plan.nftables.marks.mask.toString(16)}): move them with the marks setting`,
      );
    }
  }
  return { conflicts, warnings };
}

function detectedCnis(linkNames: string[]): typeof KNOWN_CNI_MARKS {
  return KNOWN_CNI_MARKS.filter((c) => linkNames.some((name) => c.link.test(name)));
}

function describeForeignRule(rule: RuleState): string {
  const base = describeRule(rule);
  const extra = rule.action !== "toTbl" ? ` action ${rule.action}` : "";
  return `${base}${extra}${rule.hasSelectors ? " with other selectors" : ""}`;
}
