import t from "tap";
import {
  deleteScript,
  expectedShape,
  mssClamp,
  type NftPlan,
  renderInterval,
  renderTable,
  replaceScript,
  toIntervals,
} from "../../src/host/nftables.js";
import { IP, Prefix } from "../../src/net/ip.js";

// kubespan-node spec §10.5, "Rendering for kubespand (MTU 1420)".
const SPEC_RENDERING = `
table inet kubespan {
  set dst4 { type ipv4_addr; flags interval; }
  set dst6 { type ipv6_addr; flags interval; }
  chain prerouting { type filter hook prerouting priority filter; policy accept;
    meta mark & 0x60 == 0x20 accept
    ip daddr @dst4 meta mark set meta mark & 0xffffff9f | 0x40 accept
    ip6 daddr @dst6 meta mark set meta mark & 0xffffff9f | 0x40 accept }
  chain output { type route hook output priority filter; policy accept;
    meta mark & 0x60 == 0x20 accept
    oifname "lo" accept
    ip daddr @dst4 tcp flags & (syn | rst) == syn tcp option maxseg size > 1368 tcp option maxseg size set 1368
    ip6 daddr @dst6 tcp flags & (syn | rst) == syn tcp option maxseg size > 1348 tcp option maxseg size set 1348
    ip daddr @dst4 meta mark set meta mark & 0xffffff9f | 0x40 accept
    ip6 daddr @dst6 meta mark set meta mark & 0xffffff9f | 0x40 accept }
}
`;

const plan = (extra: Partial<NftPlan> = {}): NftPlan => ({
  table: "kubespan",
  dst4: [],
  dst6: [],
  mtu: 1420,
  marks: { wireguard: 0x20, route: 0x40, mask: 0x60 },
  clampForwarded: true,
  ...extra,
});
const p = (...texts: string[]) => texts.map((x) => Prefix.parse(x));

/** Our additions to the spec's text, removed: the table comment and each rule's fingerprint comment. */
function withoutComments(text: string): string {
  return text.replace(/^\s*comment "[^"]*"\n/m, "").replace(/ comment "ks:[0-9a-f]{8}"/g, "");
}

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

