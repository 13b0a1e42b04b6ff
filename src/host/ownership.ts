// Which routing objects are this project's. Nothing carries a tag, so
// ownership is decided by shape: the link is ours by name, routes through it
// are ours, and rules are ours when they have exactly the shape we create.
// A rule with our marks that differs only in priority or table is one we
// created under an earlier setting: ours to remove, not a conflict.
import type { HostPlan } from "./plan.js";
import type { RouteState, RuleSpec, RuleState } from "./rtnl/types.js";

/** default, main and local: routes there through our link are the kernel's (the connected /64). */
export const SYSTEM_TABLES: ReadonlySet<number> = new Set([253, 254, 255]);

/** A rule the plan asks for, exactly. */
export function isOwnRule(rule: RuleState, plan: HostPlan): boolean {
  return isMarkRule(rule, plan) && plan.rules.some((want) => sameRule(want, rule));
}

/** A rule of ours from earlier settings: our marks, and our priority or our table, but not wanted now. */
export function isStaleOwnRule(rule: RuleState, plan: HostPlan): boolean {
  return (
    isMarkRule(rule, plan) &&
    !isOwnRule(rule, plan) &&
    plan.rules.some((want) => want.priority === rule.priority || want.table === rule.table)
  );
}

/** Routes through our link outside the system tables are ours, whatever their attributes. */
export function isOwnRoute(route: RouteState, linkIndex: number | undefined): boolean {
  return linkIndex !== undefined && route.oif === linkIndex && !SYSTEM_TABLES.has(route.table);
}

export function sameRule(want: RuleSpec, have: RuleSpec): boolean {
  return (
    want.family === have.family &&
    want.priority === have.priority &&
    want.table === have.table &&
    want.fwmark === have.fwmark &&
    want.fwmask === have.fwmask
  );
}

function isMarkRule(rule: RuleState, plan: HostPlan): boolean {
  return (
    rule.action === "toTbl" &&
    !rule.hasSelectors &&
    rule.fwmark === plan.nftables.marks.route &&
    rule.fwmask === plan.nftables.marks.mask
  );
}
