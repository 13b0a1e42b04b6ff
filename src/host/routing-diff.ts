// What must change on the link, its addresses, our table's routes and our
// rules to reach the plan (spec §10.2–10.4). Pure; conflicts with objects of
// others were ruled out before (conflicts.ts), so everything on our link and
// in our table that the plan does not want is ours to remove.
import type { Prefix } from "../net/ip.js";
import { isOwnRoute, isOwnRule, isStaleOwnRule, sameRule } from "./ownership.js";
import type { HostPlan } from "./plan.js";
import type { AddressState, LinkState, RouteSpec, RouteState, RuleSpec, RuleState } from "./rtnl/types.js";

export interface RoutingObserved {
  link: LinkState;
  addresses: AddressState[];
  /** Routes of every table (or at least those through the link). */
  routes: RouteState[];
  rules: RuleState[];
}

export interface RoutingOps {
  addAddresses: Prefix[];
  removeAddresses: Prefix[];
  /** Removed before the additions: a changed MTU keeps the route's key. */
  removeRoutes: RouteState[];
  addRoutes: RouteSpec[];
  /** Ours from earlier settings; removed before the additions. */
  removeRules: RuleState[];
  addRules: RuleSpec[];
}

const SCOPE_LINK = 253;

export function diffRouting(plan: HostPlan, observed: RoutingObserved): RoutingOps {
  const { link } = observed;
  // Link-local addresses come with the link; every other address on it is ours.
  const managed = observed.addresses.filter((a) => a.scope !== SCOPE_LINK && !a.prefix.ip.isLinkLocal());
  const hasAddress = managed.some((a) => a.prefix.equals(plan.address));
  const ownRoutes = observed.routes.filter((r) => isOwnRoute(r, link.index));
  const ownRules = observed.rules.filter((r) => isOwnRule(r, plan));
  return {
    addAddresses: hasAddress ? [] : [plan.address],
    removeAddresses: managed.filter((a) => !a.prefix.equals(plan.address)).map((a) => a.prefix),
    removeRoutes: ownRoutes.filter((r) => !plan.routes.some((want) => sameRoute(want, r))),
    addRoutes: plan.routes.filter((want) => !ownRoutes.some((r) => sameRoute(want, r))),
    removeRules: observed.rules.filter((r) => isStaleOwnRule(r, plan)),
    addRules: plan.rules.filter((want) => !ownRules.some((r) => sameRule(want, r))),
  };
}

/**
 * The link's MTU and state are set before anything else is compared: the
 * kernel adjusts the MTU of IPv6 routes through the link when the link's MTU
 * changes, so routes must be read after it.
 */
export function linkNeedsUpdate(plan: HostPlan, link: LinkState): boolean {
  return link.mtu !== plan.link.mtu || !link.up;
}

function sameRoute(want: RouteSpec, have: RouteSpec): boolean {
  return (
    want.dst.equals(have.dst) &&
    want.table === have.table &&
    want.metric === have.metric &&
    want.mtu === have.mtu
  );
}
