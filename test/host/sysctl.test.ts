import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { Sysctl } from "../../src/host/sysctl.js";

/** A directory shaped like /proc/sys with rp_filter files for the given keys. */
async function fakeProc(
  t: { teardown(fn: () => unknown): void },
  values: Record<string, number>,
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "ks-sysctl-"));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  for (const [key, value] of Object.entries(values)) {
    const dir = join(root, "net", "ipv4", "conf", key);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "rp_filter"), `${value}\n`);
  }
  return root;
}

const read = async (root: string, key: string) =>
  (await readFile(join(root, "net/ipv4/conf", key, "rp_filter"), "utf8")).trim();

t.test("readRpFilter lists every interface, without all and default", async (t) => {
  const sysctl = new Sysctl(await fakeProc(t, { all: 1, default: 1, lo: 0, eth0: 2 }));
  t.same(await sysctl.readRpFilter(), { all: 1, interfaces: { eth0: 2, lo: 0 } });
});

t.test("warn mode reports and writes nothing", async (t) => {
  const root = await fakeProc(t, { all: 1, default: 1, lo: 0, eth0: 0, kubespan: 0 });
  const outcome = await new Sysctl(root).checkRpFilter("kubespan", ["eth0"], "warn");
  t.same(outcome.changes, []);
  t.equal(outcome.warnings.length, 2);
  t.equal(await read(root, "all"), "1");
});

t.test("fix mode writes the plan, and a second run finds nothing to do", async (t) => {
  const root = await fakeProc(t, { all: 1, default: 1, lo: 0, eth0: 0, kubespan: 0 });
  const sysctl = new Sysctl(root);
  const outcome = await sysctl.checkRpFilter("kubespan", ["eth0"], "fix");
  t.same(outcome.warnings, []);
  t.same(outcome.changes, [
    "net.ipv4.conf.eth0.rp_filter 0 → 2",
    "net.ipv4.conf.lo.rp_filter 0 → 1",
    "net.ipv4.conf.all.rp_filter 1 → 0",
  ]);
  t.same(
    [await read(root, "all"), await read(root, "eth0"), await read(root, "lo"), await read(root, "kubespan")],
    ["0", "2", "1", "0"],
  );
  t.equal(await read(root, "default"), "1", "new interfaces still start strict");
  t.same(await sysctl.checkRpFilter("kubespan", ["eth0"], "fix"), { warnings: [], changes: [] });
});

t.test("ignore mode does not even read", async (t) => {
  t.same(await new Sysctl("/nonexistent").checkRpFilter("kubespan", ["eth0"], "ignore"), {
    warnings: [],
    changes: [],
  });
});
