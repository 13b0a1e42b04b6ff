// Who already owns which addresses, for the "earlier node ID wins" overlap rule.
//
// Talos compares each new peer with every earlier peer's set, which is
// quadratic. The final sets are disjoint (each peer only keeps what no earlier
// peer had), so one sorted list of owned ranges answers "which earlier peers
// does this set overlap, and where" with a binary search per range.
import { type Family, IP } from "../net/ip.js";
import { IPSet } from "../net/ipset.js";

interface OwnedRange {
  first: bigint;
  last: bigint;
  owner: string;
}

export class ClaimIndex {
  private readonly owned: Record<Family, OwnedRange[]> = { 4: [], 6: [] };

  /** The parts of `set` that are already owned, by owner, owners in address order. */
  ownersOf(set: IPSet): Map<string, IPSet> {
    const touched = new Map<string, IPSet[]>();
    for (const family of [4, 6] as const) {
      const owned = this.owned[family];
      for (const [first, last] of set.ranges(family)) {
        for (let i = firstEndingAtOrAfter(owned, first); i < owned.length && owned[i]!.first <= last; i++) {
          const range = owned[i]!;
          const whole = IPSet.fromRange(IP.of(family, range.first), IP.of(family, range.last));
          const list = touched.get(range.owner);
          if (list) list.push(whole);
          else touched.set(range.owner, [whole]);
        }
      }
    }
    return new Map([...touched].map(([owner, ranges]) => [owner, set.intersect(IPSet.of(ranges))]));
  }

  /** Records `owner` as the owner of `set`, which must not overlap anything owned. */
  claim(owner: string, set: IPSet): void {
    for (const family of [4, 6] as const) {
      const owned = this.owned[family];
      for (const [first, last] of set.ranges(family)) {
        owned.splice(firstEndingAtOrAfter(owned, first), 0, { first, last, owner });
      }
    }
  }
}

/** Index of the first range whose last address is ≥ `value` (ranges are disjoint and sorted). */
function firstEndingAtOrAfter(owned: readonly OwnedRange[], value: bigint): number {
  let low = 0;
  let high = owned.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (owned[mid]!.last < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
