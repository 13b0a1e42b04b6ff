import t from "tap";
import { IdentityError } from "../../src/identity/errors.js";
import {
  formatKubeSpanIdentity,
  formatNodeIdentity,
  type KubeSpanIdentityRecord,
  parseKubeSpanIdentity,
  parseNodeIdentity,
} from "../../src/identity/files.js";
import { generateKeyPair } from "../../src/identity/keys.js";
import { IP, Prefix } from "../../src/net/ip.js";

const FILE = "/state/kubespan-identity.yaml";
const NODE_FILE = "/state/node-identity.yaml";
const NODE_ID = "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L";
const keys = generateKeyPair();
const other = generateKeyPair();
const record: KubeSpanIdentityRecord = {
  ...keys,
  pinned: {
    address: IP.parse("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169"),
    subnet: Prefix.parse("fd7f:175a:b97c:5602::/64"),
  },
  macSource: "device:eth0",
};

t.test("node-identity.yaml: Talos format round trip", async (t) => {
  t.equal(formatNodeIdentity(NODE_ID), `nodeId: ${NODE_ID}\n`);
  t.equal(parseNodeIdentity(`nodeId: ${NODE_ID}\n`, NODE_FILE), NODE_ID);
  t.equal(parseNodeIdentity(`# written by hand\nnodeId: "${NODE_ID}"\nother: ignored\n`, NODE_FILE), NODE_ID);
});

t.test("node-identity.yaml: damage is an error naming the file", async (t) => {
  const table: Array<[string, string, RegExp]> = [
    ["empty", "", /file is empty/],
    ["comment only", "# nothing\n", /file is empty/],
    [
      "truncated quote",
      `nodeId: "${NODE_ID.slice(0, 10)}`,
      /not valid YAML at line 1, column \d+ \(MISSING_CHAR\)/,
    ],
    ["a list", `- ${NODE_ID}\n`, /expected a YAML mapping/],
    ["a scalar", `${NODE_ID}\n`, /expected a YAML mapping/],
    ["missing key", "nodeID: x\n", /nodeId is missing or empty/],
    ["empty value", "nodeId: ''\n", /nodeId is missing or empty/],
    ["not a string", "nodeId: [a, b]\n", /nodeId must be a plain string/],
    ["duplicate key", `nodeId: ${NODE_ID}\nnodeId: ${NODE_ID}\n`, /not valid YAML at line 2/],
    ["not base62", "nodeId: my-node\n", /nodeId is not a valid node ID: base62: character "-"/],
    ["too short", "nodeId: abc\n", /nodeId is not a valid node ID: node ID decodes to 3 bytes/],
  ];
  for (const [name, text, message] of table) {
    const error = t.throws(() => parseNodeIdentity(text, NODE_FILE), name) as IdentityError;
    t.type(error, IdentityError);
    t.equal(error.file, NODE_FILE);
    t.match(error.message, new RegExp(`^${NODE_FILE}: `), name);
    t.match(error.message, message, name);
  }
});

t.test("kubespan-identity.yaml: pinned round trip, address written as /128", async (t) => {
  const text = formatKubeSpanIdentity(record);
  t.equal(
    text,
    [
      "address: fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128",
      "subnet: fd7f:175a:b97c:5602::/64",
      `privateKey: ${keys.privateKey}`,
      `publicKey: ${keys.publicKey}`,
      "macSource: device:eth0",
      "",
    ].join("\n"),
  );
  t.same(parseKubeSpanIdentity(text, FILE), record);
  const bare = text.replace("/128", "");
  t.same(parseKubeSpanIdentity(bare, FILE), record, "a bare address is accepted too");
});

t.test("kubespan-identity.yaml: the Talos form with empty address and subnet", async (t) => {
  const talos = `address: ""\nsubnet: ""\nprivateKey: ${keys.privateKey}\npublicKey: ${keys.publicKey}\n`;
  const parsed = parseKubeSpanIdentity(talos, FILE);
  t.same(parsed, { ...keys, pinned: undefined, macSource: undefined });
  t.equal(formatKubeSpanIdentity(parsed), talos);
});

t.test("kubespan-identity.yaml: damage is an error naming the file, never quoting the key", async (t) => {
  const line = (k: string, v: string) => `${k}: ${v}\n`;
  const good = {
    address: "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128",
    subnet: "fd7f:175a:b97c:5602::/64",
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
  const build = (over: Partial<Record<keyof typeof good, string | undefined>>) =>
    Object.entries({ ...good, ...over })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => line(k, v as string))
      .join("");
  const table: Array<[string, string, RegExp]> = [
    ["truncated after the address", build({}).slice(0, 60), /privateKey must be standard base64/],
    [
      "cut inside the private key",
      build({}).slice(0, build({}).indexOf(keys.privateKey) + 20),
      /privateKey must be/,
    ],
    ["no private key", build({ privateKey: undefined }), /privateKey must be standard base64/],
    [
      "short private key",
      build({ privateKey: keys.privateKey.slice(4) }),
      /privateKey must be standard base64/,
    ],
    [
      "no public key",
      build({ publicKey: undefined }),
      /publicKey is missing or does not belong to privateKey/,
    ],
    ["foreign public key", build({ publicKey: other.publicKey }), /does not belong to privateKey/],
    ["address without subnet", build({ subnet: '""' }), /address and subnet must be both set or both empty/],
    ["IPv4 address", build({ address: "10.0.0.1" }), /address: expected an IPv6 address or \/128/],
    [
      "address not an IP",
      build({ address: "fd7f::zz" }),
      /address: expected an IPv6 address or \/128, found "fd7f::zz"/,
    ],
    ["address with /64", build({ address: "fd7f:175a:b97c:5602::1/64" }), /address: expected/],
    ["subnet /48", build({ subnet: "fd7f:175a:b97c::/48" }), /subnet: expected an IPv6 \/64/],
    [
      "subnet with host bits",
      build({ subnet: "fd7f:175a:b97c:5602::1/64" }),
      /subnet: expected an IPv6 \/64/,
    ],
    ["address outside subnet", build({ subnet: "fd00::/64" }), /is outside subnet fd00::\/64/],
    ["a list", `- ${keys.privateKey}\n`, /expected a YAML mapping/],
    [
      "private key as a list",
      build({ privateKey: `[${keys.privateKey}]` }),
      /privateKey must be a plain string/,
    ],
  ];
  for (const [name, text, message] of table) {
    const error = t.throws(() => parseKubeSpanIdentity(text, FILE), name) as IdentityError;
    t.type(error, IdentityError, name);
    t.equal(error.file, FILE);
    t.match(error.message, message, name);
    t.notMatch(error.message, keys.privateKey.slice(0, 12), `${name}: no key material`);
  }
});
