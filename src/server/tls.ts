// TLS material for the gRPC listener, re-read whenever the certificate or
// key file changes so that renewed certificates are picked up without a
// restart. A change that does not load (half-written file, mismatched pair)
// keeps the previous certificate in service and is logged.
import { readFileSync, statSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { type experimental, experimental as grpcExperimental, ServerCredentials } from "@grpc/grpc-js";
import type { Logger } from "pino";

export class TlsConfigError extends Error {
  override name = "TlsConfigError";
}

export interface TlsFiles {
  readonly certificatePath: string;
  readonly keyPath: string;
  /** How often the files are checked for changes; 10 s unless set. */
  readonly checkIntervalMs?: number;
}

interface Material {
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
  /** Changes whenever either file is replaced or rewritten. */
  readonly fingerprint: string;
}

function fingerprint(files: TlsFiles): string {
  return [files.certificatePath, files.keyPath]
    .map((path) => {
      const s = statSync(path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    })
    .join("|");
}

/** Reads and checks the pair; the error names the files but never includes the key. */
function load(files: TlsFiles): Material {
  let material: Material;
  try {
    material = {
      fingerprint: fingerprint(files),
      certificate: readFileSync(files.certificatePath),
      privateKey: readFileSync(files.keyPath),
    };
  } catch (err) {
    throw new TlsConfigError(`cannot read TLS files: ${(err as Error).message}`);
  }
  try {
    createSecureContext({ cert: material.certificate, key: material.privateKey });
  } catch (err) {
    throw new TlsConfigError(
      `${files.certificatePath} and ${files.keyPath} are not a usable certificate and private key (PEM): ${(err as Error).message}`,
    );
  }
  return material;
}

/** A grpc-js certificate provider backed by two PEM files. */
class CertificateFiles implements experimental.CertificateProvider {
  private material: Material;
  private readonly listeners = new Set<experimental.IdentityCertificateUpdateListener>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly files: TlsFiles,
    private readonly logger: Logger,
  ) {
    this.material = load(files);
    this.timer = setInterval(() => this.check(), files.checkIntervalMs ?? 10_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.listeners.add(listener);
    const { certificate, privateKey } = this.material;
    process.nextTick(listener, { certificate, privateKey });
  }

  removeIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.listeners.delete(listener);
  }

  addCaCertificateListener(): void {}

  removeCaCertificateListener(): void {}

  private check(): void {
    let current: string;
    try {
      current = fingerprint(this.files);
    } catch (err) {
      this.logger.error(
        { err: (err as Error).message },
        "TLS files unreadable; keeping the current certificate",
      );
      return;
    }
    if (current === this.material.fingerprint) return;
    try {
      this.material = load(this.files);
    } catch (err) {
      this.logger.error(
        { err: (err as Error).message },
        "TLS files changed but do not load; keeping the current certificate",
      );
      return;
    }
    this.logger.info({ certificate: this.files.certificatePath }, "TLS certificate reloaded");
    const { certificate, privateKey } = this.material;
    for (const listener of this.listeners) listener({ certificate, privateKey });
  }
}

export interface ServerTls {
  readonly credentials: ServerCredentials;
  close(): void;
}

/** Credentials for the gRPC listener: TLS with reloading when files are given, else plaintext h2c. */
export function serverCredentials(files: TlsFiles | undefined, logger: Logger): ServerTls {
  if (!files) return { credentials: ServerCredentials.createInsecure(), close() {} };
  const provider = new CertificateFiles(files, logger);
  // The provider whose identity certificate is served goes first; no client certificates.
  const credentials = grpcExperimental.createCertificateProviderServerCredentials(provider, null, false);
  return { credentials, close: () => provider.close() };
}
