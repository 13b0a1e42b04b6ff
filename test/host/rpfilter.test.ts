import t from "tap";
import { effectiveRpFilter, planRpFilter, type RpFilterWrite } from "../../src/host/rpfilter.js";

t.test("effective value is the maximum of all and the interface", async (t) => {
  const cases: Array<[number, number, number]> = [
    [0, 0, 0],
    [1, 0, 1],
    [0, 1, 1],
    [1, 2, 2],
    [2, 1, 2],
  ];
  for (const [all, own, want] of cases) t.equal(effectiveRpFilter(all, own), want, `all=${all} if=${own}`);
});

t.test("planRpFilter", async (t) => {
  const w = (key: string, from: number, to: number): RpFilterWrite => ({ key, from, to });
  const cases: Array<[string, number, Record<string, number>, string[], RegExp[], RpFilterWrite[]]> = [
    ["all off", 0, { lo: 0, eth0: 0, kubespan: 0 }, ["eth0"], [], []],
    [
      "loose everywhere (Ubuntu's default) still drops on the link",
      2,
      { lo: 0, eth0: 0, kubespan: 0 },
      ["eth0"],
      [
        /rp_filter is 2 on kubespan \(max of conf\/all=2 and conf\/kubespan=0\): the link has no IPv4 address/,
      ],
      [w("lo", 0, 2), w("eth0", 0, 2), w("all", 2, 0)],
    ],
    [
      "strict everywhere: link off, uplink loose, others keep strict",
      1,
      { lo: 0, eth0: 0, eth1: 0, kubespan: 0 },
      ["eth0"],
      [/rp_filter is 1 on kubespan/, /rp_filter is strict on eth0 \(max of conf\/all=1 and conf\/eth0=0\)/],
      [w("lo", 0, 1), w("eth0", 0, 2), w("eth1", 0, 1), w("all", 1, 0)],
    ],
    [
      "the link's own value",
      0,
      { eth0: 0, kubespan: 2 },
      ["eth0"],
      [/rp_filter is 2 on kubespan/],
      [w("kubespan", 2, 0)],
    ],
    ["a strict uplink only", 0, { eth0: 1, kubespan: 0 }, ["eth0"], [/strict on eth0/], [w("eth0", 1, 2)]],
    ["a loose uplink is fine", 0, { eth0: 2, kubespan: 0 }, ["eth0"], [], []],
    ["a higher own value is kept", 1, { eth1: 2, kubespan: 0 }, [], [/on kubespan/], [w("all", 1, 0)]],
    ["unknown uplinks and a missing link are skipped", 0, { eth0: 0 }, ["wlan9"], [], []],
  ];
  for (const [name, all, interfaces, uplinks, problems, writes] of cases) {
    const plan = planRpFilter({ all, interfaces }, "kubespan", uplinks);
    t.equal(plan.problems.length, problems.length, `${name}: problem count`);
    for (const [i, re] of problems.entries()) t.match(plan.problems[i], re, `${name}: problem ${i}`);
    t.same(plan.writes, writes, `${name}: writes, conf/all last`);
  }
});
