import t from "tap";
import { IP, IPError, Prefix } from "../../src/net/ip.js";
import { IPSet } from "../../src/net/ipset.js";

const set = (...items: string[]) =>
  IPSet.of(items.map((text) => (text.includes("/") ? Prefix.parse(text) : IP.parse(text))));
const cover = (s: IPSet) => s.prefixes().map(String);

t.test("prefixes() is the minimal cover, IPv4 first, ascending", async (t) => {
  const cases: { name: string; input: IPSet; expected: string[] }[] = [
    { name: "empty", input: IPSet.EMPTY, expected: [] },
    { name: "host bits are masked", input: set("10.244.3.1/24"), expected: ["10.244.3.0/24"] },
    {
      name: "odd range",
      input: IPSet.fromRange(IP.parse("10.0.0.1"), IP.parse("10.0.0.6")),
      expected: ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"],
    },
    { name: "adjacent halves merge", input: set("10.0.0.0/25", "10.0.0.128/25"), expected: ["10.0.0.0/24"] },
    { name: "whole IPv4 space", input: set("0.0.0.0/1", "128.0.0.0/1"), expected: ["0.0.0.0/0"] },
    { name: "whole IPv6 space", input: set("::/0"), expected: ["::/0"] },
    {
      name: "families sorted, v6 unaffected by v4",
      input: set("fd00::1", "192.168.3.4", "10.244.3.0/25", "2001:db8::/127"),
      expected: ["10.244.3.0/25", "192.168.3.4/32", "2001:db8::/127", "fd00::1/128"],
    },
    {
      name: "top of the space",
      input: IPSet.fromRange(IP.parse("255.255.255.254"), IP.parse("255.255.255.255")),
      expected: ["255.255.255.254/31"],
    },
    {
      name: "contained prefixes collapse",
      input: set("10.0.0.0/8", "10.1.2.3", "10.200.0.0/16"),
      expected: ["10.0.0.0/8"],
    },
  ];
  for (const c of cases) t.same(cover(c.input), c.expected, c.name);
});

t.test("add, remove, intersect", async (t) => {
  const base = set("10.0.0.0/24", "2001:db8::/64");
  t.same(cover(base.add(Prefix.parse("10.0.1.0/24"))), ["10.0.0.0/23", "2001:db8::/64"]);
  t.same(cover(base.add(IP.parse("10.0.1.0"))), ["10.0.0.0/24", "10.0.1.0/32", "2001:db8::/64"]);
  t.equal(base.add(IPSet.EMPTY), base, "adding nothing returns the same set");
  t.same(cover(base.remove(Prefix.parse("10.0.0.128/25"))), ["10.0.0.0/25", "2001:db8::/64"]);
  t.same(cover(base.remove(IP.parse("10.0.0.0"))), [
    "10.0.0.1/32",
    "10.0.0.2/31",
    "10.0.0.4/30",
    "10.0.0.8/29",
    "10.0.0.16/28",
    "10.0.0.32/27",
    "10.0.0.64/26",
    "10.0.0.128/25",
    "2001:db8::/64",
  ]);
  t.same(cover(base.remove(set("10.0.0.0/25", "10.0.0.200", "2001:db8::/65"))), [
    "10.0.0.128/26",
    "10.0.0.192/29",
    "10.0.0.201/32",
    "10.0.0.202/31",
    "10.0.0.204/30",
    "10.0.0.208/28",
    "10.0.0.224/27",
    "2001:db8:0:0:8000::/65",
  ]);
  t.same(cover(base.remove(set("10.0.0.0/8", "::/0"))), [], "a superset removes everything");
  t.same(cover(base.remove(Prefix.parse("10.0.0.0/24"))), ["2001:db8::/64"]);
  t.same(cover(set("10.0.0.0/8").remove(set("10.1.0.0/16", "10.3.0.0/16", "10.0.0.0/16"))), [
    "10.2.0.0/16",
    "10.4.0.0/14",
    "10.8.0.0/13",
    "10.16.0.0/12",
    "10.32.0.0/11",
    "10.64.0.0/10",
    "10.128.0.0/9",
  ]);
  t.same(cover(base.intersect(set("10.0.0.128/25", "2001:db8::1", "192.168.0.0/16"))), [
    "10.0.0.128/25",
    "2001:db8::1/128",
  ]);
  t.same(cover(base.intersect(Prefix.parse("10.0.0.0/8"))), ["10.0.0.0/24"]);
  t.ok(base.intersect(set("10.0.1.0/24")).isEmpty());
});

