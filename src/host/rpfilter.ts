// Reverse-path filtering decisions (spec §10.6, §14), as a pure function of
// the current sysctl values.
//
// The kernel applies max(conf/all, conf/<if>). On the KubeSpan link, which
// has no IPv4 address, any non-zero value drops IPv4 packets whose source is
// not routed back through the link: the kernel's reverse-path check treats an
// interface without an IPv4 address as strict even in loose mode. Peers' node
// and pod addresses are reached through the marks and table 180, never
// through a main-table route on the link, so the link needs 0, which also
// means conf/all = 0. Moving conf/all to 0 without weakening anything else
// takes raising every other interface's own value to the old conf/all first.
// Uplinks only need to avoid strict mode (1), which drops return traffic on
// asymmetric paths; loose (2) is enough there.

export const OFF = 0;
export const STRICT = 1;
export const LOOSE = 2;

export interface RpFilterState {
  all: number;
  /** conf/<if>/rp_filter of every interface (without "all" and "default"). */
  interfaces: Record<string, number>;
}

export interface RpFilterWrite {
  /** An interface name, or "all". */
  key: string;
  from: number;
  to: number;
}

export interface RpFilterPlan {
  problems: string[];
  /** In order: other interfaces first, conf/all last, so nothing is weaker in between. */
  writes: RpFilterWrite[];
}

export function effectiveRpFilter(all: number, own: number): number {
  return Math.max(all, own);
}

export function planRpFilter(state: RpFilterState, link: string, uplinks: readonly string[]): RpFilterPlan {
  const problems: string[] = [];
  const target = new Map<string, number>(Object.entries(state.interfaces));
  let all = state.all;
  const linkOwn = state.interfaces[link];
  const linkEffective = linkOwn === undefined ? undefined : effectiveRpFilter(state.all, linkOwn);
  if (linkEffective !== undefined && linkEffective !== OFF) {
    problems.push(
      `rp_filter is ${linkEffective} on ${link} (max of conf/all=${state.all} and conf/${link}=${linkOwn}): ` +
        `the link has no IPv4 address, so the kernel drops IPv4 packets from peers in strict and loose mode alike; ` +
        `set rpFilter to "fix" to set it to 0 (conf/all becomes 0, each other interface keeps its effective value)`,
    );
    for (const [name, own] of target) if (name !== link) target.set(name, effectiveRpFilter(state.all, own));
    target.set(link, OFF);
    all = OFF;
  }
  for (const uplink of uplinks) {
    const original = state.interfaces[uplink];
    if (original === undefined || uplink === link) continue;
    if (effectiveRpFilter(state.all, original) === STRICT) {
      problems.push(
        `rp_filter is strict on ${uplink} (max of conf/all=${state.all} and conf/${uplink}=${original}): ` +
          `return traffic on asymmetric paths is dropped; set rpFilter to "fix" to switch ${uplink} to loose mode (2)`,
      );
    }
    if (effectiveRpFilter(all, target.get(uplink)!) === STRICT) target.set(uplink, LOOSE);
  }
  const writes: RpFilterWrite[] = [];
  for (const [key, to] of target) {
    const from = state.interfaces[key]!;
    if (from !== to) writes.push({ key, from, to });
  }
  if (all !== state.all) writes.push({ key: "all", from: state.all, to: all });
  return { problems, writes };
}
