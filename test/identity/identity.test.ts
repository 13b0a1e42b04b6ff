import { format, inspect } from "node:util";
import t from "tap";
import { Identity } from "../../src/identity/identity.js";
import { generateKeyPair } from "../../src/identity/keys.js";
import { IP, Prefix } from "../../src/net/ip.js";

const keys = generateKeyPair();
const identity = new Identity({
  nodeId: "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L",
  machineId: "be871ac0d0dd31fa4caca753b0f3f1b2",
  privateKey: keys.privateKey,
  publicKey: keys.publicKey,
  address: IP.parse("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169"),
  subnet: Prefix.parse("fd7f:175a:b97c:5602::/64"),
  macSource: "device:eth0",
});

t.test("the private key is available to the code that needs it", async (t) => {
  t.equal(identity.privateKey, keys.privateKey);
  t.equal(identity.publicKey, keys.publicKey);
});

t.test("no printed or serialised form contains the private key", async (t) => {
  const outputs = {
    json: JSON.stringify(identity),
    jsonNested: JSON.stringify({ identity }),
    string: String(identity),
    template: `${identity}`,
    inspect: inspect(identity, { showHidden: true, depth: 10, getters: true }),
    format: format("%o %O %j", identity, identity, identity),
    keys: Object.keys(identity).join(","),
    spread: JSON.stringify({ ...identity }),
  };
  for (const [name, text] of Object.entries(outputs)) {
    t.notMatch(text, keys.privateKey, name);
    t.notMatch(text, "privateKey", name);
  }
  t.same(JSON.parse(outputs.json), {
    nodeId: "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L",
    machineId: "be871ac0d0dd31fa4caca753b0f3f1b2",
    publicKey: keys.publicKey,
    address: "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169",
    subnet: "fd7f:175a:b97c:5602::/64",
    macSource: "device:eth0",
  });
  t.match(outputs.string, /^Identity\(sou7yy34/);
  t.match(outputs.inspect, keys.publicKey, "inspect still shows the public fields");
});
