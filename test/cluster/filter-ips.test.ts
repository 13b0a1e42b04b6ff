import { readFileSync } from "node:fs";
import t from "tap";
import { FilterRuleError, filterIPs, parseFilterRules } from "../../src/cluster/filter-ips.js";
import { IP } from "../../src/net/ip.js";

interface FilterCase {
  name: string;
  ips: string[];
  rules: string[];
  expected: string[];
}
const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const filter = (ips: string[], rules: string[] | undefined) =>
  filterIPs(
    ips.map((s) => IP.parse(s)),
    rules === undefined ? undefined : parseFilterRules(rules),
  ).map(String);

t.test("vectors: filter_ips", async (t) => {
  const cases: FilterCase[] = vectors.filter_ips.cases;
  t.ok(cases.length >= 2);
  for (const c of cases) t.same(filter(c.ips, c.rules), c.expected, c.name);
});

t.test("FilterIPs semantics", async (t) => {
  const ips = ["10.0.0.1", "192.168.1.5", "2001:db8::1", "10.0.0.2", "fd00::7"];
  const cases: { name: string; rules: string[] | undefined; expected: string[] }[] = [
    { name: "no rules (nil) keeps everything in order", rules: undefined, expected: ips },
    { name: "empty rule list selects nothing", rules: [], expected: [] },
    {
      name: "output is grouped by rule, not input order",
      rules: ["192.168.0.0/16", "::/0", "10.0.0.0/8"],
      expected: ["192.168.1.5", "2001:db8::1", "fd00::7", "10.0.0.1", "10.0.0.2"],
    },
    {
      name: "a negative rule removes only what was already added",
      rules: ["!10.0.0.1", "10.0.0.0/8"],
      expected: ["10.0.0.1", "10.0.0.2"],
    },
    {
      name: "negation after a positive rule removes",
      rules: ["10.0.0.0/8", "!10.0.0.1"],
      expected: ["10.0.0.2"],
    },
    {
      name: "a later positive rule re-adds a negated address, at its own position",
      rules: ["10.0.0.0/8", "!10.0.0.1", "192.168.0.0/16", "10.0.0.1"],
      expected: ["10.0.0.2", "192.168.1.5", "10.0.0.1"],
    },
    { name: "bare IPv4 rule is a /32", rules: ["10.0.0.2"], expected: ["10.0.0.2"] },
    { name: "bare IPv6 rule is a /128", rules: ["fd00::7"], expected: ["fd00::7"] },
    {
      name: "IPv4 rules never match IPv6",
      rules: ["0.0.0.0/0"],
      expected: ["10.0.0.1", "192.168.1.5", "10.0.0.2"],
    },
    { name: "IPv6 rules never match IPv4", rules: ["::/0", "!fd00::/8"], expected: ["2001:db8::1"] },
    {
      name: "overlapping positive rules add each address once",
      rules: ["10.0.0.1", "10.0.0.0/8", "0.0.0.0/0"],
      expected: ["10.0.0.1", "10.0.0.2", "192.168.1.5"],
    },
    { name: "host bits in a rule are ignored", rules: ["10.9.9.9/8"], expected: ["10.0.0.1", "10.0.0.2"] },
  ];
  for (const c of cases) t.same(filter(ips, c.rules), c.expected, c.name);
  t.same(filter(["10.0.0.1", "10.0.0.1"], ["10.0.0.0/8"]), ["10.0.0.1"], "duplicate inputs appear once");
});

t.test("parseFilterRules", async (t) => {
  const rules = parseFilterRules(["10.0.0.0/8", "!192.168.1.1", "fd00::/8"]);
  t.same(
    rules.map((r) => [r.text, r.negate, String(r.prefix)]),
    [
      ["10.0.0.0/8", false, "10.0.0.0/8"],
      ["!192.168.1.1", true, "192.168.1.1/32"],
      ["fd00::/8", false, "fd00::/8"],
    ],
  );
  const bad: [string[], number, string][] = [
    [["10.0.0.0/8", "10.0.0.0/33"], 1, "10.0.0.0/33"],
    [["!"], 0, "!"],
    [["::/0", "!!10.0.0.1"], 1, "!!10.0.0.1"],
    [["eth0"], 0, "eth0"],
    [[" 10.0.0.1"], 0, " 10.0.0.1"],
    [["10.0.0.1/"], 0, "10.0.0.1/"],
  ];
  for (const [input, index, rule] of bad) {
    const err = catchError(() => parseFilterRules(input));
    t.type(err, FilterRuleError, `rejects ${JSON.stringify(rule)}`);
    t.match(err, { index, rule, message: /expected a CIDR or an IP address/ });
    t.ok((err as Error).message.includes(`#${index} ${JSON.stringify(rule)}`), "the message names the rule");
  }
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
