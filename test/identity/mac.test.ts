import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import {
  chooseMac,
  formatMac,
  type LinkInfo,
  parseMac,
  pickMac,
  randomMac,
  readLinks,
} from "../../src/identity/mac.js";

const mac = (s: string) => parseMac(s)!;
const link = (name: string, fields: Partial<LinkInfo> = {}): LinkInfo => ({
  name,
  type: 1,
  mac: mac(`02:00:00:00:00:${(name.length % 256).toString(16).padStart(2, "0")}`),
  hasDevice: true,
  isVirtual: false,
  ...fields,
});
const fixedRandom = (n: number) => Buffer.alloc(n, 0xff);

t.test("parse and format MACs", async (t) => {
  t.equal(mac("2E:1a:b6:53:81:69\n").toString("hex"), "2e1ab6538169");
  t.equal(formatMac(mac("2e:1a:b6:53:81:69")), "2e:1a:b6:53:81:69");
  t.equal(parseMac("00:11:22:33:44:55:66:77")?.length, 8);
  for (const bad of [
    "",
    "2e:1a:b6:53:81",
    "2e-1a-b6-53-81-69",
    "2e:1a:b6:53:81:6g",
    "00:00:00:00:00:00:00",
  ]) {
    t.equal(parseMac(bad), undefined, JSON.stringify(bad));
  }
});

t.test("a random MAC is unicast and locally administered", async (t) => {
  const m = randomMac(fixedRandom);
  t.equal(m[0], 0xfe);
  t.equal(m.length, 6);
  t.not(formatMac(randomMac()), formatMac(randomMac()));
});

t.test("pickMac preference table", async (t) => {
  const table: Array<[string, LinkInfo[], string]> = [
    ["alphabetically first backed device", [link("eth1"), link("eth0"), link("enp3s0")], "device:enp3s0"],
    [
      "virtual links are skipped even with a device",
      [link("br0", { isVirtual: true }), link("eth0")],
      "device:eth0",
    ],
    [
      "links without a device come after backed ones",
      [link("a-veth", { hasDevice: false }), link("zz")],
      "device:zz",
    ],
    ["loopback and non-Ethernet types never count", [link("lo"), link("wg0", { type: 65534 })], "random"],
    [
      "containers: only a veth, so the first Ethernet link",
      [link("lo", { type: 772 }), link("eth0", { hasDevice: false, isVirtual: true })],
      "ethernet:eth0",
    ],
    [
      "fallback order is by name too",
      [link("veth9", { hasDevice: false }), link("ifb0", { hasDevice: false })],
      "ethernet:ifb0",
    ],
    [
      "zero or missing MACs are unusable",
      [
        link("eth0", { mac: Buffer.alloc(6) }),
        link("eth1", { mac: undefined }),
        link("eth2", { type: undefined }),
      ],
      "random",
    ],
    ["no links at all", [], "random"],
  ];
  for (const [name, links, source] of table) {
    const choice = pickMac(links, fixedRandom);
    t.equal(choice.source, source, name);
    const expected = links.find((l) => source.endsWith(`:${l.name}`));
    t.same(choice.mac, expected?.mac ?? randomMac(fixedRandom), `${name}: the MAC matches the source`);
  }
});

/** A fake /sys/class/net under a temp dir. */
function fakeSysfs(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "sysfs-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

function addLink(root: string, name: string, files: Record<string, string>, dirs: string[] = []): void {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  for (const sub of dirs) mkdirSync(join(dir, sub));
}

const basic = (index: number, address: string, extra: Record<string, string> = {}) => ({
  type: "1\n",
  address: `${address}\n`,
  ifindex: `${index}\n`,
  iflink: `${index}\n`,
  uevent: `INTERFACE=x\nIFINDEX=${index}\n`,
  ...extra,
});

t.test("readLinks reads a sysfs tree", async (t) => {
  const root = fakeSysfs(t);
  addLink(root, "lo", { ...basic(1, "00:00:00:00:00:00"), type: "772\n" });
  addLink(root, "eth0", basic(2, "2e:1a:b6:53:81:69"), ["device"]);
  addLink(root, "br0", basic(3, "02:00:00:00:00:03"), ["bridge"]);
  addLink(root, "bond0", basic(4, "02:00:00:00:00:04"), ["bonding", "device"]);
  addLink(root, "tap0", basic(5, "02:00:00:00:00:05"), ["tun_flags"]);
  addLink(root, "eth0.10", basic(6, "2e:1a:b6:53:81:69", { iflink: "2\n" }));
  addLink(root, "vx0", basic(7, "02:00:00:00:00:07", { uevent: "DEVTYPE=vxlan\nINTERFACE=vx0\n" }));
  addLink(root, "broken", { type: "garbage", address: "nope" });
  const links = new Map((await readLinks(root)).map((l) => [l.name, l]));
  t.same(links.get("lo"), {
    name: "lo",
    type: 772,
    mac: Buffer.alloc(6),
    hasDevice: false,
    isVirtual: false,
  });
  t.same(links.get("eth0"), {
    name: "eth0",
    type: 1,
    mac: mac("2e:1a:b6:53:81:69"),
    hasDevice: true,
    isVirtual: false,
  });
  for (const name of ["br0", "bond0", "tap0", "eth0.10", "vx0"])
    t.equal(links.get(name)?.isVirtual, true, name);
  t.same(links.get("broken"), {
    name: "broken",
    type: undefined,
    mac: undefined,
    hasDevice: false,
    isVirtual: false,
  });
});

t.test("chooseMac on fake trees", async (t) => {
  const host = fakeSysfs(t);
  addLink(host, "lo", { ...basic(1, "00:00:00:00:00:00"), type: "772\n" });
  addLink(host, "br0", basic(2, "02:00:00:00:00:02"), ["bridge"]);
  addLink(host, "docker0", basic(3, "02:42:00:00:00:03"), ["bridge"]);
  addLink(host, "enp3s0", basic(4, "2e:1a:b6:53:81:69"), ["device"]);
  addLink(host, "eno1", basic(5, "2e:1a:b6:53:81:70"), ["device"]);
  t.same(await chooseMac(host), { mac: mac("2e:1a:b6:53:81:70"), source: "device:eno1" });

  const container = fakeSysfs(t);
  addLink(container, "lo", { ...basic(1, "00:00:00:00:00:00"), type: "772\n" });
  addLink(container, "eth0", basic(9, "0a:58:0a:f4:00:05", { iflink: "10\n" }));
  t.same(await chooseMac(container), { mac: mac("0a:58:0a:f4:00:05"), source: "ethernet:eth0" });

  const empty = fakeSysfs(t);
  t.same(await chooseMac(empty, fixedRandom), { mac: randomMac(fixedRandom), source: "random" });
  t.same(await chooseMac(join(empty, "missing"), fixedRandom), {
    mac: randomMac(fixedRandom),
    source: "random",
  });
});
