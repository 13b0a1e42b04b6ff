// Loads the node identity from the state directory, creating what is missing
// (kubespan-node spec §2.4, §3). Guarantees:
// - the directory is 0700 and the files 0600 (they hold the private key);
// - a file is never seen half-written: content goes to a temporary file,
//   is fsynced, then hard-linked into place (first creation, which fails if
//   the file appeared meanwhile) or renamed over it (updates);
// - an existing file that cannot be read or parsed is an error naming it,
//   never a reason to generate a new identity;
// - the KubeSpan address is pinned in the file while the cluster ID stays the
//   same; when the cluster ID changes, the address moves to the new /64 and
//   keeps its interface ID (so a random-MAC node stays stable too).
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syncDirectory, temporaryPath, writeNewFile } from "../util/atomic-file.js";
import { IdentityError } from "./errors.js";
import {
  formatKubeSpanIdentity,
  formatNodeIdentity,
  KUBESPAN_IDENTITY_FILE,
  type KubeSpanIdentityRecord,
  NODE_IDENTITY_FILE,
  parseKubeSpanIdentity,
  parseNodeIdentity,
} from "./files.js";
import { Identity } from "./identity.js";
import { generateKeyPair } from "./keys.js";
import { chooseMac as chooseMacFromSysfs, type MacChoice } from "./mac.js";
import { generateNodeId, machineIdFromNodeId } from "./node-id.js";
import { addressInSubnet, clusterSubnet, nodeAddress } from "./ula.js";

export interface IdentityStoreOptions {
  /** Proposed default: /var/lib/kubespan. */
  stateDir: string;
  /** The cluster ID string as configured; it decides the /64. */
  clusterId: string;
  /** Picks the MAC when no address is pinned yet. Default: from /sys/class/net. */
  chooseMac?: () => Promise<MacChoice>;
  /** Randomness for the node ID and the keys. Default: node:crypto randomBytes. */
  random?: (n: number) => Buffer;
}

export async function loadOrCreateIdentity(options: IdentityStoreOptions): Promise<Identity> {
  const nodeId = await loadOrCreateNodeId(options.stateDir, options.random);
  const kubespan = await loadOrCreateKubeSpanIdentity(options);
  return new Identity({
    nodeId,
    machineId: machineIdFromNodeId(nodeId),
    privateKey: kubespan.privateKey,
    publicKey: kubespan.publicKey,
    address: kubespan.pinned.address,
    subnet: kubespan.pinned.subnet,
    macSource: kubespan.macSource ?? "unknown",
  });
}

/** The node ID alone, for when KubeSpan is disabled. */
export async function loadOrCreateNodeId(
  stateDir: string,
  random: (n: number) => Buffer = randomBytes,
): Promise<string> {
  await ensureStateDir(stateDir);
  const file = join(stateDir, NODE_IDENTITY_FILE);
  const text = await readOrCreate(file, async () => formatNodeIdentity(generateNodeId(random)));
  return parseNodeIdentity(text, file);
}

type PinnedRecord = KubeSpanIdentityRecord & { pinned: NonNullable<KubeSpanIdentityRecord["pinned"]> };

async function loadOrCreateKubeSpanIdentity(options: IdentityStoreOptions): Promise<PinnedRecord> {
  const { stateDir, clusterId } = options;
  const chooseMac = options.chooseMac ?? (() => chooseMacFromSysfs());
  await ensureStateDir(stateDir);
  const file = join(stateDir, KUBESPAN_IDENTITY_FILE);
  const text = await readOrCreate(file, async () => {
    const fresh = { ...generateKeyPair(options.random), pinned: undefined, macSource: undefined };
    return formatKubeSpanIdentity((await pinAddress(fresh, clusterId, chooseMac)).record);
  });
  const { record, changed } = await pinAddress(parseKubeSpanIdentity(text, file), clusterId, chooseMac);
  if (changed) await replaceFile(file, formatKubeSpanIdentity(record));
  return record;
}

/** Places the address in this cluster's /64; `changed` says whether to rewrite the file. */
async function pinAddress(
  record: KubeSpanIdentityRecord,
  clusterId: string,
  chooseMac: () => Promise<MacChoice>,
): Promise<{ record: PinnedRecord; changed: boolean }> {
  const subnet = clusterSubnet(clusterId);
  const current = record.pinned;
  if (current?.subnet.equals(subnet)) return { record: { ...record, pinned: current }, changed: false };
  if (current) {
    const iid = current.address.toBytes().subarray(8);
    return {
      record: { ...record, pinned: { subnet, address: addressInSubnet(subnet, iid) } },
      changed: true,
    };
  }
  const mac = await chooseMac();
  const pinned = { subnet, address: nodeAddress(subnet, mac.mac) };
  return { record: { ...record, pinned, macSource: mac.source }, changed: true };
}

async function ensureStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const info = await stat(dir);
    if (!info.isDirectory()) throw new IdentityError("state directory path is not a directory", dir);
    // The directory holds the private key: tighten a pre-existing one.
    if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw new IdentityError(`cannot prepare state directory: ${describe(err)}`, dir);
  }
}

/** The file's content; when absent, creates it exclusively with `create()`. */
async function readOrCreate(file: string, create: () => Promise<string>): Promise<string> {
  const existing = await readOptional(file);
  if (existing !== undefined) return existing;
  const content = await create();
  if (await createExclusive(file, content)) return content;
  // Another process created it between our read and our link: theirs wins.
  const theirs = await readOptional(file);
  if (theirs === undefined) throw new IdentityError("file vanished while it was being created", file);
  return theirs;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined;
    throw new IdentityError(`cannot read identity file: ${describe(err)}`, file);
  }
}

/** False when `file` already exists. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const temp = await writeTemp(file, content);
  try {
    await link(temp, file);
    return true;
  } catch (err) {
    if (errorCode(err) === "EEXIST") return false;
    throw new IdentityError(`cannot create identity file: ${describe(err)}`, file);
  } finally {
    await unlink(temp).catch(() => undefined);
    await syncDir(dirname(file));
  }
}

async function replaceFile(file: string, content: string): Promise<void> {
  const temp = await writeTemp(file, content);
  try {
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new IdentityError(`cannot update identity file: ${describe(err)}`, file);
  }
  await syncDir(dirname(file));
}

async function writeTemp(file: string, content: string): Promise<string> {
  const temp = temporaryPath(file);
  try {
    await writeNewFile(temp, content, 0o600);
    return temp;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new IdentityError(`cannot write identity file: ${describe(err)}`, file);
  }
}

/** Makes the directory entry durable, not just the file data. */
async function syncDir(dir: string): Promise<void> {
  try {
    await syncDirectory(dir);
  } catch (err) {
    throw new IdentityError(`cannot sync state directory: ${describe(err)}`, dir);
  }
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function describe(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err));
}