t.test("overlaps, contains, isEmpty, equals", async (t) => {
  const s = set("10.0.0.0/24", "10.0.2.0/24", "fd00::/64");
  t.ok(s.overlaps(Prefix.parse("10.0.0.255/32")));
  t.ok(s.overlaps(set("10.0.1.0/24", "10.0.2.7")));
  t.ok(s.overlaps(IP.parse("fd00::5")));
  t.notOk(s.overlaps(set("10.0.1.0/24", "10.0.3.0/24", "fd00:0:0:1::/64")));
  t.notOk(s.overlaps(IPSet.EMPTY));
  t.notOk(set("::/0").overlaps(set("0.0.0.0/0")), "families never overlap");
  t.ok(s.contains(IP.parse("10.0.2.255")));
  t.ok(s.contains(IP.parse("10.0.0.0")));
  t.notOk(s.contains(IP.parse("10.0.1.0")));
  t.notOk(s.contains(IP.parse("10.0.3.0")));
  t.notOk(s.contains(IP.parse("::ffff:10.0.0.1")), "an IPv4-mapped IPv6 address is IPv6");
  t.ok(IPSet.EMPTY.isEmpty());
  t.notOk(s.isEmpty());
  t.ok(set("10.0.0.0/25", "10.0.0.128/25").equals(set("10.0.0.0/24")));
  t.notOk(s.equals(set("10.0.0.0/24")));
  t.notOk(set("10.0.0.0/24").equals(set("10.0.0.0/23")));
  t.equal(String(set("10.0.0.1", "fd00::1")), "10.0.0.1/32,fd00::1/128");
  t.same(
    s.ranges(4).map(([a, b]) => [IP.v4(a).toString(), IP.v4(b).toString()]),
    [
      ["10.0.0.0", "10.0.0.255"],
      ["10.0.2.0", "10.0.2.255"],
    ],
  );
});

t.test("fromRange rejects mixed families and reversed ranges", async (t) => {
  t.throws(() => IPSet.fromRange(IP.parse("10.0.0.1"), IP.parse("::1")), IPError);
  t.throws(() => IPSet.fromRange(IP.parse("10.0.0.2"), IP.parse("10.0.0.1")), {
    name: "IPError",
    message: /ends before it starts/,
  });
});

// Cross-check every operation against a brute-force bitmap over a 64-address
// corner of the IPv4 space, with a fixed seed so a failure reproduces.
t.test("operations agree with a brute-force model", async (t) => {
  const BASE = IP.parse("10.0.0.0").value;
  const SPACE = 64;
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const randomSet = (): [IPSet, boolean[]] => {
    const bits = new Array<boolean>(SPACE).fill(false);
    const prefixes: Prefix[] = [];
    for (let k = random(4); k > 0; k--) {
      const len = 26 + random(7); // /26 (the whole corner) .. /32
      const size = 2 ** (32 - len);
      const start = random(SPACE / size) * size;
      prefixes.push(Prefix.of(IP.v4(BASE + BigInt(start)), len));
      for (let i = start; i < start + size; i++) bits[i] = true;
    }
    return [IPSet.of(prefixes), bits];
  };
  const bitsOf = (s: IPSet) => Array.from({ length: SPACE }, (_, i) => s.contains(IP.v4(BASE + BigInt(i))));
  const coverBits = (s: IPSet) => {
    const bits = new Array<boolean>(SPACE).fill(false);
    for (const p of s.prefixes()) {
      for (let v = p.first(); v <= p.last(); v++) bits[Number(v - BASE)] = true;
    }
    return bits;
  };

  let failures = 0;
  for (let round = 0; round < 500 && failures < 5; round++) {
    const [a, abits] = randomSet();
    const [b, bbits] = randomSet();
    const checks: [string, boolean[], boolean[]][] = [
      ["a", bitsOf(a), abits],
      ["a ∪ b", bitsOf(a.add(b)), abits.map((x, i) => x || bbits[i]!)],
      ["a − b", bitsOf(a.remove(b)), abits.map((x, i) => x && !bbits[i])],
      ["a ∩ b", bitsOf(a.intersect(b)), abits.map((x, i) => x && bbits[i]!)],
      ["cover(a − b)", coverBits(a.remove(b)), abits.map((x, i) => x && !bbits[i])],
    ];
    for (const [name, got, want] of checks) {
      if (got.join() !== want.join()) {
        failures++;
        t.fail(`${name} wrong for a=${a} b=${b}`);
      }
    }
    const overlapWanted = abits.some((x, i) => x && bbits[i]);
    if (a.overlaps(b) !== overlapWanted) {
      failures++;
      t.fail(`overlaps wrong for a=${a} b=${b}`);
    }
    // Minimal: no two prefixes in the cover are mergeable siblings.
    const ps = a.remove(b).prefixes();
    for (let i = 1; i < ps.length; i++) {
      const [p, q] = [ps[i - 1]!, ps[i]!];
      const mergeable =
        p.bits === q.bits &&
        p.bits > 0 &&
        p.last() + 1n === q.first() &&
        Prefix.of(p.ip, p.bits - 1).first() === p.first();
      if (mergeable) {
        failures++;
        t.fail(`cover not minimal: ${p} and ${q}`);
      }
    }
  }
  t.equal(failures, 0, "500 random rounds agree with the model");
});