t.test("the rendering is the spec's, plus comments", async (t) => {
  const rendered = renderTable(plan({ clampForwarded: false }));
  t.equal(squash(withoutComments(rendered)), squash(SPEC_RENDERING));
  t.match(rendered, /^ {2}comment "managed by kubespan-node/m, "the table says who owns it");
  t.equal(rendered.match(/ comment "ks:[0-9a-f]{8}"$/gm)?.length, 9, "every rule carries its fingerprint");
});

t.test("the forward chain clamps marked forwarded traffic (spec §14)", async (t) => {
  const rendered = withoutComments(renderTable(plan()));
  t.match(
    rendered,
    "  chain forward { type filter hook forward priority mangle; policy accept;\n" +
      "    meta nfproto ipv4 meta mark & 0x60 == 0x40 tcp flags & (syn | rst) == syn tcp option maxseg size > 1368 tcp option maxseg size set 1368\n" +
      "    meta nfproto ipv6 meta mark & 0x60 == 0x40 tcp flags & (syn | rst) == syn tcp option maxseg size > 1348 tcp option maxseg size set 1348\n" +
      "  }\n",
  );
});

t.test("marks and MTU come from the plan", async (t) => {
  const rendered = renderTable(
    plan({ mtu: 1280, marks: { wireguard: 0x1000, route: 0x2000, mask: 0x3000 } }),
  );
  t.match(rendered, "meta mark & 0x3000 == 0x1000 accept");
  t.match(rendered, "meta mark set meta mark & 0xffffcfff | 0x2000 accept");
  t.match(rendered, "maxseg size set 1228");
  t.match(rendered, "maxseg size set 1208");
});

t.test("MSS clamp", async (t) => {
  t.equal(mssClamp(1420, 4), 1368);
  t.equal(mssClamp(1420, 6), 1348);
  t.equal(mssClamp(1280, 6), 1208);
});

t.test("set elements: merged, sorted, in nft's element forms", async (t) => {
  const rendered = renderTable(
    plan({
      dst4: p(
        "10.0.0.0/8",
        "10.1.0.0/16",
        "192.168.1.5/32",
        "172.16.0.0/23",
        "172.16.2.0/24",
        "192.168.1.4/32",
      ),
      dst6: p("fd00::/64", "2001:db8::1/128"),
    }),
  );
  t.match(
    rendered,
    "set dst4 { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 172.16.0.0-172.16.2.255, 192.168.1.4/31 }; }",
  );
  t.match(rendered, "set dst6 { type ipv6_addr; flags interval; elements = { 2001:db8::1, fd00::/64 }; }");
});

t.test("toIntervals", async (t) => {
  const cases: Array<[string, string[], Array<[string, string]>]> = [
    ["empty", [], []],
    ["contained", ["10.0.0.0/8", "10.2.0.0/16"], [["10.0.0.0", "10.255.255.255"]]],
    ["overlapping order", ["10.2.0.0/16", "10.0.0.0/8"], [["10.0.0.0", "10.255.255.255"]]],
    ["adjacent merge", ["10.0.0.0/24", "10.0.1.0/24"], [["10.0.0.0", "10.0.1.255"]]],
    [
      "gap kept",
      ["10.0.0.0/24", "10.0.2.0/24"],
      [
        ["10.0.0.0", "10.0.0.255"],
        ["10.0.2.0", "10.0.2.255"],
      ],
    ],
    ["host bits ignored", ["10.0.0.77/24"], [["10.0.0.0", "10.0.0.255"]]],
    ["other family skipped", ["fd00::/8", "10.0.0.1/32"], [["10.0.0.1", "10.0.0.1"]]],
  ];
  for (const [name, input, want] of cases) {
    const got = toIntervals(p(...input), 4).map((i) => [String(IP.v4(i.first)), String(IP.v4(i.last))]);
    t.same(got, want, name);
  }
});

t.test("renderInterval", async (t) => {
  const v4 = (a: string, b: string) => ({ first: IP.parse(a).value, last: IP.parse(b).value });
  t.equal(renderInterval(v4("10.0.0.1", "10.0.0.1"), 4), "10.0.0.1");
  t.equal(renderInterval(v4("10.0.0.0", "10.0.0.255"), 4), "10.0.0.0/24");
  t.equal(
    renderInterval(v4("10.0.0.128", "10.0.1.127"), 4),
    "10.0.0.128-10.0.1.127",
    "right size, not aligned",
  );
  t.equal(renderInterval(v4("10.0.0.0", "10.0.2.255"), 4), "10.0.0.0-10.0.2.255");
  t.equal(renderInterval(v4("0.0.0.0", "255.255.255.255"), 4), "0.0.0.0/0");
  t.equal(renderInterval({ first: 0n, last: (1n << 128n) - 1n }, 6), "::/0");
});

t.test("replace and delete scripts", async (t) => {
  const script = replaceScript(plan({ table: "ks_test" }));
  t.ok(
    script.startsWith("table inet ks_test\ndelete table inet ks_test\ntable inet ks_test {\n"),
    "create, delete, define",
  );
  t.equal(deleteScript("ks_test"), "delete table inet ks_test\n");
});

t.test("expectedShape", async (t) => {
  const shape = expectedShape(plan({ dst4: p("10.0.0.0/8") }));
  t.same(Object.keys(shape.chains), ["prerouting", "output", "forward"]);
  t.match(shape.chains["output"], { type: "route", hook: "output", priority: 0, policy: "accept" });
  t.equal(shape.chains["forward"]!.priority, -150);
  t.equal(shape.chains["output"]!.rules.length, 6);
  t.same(
    shape.chains["prerouting"]!.rules[0],
    shape.chains["output"]!.rules[0],
    "same rule, same fingerprint",
  );
  t.notSame(
    expectedShape(plan({ mtu: 1400 })).chains["output"]!.rules,
    shape.chains["output"]!.rules,
    "a changed clamp changes the fingerprints",
  );
  t.same(shape.sets["dst6"], []);
  t.equal(expectedShape(plan({ clampForwarded: false })).chains["forward"], undefined);
});
