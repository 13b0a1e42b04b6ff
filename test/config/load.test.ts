import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { type ConfigError, loadConfig } from "../../src/config/index.js";

const SECRET = Buffer.alloc(32, 0x5a).toString("base64");
const body = (secretLines: string) => `clusterID: c1
${secretLines}
discovery:
  endpoints: ["http://127.0.0.1:3000"]
`;

t.test("reads the file and a clusterSecretFile from disk", async (t) => {
  const dir = t.testdir({ "secret.txt": `\n  ${SECRET}\n\n` });
  const secretPath = join(dir, "secret.txt");
  const configPath = join(dir, "config.yaml");
  const files = { [configPath]: body(`clusterSecretFile: ${secretPath}`) };
  const c = loadConfig(configPath, {
    hostname: "node-a",
    // The config comes from the map, the secret from the real file system.
    readFile: (p) => files[p] ?? readFileSync(p, "utf8"),
  });
  t.same(c.clusterSecret.reveal(), Buffer.alloc(32, 0x5a), "content is trimmed before decoding");
  t.equal(c.node.nodename, "node-a");
  t.same(c.discovery.endpoints[0], { url: "http://127.0.0.1:3000", target: "127.0.0.1:3000", tls: false });
});

t.test("defaults to the real file system", async (t) => {
  const dir = t.testdirName;
  t.testdir({ "secret.txt": SECRET, "config.yaml": body(`clusterSecretFile: ${join(dir, "secret.txt")}`) });
  const c = loadConfig(join(dir, "config.yaml"), { hostname: "h" });
  t.same(c.clusterSecret.reveal(), Buffer.alloc(32, 0x5a));
  const missing = join(dir, "missing.yaml");
  t.throws(() => loadConfig(missing, { hostname: "h" }), {
    name: "ConfigError",
    message: `${missing}: cannot read the configuration file (ENOENT)`,
  });
});

t.test("a secret file with bad content names the file, never the content", async (t) => {
  const bad = Buffer.alloc(20, 0x33).toString("base64");
  const dir = t.testdir({ "secret.txt": bad });
  const secretPath = join(dir, "secret.txt");
  const configPath = join(dir, "config.yaml");
  const err = t.throws(() =>
    loadConfig(configPath, {
      hostname: "h",
      readFile: (p) =>
        p === configPath ? body(`clusterSecretFile: ${secretPath}`) : readFileSync(p, "utf8"),
    }),
  ) as ConfigError;
  t.equal(
    err.message,
    `${configPath}: clusterSecretFile: content of ${secretPath} must be standard base64 of exactly 32 bytes, found 20 bytes`,
  );
  t.notOk(err.message.includes(bad));
});
