import { readFileSync } from "node:fs";
import t from "tap";
import { sameShape, shapeFromListing } from "../../src/host/nft-state.js";
import { expectedShape, type NftPlan } from "../../src/host/nftables.js";
import { Prefix } from "../../src/net/ip.js";

const LISTING = JSON.parse(readFileSync(new URL("./fixtures/nft-list-table.json", import.meta.url), "utf8"));
const PLAN: NftPlan = {
  table: "kubespan",
  dst4: ["10.0.0.0/8", "192.168.1.5/32", "172.16.0.0/23", "172.16.2.0/24"].map((x) => Prefix.parse(x)),
  dst6: [Prefix.parse("fd00::/64")],
  mtu: 1420,
  marks: { wireguard: 0x20, route: 0x40, mask: 0x60 },
  clampForwarded: false,
};

type Item = Record<string, Record<string, unknown>>;
const clone = (): { nftables: Item[] } => structuredClone(LISTING);

t.test("the listing nft printed for the plan matches the plan", async (t) => {
  const shape = shapeFromListing(LISTING, "kubespan");
  t.ok(shape, "table found");
  t.ok(sameShape(shape!, expectedShape(PLAN)));
});

t.test("an absent table", async (t) => {
  t.equal(shapeFromListing({ nftables: [{ metainfo: {} }] }, "kubespan"), undefined);
  t.equal(shapeFromListing(LISTING, "other"), undefined);
});

t.test("differences are noticed", async (t) => {
  const cases: Array<[string, (doc: { nftables: Item[] }) => void, Partial<NftPlan>]> = [
    ["the plan's set differs", () => {}, { dst4: [...PLAN.dst4, Prefix.parse("10.200.0.0/16")].slice(1) }],
    ["the plan's set has one more element", () => {}, { dst4: [...PLAN.dst4, Prefix.parse("192.0.2.0/24")] }],
    ["the plan's MTU changed", () => {}, { mtu: 1400 }],
    ["the plan adds the forward chain", () => {}, { clampForwarded: true }],
    [
      "a rule deleted by hand",
      (doc) => {
        doc.nftables.splice(
          doc.nftables.findIndex((i) => i["rule"]?.["handle"] === 9),
          1,
        );
      },
      {},
    ],
    [
      "a rule added by hand (no comment)",
      (doc) => {
        doc.nftables.push({
          rule: { family: "inet", table: "kubespan", chain: "output", handle: 99, expr: [] },
        });
      },
      {},
    ],
    [
      "a rule edited by hand keeps no fingerprint",
      (doc) => {
        const rule = doc.nftables.find((i) => i["rule"]?.["handle"] === 10)!["rule"]!;
        rule["comment"] = "mine";
      },
      {},
    ],
    [
      "an element deleted by hand",
      (doc) => {
        const set = doc.nftables.find((i) => i["set"]?.["name"] === "dst4")!["set"]!;
        set["elem"] = (set["elem"] as unknown[]).slice(1);
      },
      {},
    ],
    [
      "a chain policy changed",
      (doc) => {
        doc.nftables.find((i) => i["chain"]?.["name"] === "output")!["chain"]!["policy"] = "drop";
      },
      {},
    ],
  ];
  for (const [name, edit, planChange] of cases) {
    const doc = clone();
    edit(doc);
    const shape = shapeFromListing(doc, "kubespan");
    t.equal(shape !== undefined && sameShape(shape, expectedShape({ ...PLAN, ...planChange })), false, name);
  }
});

t.test("objects of other tables and families are ignored", async (t) => {
  const doc = clone();
  doc.nftables.push(
    { table: { family: "ip", name: "kubespan", handle: 50 } },
    { chain: { family: "ip", table: "kubespan", name: "output", type: "filter", hook: "output", prio: 0 } },
    { rule: { family: "inet", table: "filter", chain: "prerouting", handle: 3, expr: [] } },
  );
  t.ok(sameShape(shapeFromListing(doc, "kubespan")!, expectedShape(PLAN)));
});

t.test("element forms", async (t) => {
  const doc = clone();
  const set = doc.nftables.find((i) => i["set"]?.["name"] === "dst6")!["set"]!;
  set["elem"] = [{ elem: { val: "fd00::1", comment: "x" } }, { range: ["fd00::10", "fd00::1f"] }];
  t.same(shapeFromListing(doc, "kubespan")!.sets["dst6"], [
    { first: (0xfd00n << 112n) | 1n, last: (0xfd00n << 112n) | 1n },
    { first: (0xfd00n << 112n) | 0x10n, last: (0xfd00n << 112n) | 0x1fn },
  ]);
});

t.test("malformed listings are errors", async (t) => {
  t.throws(() => shapeFromListing({}, "kubespan"), { name: "NftStateError", message: /no "nftables" array/ });
  const doc = clone();
  doc.nftables.find((i) => i["set"]?.["name"] === "dst4")!["set"]!["elem"] = [{ weird: 1 }];
  t.throws(() => shapeFromListing(doc, "kubespan"), /unexpected nft set element/);
  const family = clone();
  family.nftables.find((i) => i["set"]?.["name"] === "dst4")!["set"]!["elem"] = ["fd00::1"];
  t.throws(() => shapeFromListing(family, "kubespan"), /is not IPv4/);
});
