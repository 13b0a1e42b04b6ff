import t from "tap";
import { ClaimIndex } from "../../src/mesh/claim-index.js";
import { IP, Prefix } from "../../src/net/ip.js";
import { IPSet } from "../../src/net/ipset.js";

const set = (...items: string[]) => IPSet.of(items.map((s) => Prefix.parse(s)));
const owners = (index: ClaimIndex, s: IPSet) =>
  [...index.ownersOf(s)].map(([owner, part]) => [owner, part.prefixes().map(String)]);

t.test("reports which owner holds which part of a set", async (t) => {
  const index = new ClaimIndex();
  t.same(owners(index, set("10.0.0.0/8")), [], "nothing owned yet");
  index.claim("a", set("10.0.0.0/24", "10.0.2.0/24", "fd00::/64"));
  index.claim("b", set("10.0.1.0/24", "10.0.3.5/32", "fd00:0:0:1::/64"));
  index.claim("c", set("192.168.0.0/16"));
  t.same(owners(index, set("10.0.0.128/25", "10.0.1.0/25", "10.0.2.0/23", "fd00::/63", "172.16.0.0/12")), [
    ["a", ["10.0.0.128/25", "10.0.2.0/24", "fd00::/64"]],
    ["b", ["10.0.1.0/25", "10.0.3.5/32", "fd00:0:0:1::/64"]],
  ]);
  t.same(owners(index, set("10.0.3.4/31")), [["b", ["10.0.3.5/32"]]]);
  t.same(owners(index, set("10.0.4.0/22", "fd00:0:0:2::/64")), [], "untouched space");
  t.same(owners(index, IPSet.of([IP.parse("192.168.255.255")])), [["c", ["192.168.255.255/32"]]]);
});

t.test("claims inserted out of address order stay searchable", async (t) => {
  const index = new ClaimIndex();
  for (let i = 9; i >= 0; i--) index.claim(`p${i}`, set(`10.0.${i * 2}.0/24`));
  t.same(
    owners(index, set("10.0.0.0/16")).map(([owner]) => owner),
    ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"],
  );
  t.same(owners(index, set("10.0.7.0/24", "10.0.8.0/24")), [["p4", ["10.0.8.0/24"]]]);
});
