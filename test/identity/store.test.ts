import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { IdentityError } from "../../src/identity/errors.js";
import { formatKubeSpanIdentity } from "../../src/identity/files.js";
import { generateKeyPair } from "../../src/identity/keys.js";
import { type MacChoice, parseMac } from "../../src/identity/mac.js";
import { machineIdFromNodeId } from "../../src/identity/node-id.js";
import { loadOrCreateIdentity, loadOrCreateNodeId } from "../../src/identity/store.js";
import { clusterSubnet, nodeAddress } from "../../src/identity/ula.js";

const CLUSTER = "8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=";
const OTHER_CLUSTER = "another-cluster-id";
const MAC = parseMac("2e:1a:b6:53:81:69")!;

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "identity-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A MAC chooser that records how often it was asked. */
function macChooser(choice: MacChoice = { mac: MAC, source: "device:eth0" }) {
  const chooser = async () => {
    chooser.calls++;
    return choice;
  };
  chooser.calls = 0;
  return chooser;
}

const mode = (path: string) => statSync(path).mode & 0o777;
const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

t.test("first start creates the directory and both files with tight modes", async (t) => {
  const stateDir = join(tempDir(t), "var", "lib", "kubespan");
  const chooseMac = macChooser();
  const id = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac });
  t.equal(mode(stateDir), 0o700);
  t.same(
    readdirSync(stateDir).sort(),
    ["kubespan-identity.yaml", "node-identity.yaml"],
    "no temp files left",
  );
  for (const name of readdirSync(stateDir)) t.equal(mode(join(stateDir, name)), 0o600, name);
  t.equal(read(stateDir, "node-identity.yaml"), `nodeId: ${id.nodeId}\n`);
  t.ok(id.nodeId.length >= 43 && id.nodeId.length <= 45);
  t.equal(id.machineId, machineIdFromNodeId(id.nodeId));
  t.equal(id.subnet.toString(), "fd7f:175a:b97c:5602::/64");
  t.equal(id.address.toString(), "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169");
  t.equal(id.macSource, "device:eth0");
  t.equal(chooseMac.calls, 1);
  const file = read(stateDir, "kubespan-identity.yaml");
  t.match(file, `privateKey: ${id.privateKey}\n`);
  t.match(file, `publicKey: ${id.publicKey}\n`);
  t.match(file, "address: fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128\n");
  t.match(file, "subnet: fd7f:175a:b97c:5602::/64\n");
  t.match(file, "macSource: device:eth0\n");
});

t.test("later starts reuse everything and do not look at the MAC again", async (t) => {
  const stateDir = tempDir(t);
  const first = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac: macChooser() });
  const before = read(stateDir, "kubespan-identity.yaml");
  const chooseMac = macChooser({ mac: parseMac("02:00:00:00:00:01")!, source: "device:eth1" });
  const second = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac });
  t.equal(chooseMac.calls, 0, "the address is pinned");
  t.same(second.toJSON(), first.toJSON());
  t.equal(second.privateKey, first.privateKey);
  t.equal(read(stateDir, "kubespan-identity.yaml"), before, "file untouched");
});

t.test("a random MAC fallback survives restarts", async (t) => {
  const stateDir = tempDir(t);
  const random = parseMac("06:12:34:56:78:9a")!;
  const first = await loadOrCreateIdentity({
    stateDir,
    clusterId: CLUSTER,
    chooseMac: macChooser({ mac: random, source: "random" }),
  });
  t.equal(first.address.toString(), nodeAddress(clusterSubnet(CLUSTER), random).toString());
  const second = await loadOrCreateIdentity({
    stateDir,
    clusterId: CLUSTER,
    chooseMac: macChooser({ mac: parseMac("06:ff:ff:ff:ff:ff")!, source: "random" }),
  });
  t.equal(second.address.toString(), first.address.toString());
  t.equal(second.macSource, "random");
});

t.test("a changed cluster ID moves the address to the new /64, keeping keys and interface ID", async (t) => {
  const stateDir = tempDir(t);
  const first = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac: macChooser() });
  const chooseMac = macChooser();
  const moved = await loadOrCreateIdentity({ stateDir, clusterId: OTHER_CLUSTER, chooseMac });
  t.equal(chooseMac.calls, 0);
  t.equal(moved.subnet.toString(), clusterSubnet(OTHER_CLUSTER).toString());
  t.not(moved.subnet.toString(), first.subnet.toString());
  t.equal(moved.address.toString(), nodeAddress(clusterSubnet(OTHER_CLUSTER), MAC).toString());
  t.equal(moved.nodeId, first.nodeId);
  t.equal(moved.publicKey, first.publicKey);
  t.equal(moved.macSource, "device:eth0");
  t.match(read(stateDir, "kubespan-identity.yaml"), `subnet: ${moved.subnet}\n`, "persisted");
  t.equal(mode(join(stateDir, "kubespan-identity.yaml")), 0o600);
  t.same(readdirSync(stateDir).sort(), ["kubespan-identity.yaml", "node-identity.yaml"]);
  const back = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac });
  t.equal(back.address.toString(), first.address.toString(), "and back again");
});

