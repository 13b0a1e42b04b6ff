import t from "tap";
import { compareUtf8 } from "../../src/cluster/order.js";

const sign = (n: number) => Math.sign(n);
const bytewise = (a: string, b: string) => sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

t.test("orders like Go's byte-wise string comparison", async (t) => {
  const pairs: [string, string, number][] = [
    ["a", "b", -1],
    ["B", "a", -1],
    ["abc", "abc", 0],
    ["ab", "abc", -1],
    ["k8s/x", "service/x", -1],
    ["service/x", "service:a/x", -1],
    ["\uffff", "\u{10000}", -1],
    ["\u{1f600}", "\ue000", 1],
    ["é", "z", 1],
  ];
  for (const [a, b, want] of pairs) {
    t.equal(sign(compareUtf8(a, b)), want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    t.equal(bytewise(a, b), want, "the expectation itself is byte-wise");
  }
  t.ok("\u{10000}" < "\uffff", "JavaScript's own < disagrees, which is why compareUtf8 exists");
});

t.test("agrees with Buffer.compare on mixed-plane strings", async (t) => {
  const alphabet = [
    "a",
    "Z",
    "0",
    "/",
    ":",
    "é",
    "\u0800",
    "\ud7ff",
    "\ue000",
    "\uffff",
    "\u{10000}",
    "\u{1f600}",
  ];
  let seed = 7;
  const pick = () => {
    seed = (seed * 48271) % 2147483647;
    return alphabet[seed % alphabet.length]!;
  };
  const word = () => Array.from({ length: 1 + (seed % 4) }, pick).join("");
  let mismatches = 0;
  for (let i = 0; i < 2000; i++) {
    const a = word();
    const b = word();
    if (sign(compareUtf8(a, b)) !== bytewise(a, b)) mismatches++;
  }
  t.equal(mismatches, 0);
});
