// TLS on the gRPC listener, with certificate reload when the files change.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import pino from "pino";
import t, { type Test } from "tap";
import { ClusterClient } from "../../src/gen/sidero/discovery/server/cluster.js";
import type { RunningServer } from "../../src/server/server.js";
import { eventually, startTestServer, unary } from "./helpers.js";

function haveOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A fresh self-signed certificate for 127.0.0.1; returns [certificate PEM, key PEM]. */
function makeCertificate(dir: string, name: string): [Buffer, Buffer] {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
    ].concat([
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      `/CN=${name}`,
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ]),
    { stdio: "ignore" },
  );
  return [readFileSync(cert), readFileSync(key)];
}

/** Replaces a file the way certificate tools do: write aside, then rename over. */
function replace(path: string, content: Buffer | string): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
}

async function helloWith(t: Test, server: RunningServer, root: Buffer | undefined): Promise<boolean> {
  const creds = root ? credentials.createSsl(root) : credentials.createInsecure();
  // A private subchannel pool forces a new connection, hence a new TLS handshake.
  const client = new ClusterClient(server.address, creds, { "grpc.use_local_subchannel_pool": 1 });
  t.teardown(() => client.close());
  try {
    await unary(client, "hello", { clusterId: "c", clientVersion: "" }, { deadlineMs: 2000 });
    return true;
  } catch {
    return false;
  }
}

t.test(
  "TLS serving and certificate reload",
  { skip: haveOpenssl() ? false : "openssl is not installed" },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "kubespan-discovery-tls-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const [certA, keyA] = makeCertificate(dir, "a");
    const [certB, keyB] = makeCertificate(dir, "b");
    const certificatePath = join(dir, "server.crt");
    const keyPath = join(dir, "server.key");
    writeFileSync(certificatePath, certA);
    writeFileSync(keyPath, keyA);
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const server = await startTestServer(t, {
      tls: { certificatePath, keyPath, checkIntervalMs: 20 },
      logger,
    });

    t.ok(await helloWith(t, server, certA), "a client trusting certificate A connects");
    t.notOk(await helloWith(t, server, undefined), "a plaintext client does not");

    replace(keyPath, keyB);
    replace(certificatePath, certB);
    const reloaded = async () => (await helloWith(t, server, certB)) && !(await helloWith(t, server, certA));
    let ok = false;
    for (let attempt = 0; attempt < 50 && !ok; attempt++) ok = await reloaded();
    t.ok(ok, "after the files change, new connections get certificate B");
    t.ok(logs.some((l) => l.msg === "TLS certificate reloaded"));

    replace(certificatePath, "not a certificate");
    await eventually(
      () => logs.some((l) => String(l.msg).includes("do not load")),
      "the bad files to be noticed",
    );
    t.ok(await helloWith(t, server, certB), "bad files keep the previous certificate in service");
    t.notOk(
      JSON.stringify(logs).includes(keyB.toString().split("\n")[1]!),
      "the private key never reaches the logs",
    );
  },
);

t.test(
  "unusable TLS files fail startup with the file names",
  { skip: haveOpenssl() ? false : "openssl is not installed" },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "kubespan-discovery-tls-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const certificatePath = join(dir, "server.crt");
    const keyPath = join(dir, "server.key");
    const [certA] = makeCertificate(dir, "a");
    const [, keyB] = makeCertificate(dir, "b");
    writeFileSync(certificatePath, certA);
    writeFileSync(keyPath, keyB);
    await t.rejects(startTestServer(t, { tls: { certificatePath, keyPath } }), {
      name: "TlsConfigError",
      message: new RegExp(`${certificatePath} and ${keyPath} are not a usable certificate and private key`),
    });
    await t.rejects(startTestServer(t, { tls: { certificatePath: join(dir, "missing.crt"), keyPath } }), {
      name: "TlsConfigError",
      message: /cannot read TLS files: .*missing\.crt/,
    });
  },
);