t.test("a Talos-written file keeps its keys and gets an address", async (t) => {
  const stateDir = tempDir(t);
  const keys = generateKeyPair();
  const talos = `address: ""\nsubnet: ""\nprivateKey: ${keys.privateKey}\npublicKey: ${keys.publicKey}\n`;
  writeFileSync(join(stateDir, "kubespan-identity.yaml"), talos, { mode: 0o600 });
  const chooseMac = macChooser();
  const id = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac });
  t.equal(chooseMac.calls, 1);
  t.equal(id.publicKey, keys.publicKey);
  t.equal(id.privateKey, keys.privateKey);
  t.equal(id.address.toString(), "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169");
  t.match(read(stateDir, "kubespan-identity.yaml"), "subnet: fd7f:175a:b97c:5602::/64\n");
});

t.test("a damaged identity file stops start-up and is left alone", async (t) => {
  const damaged: Array<[string, string, RegExp]> = [
    ["node-identity.yaml", "nodeId: 'sou7yy34", /node-identity\.yaml: not valid YAML/],
    ["node-identity.yaml", "", /node-identity\.yaml: file is empty/],
    ["kubespan-identity.yaml", "privateKey: abc\n", /kubespan-identity\.yaml: privateKey must be/],
    ["kubespan-identity.yaml", "\u0000\u0001garbage", /kubespan-identity\.yaml: /],
  ];
  for (const [name, content, message] of damaged) {
    const stateDir = tempDir(t);
    writeFileSync(join(stateDir, name), content, { mode: 0o600 });
    const chooseMac = macChooser();
    const err = (await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac }).catch(
      (e) => e,
    )) as Error;
    t.type(err, IdentityError, name);
    t.equal((err as IdentityError).file, join(stateDir, name));
    t.match(err.message, message, name);
    t.equal(read(stateDir, name), content, `${name} not regenerated`);
  }
});

t.test("an unreadable identity file is an error naming it", async (t) => {
  const stateDir = tempDir(t);
  mkdirSync(join(stateDir, "node-identity.yaml"));
  const err = (await loadOrCreateNodeId(stateDir).catch((e) => e)) as IdentityError;
  t.type(err, IdentityError);
  t.equal(err.file, join(stateDir, "node-identity.yaml"));
  t.match(err.message, /cannot read identity file: EISDIR/);
});

t.test("a state directory that is a file is an error naming it", async (t) => {
  const parent = tempDir(t);
  const stateDir = join(parent, "state");
  writeFileSync(stateDir, "");
  const err = (await loadOrCreateNodeId(stateDir).catch((e) => e)) as IdentityError;
  t.type(err, IdentityError);
  t.equal(err.file, stateDir);
  t.match(err.message, /state directory/);
  const below = (await loadOrCreateNodeId(join(stateDir, "sub")).catch((e) => e)) as IdentityError;
  t.match(below.message, /cannot prepare state directory: (ENOTDIR|EEXIST)/);
});

t.test("a pre-existing state directory is tightened to 0700", async (t) => {
  const stateDir = tempDir(t);
  chmodSync(stateDir, 0o755);
  await loadOrCreateNodeId(stateDir);
  t.equal(mode(stateDir), 0o700);
});

t.test("the node ID alone: created once, then reused", async (t) => {
  const stateDir = tempDir(t);
  const id = await loadOrCreateNodeId(stateDir, (n) => Buffer.alloc(n, 0x5c));
  t.equal(id, await loadOrCreateNodeId(stateDir));
  t.equal(machineIdFromNodeId(id), "5c".repeat(16));
  t.same(readdirSync(stateDir), ["node-identity.yaml"]);
});

t.test("when another writer creates the file first, its identity wins", async (t) => {
  const stateDir = tempDir(t);
  const theirs = generateKeyPair();
  const theirSubnet = clusterSubnet(CLUSTER);
  const theirAddress = nodeAddress(theirSubnet, parseMac("02:00:00:00:00:99")!);
  // The MAC lookup runs between our "file absent" check and our exclusive create.
  const chooseMac = async (): Promise<MacChoice> => {
    writeFileSync(
      join(stateDir, "kubespan-identity.yaml"),
      formatKubeSpanIdentity({
        ...theirs,
        pinned: { address: theirAddress, subnet: theirSubnet },
        macSource: "device:other",
      }),
      { mode: 0o600 },
    );
    return { mac: MAC, source: "device:eth0" };
  };
  const id = await loadOrCreateIdentity({ stateDir, clusterId: CLUSTER, chooseMac });
  t.equal(id.publicKey, theirs.publicKey);
  t.equal(id.address.toString(), theirAddress.toString());
  t.equal(id.macSource, "device:other");
  t.same(
    readdirSync(stateDir).sort(),
    ["kubespan-identity.yaml", "node-identity.yaml"],
    "our temp file is gone",
  );
});
