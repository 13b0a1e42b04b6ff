// Link impairments for lab scenarios: packet loss, delay and link down/up.
//
// Delay needs the kernel's netem qdisc. Loss uses netem too where it exists;
// kernels built without sch_netem (some minimal VM kernels) still get loss,
// from an nftables rule that drops a random share of the packets leaving the
// link, which is the same on-the-wire effect for this purpose.
import { randomBytes } from "node:crypto";
import { execute, type Netns } from "./netns.js";

export interface Impairment {
  /** Share of packets leaving the link that are dropped, 0–100. */
  lossPercent?: number;
  /** One-way delay added to packets leaving the link (needs netem). */
  delayMs?: number;
}

const NFT_TABLE = "lab_impair";

/** Whether this kernel offers netem, tried on a veth in a throwaway namespace. */
export async function kernelHasNetem(): Promise<boolean> {
  const name = `kslab-netem-${randomBytes(3).toString("hex")}`;
  await execute(["ip", "netns", "add", name]);
  try {
    const veth = await execute(["ip", "-n", name, "link", "add", "a", "type", "veth", "peer", "name", "b"]);
    if (veth.code !== 0) return false;
    return (
      (await execute(["ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", "a", "root", "netem"]))
        .code === 0
    );
  } finally {
    await execute(["ip", "netns", "del", name]);
  }
}

/** Whether `dev` in `ns` accepts a netem qdisc. */
export async function hasNetem(ns: Netns, dev: string): Promise<boolean> {
  const added = await ns.exec(["tc", "qdisc", "add", "dev", dev, "root", "netem", "delay", "0ms"]);
  if (added.code !== 0) return false;
  await ns.exec(["tc", "qdisc", "del", "dev", dev, "root"]);
  return true;
}

/** Impairs traffic leaving `dev` in `ns`; replaces any earlier impairment of that link. */
export async function impair(ns: Netns, dev: string, impairment: Impairment): Promise<void> {
  await clearImpairment(ns, dev);
  const loss = impairment.lossPercent ?? 0;
  if (await hasNetem(ns, dev)) {
    const args = ["delay", `${impairment.delayMs ?? 0}ms`, ...(loss > 0 ? ["loss", `${loss}%`] : [])];
    await ns.run(["tc", "qdisc", "add", "dev", dev, "root", "netem", ...args]);
    return;
  }
  if ((impairment.delayMs ?? 0) > 0) {
    throw new Error(`delay on ${dev} needs the netem qdisc, which this kernel does not have`);
  }
  if (loss > 0) await ns.run(["nft", "-f", "-"], { input: lossRules(dev, loss) });
}

/** Removes what `impair` set on `dev`. */
export async function clearImpairment(ns: Netns, dev: string): Promise<void> {
  await ns.exec(["tc", "qdisc", "del", "dev", dev, "root"]);
  await ns.exec(["nft", "delete", "table", "netdev", `${NFT_TABLE}_${dev}`]);
}

export async function setLink(ns: Netns, dev: string, state: "up" | "down"): Promise<void> {
  await ns.run(["ip", "link", "set", dev, state]);
}

function lossRules(dev: string, percent: number): string {
  // Egress hook on the device: the drop happens where netem's would.
  return `table netdev ${NFT_TABLE}_${dev} {
  chain egress {
    type filter hook egress device "${dev}" priority 0; policy accept;
    numgen random mod 100 < ${Math.round(percent)} drop
  }
}
`;
}
