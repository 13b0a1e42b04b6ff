import t from "tap";
import { markWriters } from "../../src/host/nft-marks.js";

const metaMark = { meta: { key: "mark" } };
const setMark = (value: unknown) => ({ mangle: { key: metaMark, value } });
const rule = (table: string, handle: number, ...expr: unknown[]) => ({
  rule: { family: "ip", table, chain: "c", handle, expr },
});
const ruleset = (...items: unknown[]) => ({ nftables: [{ metainfo: {} }, ...items] });

t.test("which rules write our mark bits (mask 0x60)", async (t) => {
  const cases: Array<[string, unknown, "definite" | "unknown" | "none"]> = [
    ["absolute value with our bit", setMark(0x40), "definite"],
    ["absolute value outside the mask", setMark(0x4000), "none"],
    ["or with our bit", setMark({ "|": [metaMark, 0x20] }), "definite"],
    ["kube-proxy style or outside the mask", setMark({ "|": [metaMark, 0x4000] }), "none"],
    ["clear and set, spec style", setMark({ "|": [{ "&": [metaMark, 0xffffff9f] }, 0x40] }), "definite"],
    ["clearing only", setMark({ "&": [metaMark, 0xffffff9f] }), "none"],
    ["xor on our bit", setMark({ "^": [metaMark, 0x20] }), "definite"],
    ["restore from conntrack", setMark({ ct: { key: "mark" } }), "unknown"],
    [
      "masked conntrack restore keeping our bits out",
      setMark({ "&": [{ ct: { key: "mark" } }, 0xff00] }),
      "unknown",
    ],
    ["iptables-nft MARK target", { xt: { type: "target", name: "MARK" } }, "unknown"],
    ["ct mark set is not the packet mark", { mangle: { key: { ct: { key: "mark" } }, value: 0x40 } }, "none"],
    [
      "matching the mark is reading, not writing",
      { match: { op: "==", left: metaMark, right: 0x40 } },
      "none",
    ],
  ];
  for (const [name, expr, want] of cases) {
    const found = markWriters(ruleset(rule("mangle", 7, expr)), 0x60, "kubespan");
    const where = ["table ip mangle chain c rule handle 7"];
    t.same(found.definite, want === "definite" ? where : [], `${name}: definite`);
    t.same(found.unknown, want === "unknown" ? where : [], `${name}: unknown`);
  }
});

t.test("our own table is never a conflict; each rule is listed once", async (t) => {
  const own = {
    rule: { family: "inet", table: "kubespan", chain: "output", handle: 1, expr: [setMark(0x40)] },
  };
  const twice = rule("other", 3, setMark(0x40), setMark(0x20));
  const found = markWriters(ruleset(own, twice), 0x60, "kubespan");
  t.same(found.definite, ["table ip other chain c rule handle 3"]);
});

t.test("a same-named table of another family is not ours", async (t) => {
  const found = markWriters(
    ruleset({ rule: { family: "ip", table: "kubespan", chain: "c", handle: 4, expr: [setMark(0x40)] } }),
    0x60,
    "kubespan",
  );
  t.equal(found.definite.length, 1);
});

t.test("a malformed ruleset is an error", async (t) => {
  t.throws(() => markWriters({ nope: [] }, 0x60, "kubespan"), { name: "NftStateError" });
});
