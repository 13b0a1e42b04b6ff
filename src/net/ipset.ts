// An immutable set of IP addresses, after go4.org/netipx's IPSet.
//
// Each family is a sorted list of disjoint, non-adjacent inclusive ranges of
// bigint values, so union, difference, intersection and overlap tests are
// linear sweeps and `prefixes()` yields the minimal CIDR cover. Allowed-IP
// computation (src/mesh/peer-spec.ts) relies on the cover matching netipx's,
// since Talos peers program exactly that list.
import { type Family, IP, IPError, Prefix } from "./ip.js";

/** An inclusive range of address values within one family. */
export type Range = readonly [first: bigint, last: bigint];

/** Anything that denotes a set of addresses. */
export type IPSetItem = IP | Prefix | IPSet;

export class IPSet {
  private constructor(
    private readonly v4: readonly Range[],
    private readonly v6: readonly Range[],
  ) {}

  static readonly EMPTY = new IPSet([], []);

  /** `item` as a set, without the cost of normalising a single element. */
  private static coerce(item: IPSetItem): IPSet {
    if (item instanceof IPSet) return item;
    const range: Range[] = item instanceof IP ? [[item.value, item.value]] : [[item.first(), item.last()]];
    return item.family === 4 ? new IPSet(range, []) : new IPSet([], range);
  }

  /** The union of the given addresses, prefixes (host bits ignored) and sets. */
  static of(items: Iterable<IPSetItem>): IPSet {
    const v4: Range[] = [];
    const v6: Range[] = [];
    for (const item of items) {
      // A loop rather than push(...ranges): spreading a large set would overflow the argument stack.
      const set = IPSet.coerce(item);
      for (const range of set.v4) v4.push(range);
      for (const range of set.v6) v6.push(range);
    }
    return new IPSet(normalize(v4), normalize(v6));
  }

  /** The addresses from `first` to `last` inclusive. Throws IPError on mixed families or a reversed range. */
  static fromRange(first: IP, last: IP): IPSet {
    if (first.family !== last.family) {
      throw new IPError(`range ${first}-${last} mixes IPv4 and IPv6`);
    }
    if (first.value > last.value) throw new IPError(`range ${first}-${last} ends before it starts`);
    const range: Range[] = [[first.value, last.value]];
    return first.family === 4 ? new IPSet(range, []) : new IPSet([], range);
  }

  /** Sorted, disjoint, non-adjacent ranges of one family. */
  ranges(family: Family): readonly Range[] {
    return family === 4 ? this.v4 : this.v6;
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  contains(ip: IP): boolean {
    const ranges = this.ranges(ip.family);
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const [first, last] = ranges[mid]!;
      if (ip.value < first) high = mid - 1;
      else if (ip.value > last) low = mid + 1;
      else return true;
    }
    return false;
  }

  add(item: IPSetItem): IPSet {
    const other = IPSet.coerce(item);
    if (other.isEmpty()) return this;
    return new IPSet(normalize([...this.v4, ...other.v4]), normalize([...this.v6, ...other.v6]));
  }

  remove(item: IPSetItem): IPSet {
    const other = IPSet.coerce(item);
    if (this.isEmpty() || other.isEmpty()) return this;
    return new IPSet(subtract(this.v4, other.v4), subtract(this.v6, other.v6));
  }

  intersect(item: IPSetItem): IPSet {
    const other = IPSet.coerce(item);
    return new IPSet(intersect(this.v4, other.v4), intersect(this.v6, other.v6));
  }

  overlaps(item: IPSetItem): boolean {
    const other = IPSet.coerce(item);
    return overlaps(this.v4, other.v4) || overlaps(this.v6, other.v6);
  }

  equals(other: IPSet): boolean {
    return sameRanges(this.v4, other.v4) && sameRanges(this.v6, other.v6);
  }

  /** The minimal CIDR cover, IPv4 first, each family in ascending address order. */
  prefixes(): Prefix[] {
    const out: Prefix[] = [];
    for (const [first, last] of this.v4) coverRange(4, first, last, out);
    for (const [first, last] of this.v6) coverRange(6, first, last, out);
    return out;
  }

  toString(): string {
    return this.prefixes().join(",");
  }
}

/** Sorts and merges overlapping or adjacent ranges. */
function normalize(ranges: Range[]): Range[] {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Range[] = [];
  let [first, last] = ranges[0]!;
  for (let i = 1; i < ranges.length; i++) {
    const [nextFirst, nextLast] = ranges[i]!;
    if (nextFirst <= last + 1n) {
      if (nextLast > last) last = nextLast;
    } else {
      out.push([first, last]);
      first = nextFirst;
      last = nextLast;
    }
  }
  out.push([first, last]);
  return out;
}

function subtract(from: readonly Range[], cut: readonly Range[]): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const [rangeFirst, last] of from) {
    let first = rangeFirst;
    // Cut ranges ending before this range can never matter again: both lists are sorted.
    while (j < cut.length && cut[j]![1] < first) j++;
    let k = j;
    while (k < cut.length && cut[k]![0] <= last) {
      const [cutFirst, cutLast] = cut[k]!;
      if (cutFirst > first) out.push([first, cutFirst - 1n]);
      first = cutLast + 1n;
      k++;
    }
    if (first <= last) out.push([first, last]);
  }
  return out;
}

function intersect(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aFirst, aLast] = a[i]!;
    const [bFirst, bLast] = b[j]!;
    const first = maxOf(aFirst, bFirst);
    const last = minOf(aLast, bLast);
    if (first <= last) out.push([first, last]);
    if (aLast < bLast) i++;
    else j++;
  }
  return out;
}

// Math.max and Math.min do not accept bigint.
function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minOf(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function overlaps(a: readonly Range[], b: readonly Range[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aFirst, aLast] = a[i]!;
    const [bFirst, bLast] = b[j]!;
    if (aFirst <= bLast && bFirst <= aLast) return true;
    if (aLast < bLast) i++;
    else j++;
  }
  return false;
}

function sameRanges(a: readonly Range[], b: readonly Range[]): boolean {
  return a.length === b.length && a.every(([first, last], i) => first === b[i]![0] && last === b[i]![1]);
}

/** Appends the fewest aligned blocks that exactly cover first..last. */
function coverRange(family: Family, first: bigint, last: bigint, out: Prefix[]): void {
  const width = family === 4 ? 32 : 128;
  let start = first;
  while (start <= last) {
    // The largest block aligned at `start` (its lowest set bit), shrunk until it fits.
    let size = start === 0n ? 1n << BigInt(width) : start & -start;
    while (start + size - 1n > last) size >>= 1n;
    const hostBits = size.toString(2).length - 1;
    out.push(Prefix.of(IP.of(family, start), width - hostBits));
    start += size;
  }
}
