// The two identity files, in Talos's format (kubespan-node spec §2.4, §3.1):
//
//   node-identity.yaml       nodeId: <base62 id>
//   kubespan-identity.yaml   address, subnet, privateKey, publicKey
//                            (+ macSource, which Talos does not have)
//
// Talos writes `address` and `subnet` empty and recomputes them on every
// boot; we fill them in to pin the address, and accept Talos's empty form.
// Parsing is pure and strict: anything unexpected is an IdentityError naming
// the file, so a damaged identity is never silently replaced. Messages never
// quote file content, since kubespan-identity.yaml holds the private key.
import { parseDocument, stringify } from "yaml";
import { type IP, Prefix } from "../net/ip.js";
import { IdentityError } from "./errors.js";
import { decodeKey32, publicKeyFromPrivate } from "./keys.js";
import { machineIdFromNodeId } from "./node-id.js";

export const NODE_IDENTITY_FILE = "node-identity.yaml";
export const KUBESPAN_IDENTITY_FILE = "kubespan-identity.yaml";

export interface KubeSpanIdentityRecord {
  privateKey: string;
  publicKey: string;
  /** The pinned /128 and its /64; both undefined in a Talos-written file. */
  pinned: { address: IP; subnet: Prefix } | undefined;
  /** Where the interface ID came from: "device:<if>", "ethernet:<if>" or "random". */
  macSource: string | undefined;
}

/** Returns the node ID; it must be non-empty base62 that yields a machine-id. */
export function parseNodeIdentity(text: string, file: string): string {
  const fields = parseMapping(text, file);
  const nodeId = stringField(fields, "nodeId", file);
  if (nodeId === "") throw new IdentityError("nodeId is missing or empty", file);
  try {
    machineIdFromNodeId(nodeId);
  } catch (err) {
    throw new IdentityError(`nodeId is not a valid node ID: ${(err as Error).message}`, file);
  }
  return nodeId;
}

export function formatNodeIdentity(nodeId: string): string {
  return stringify({ nodeId });
}

export function parseKubeSpanIdentity(text: string, file: string): KubeSpanIdentityRecord {
  const fields = parseMapping(text, file);
  const privateKey = stringField(fields, "privateKey", file);
  if (!decodeKey32(privateKey)) {
    throw new IdentityError("privateKey must be standard base64 (with padding) of 32 bytes", file);
  }
  const publicKey = stringField(fields, "publicKey", file);
  if (publicKey !== publicKeyFromPrivate(privateKey)) {
    throw new IdentityError("publicKey is missing or does not belong to privateKey", file);
  }
  const macSource = stringField(fields, "macSource", file);
  return {
    privateKey,
    publicKey,
    pinned: parsePinned(stringField(fields, "address", file), stringField(fields, "subnet", file), file),
    macSource: macSource === "" ? undefined : macSource,
  };
}

export function formatKubeSpanIdentity(record: KubeSpanIdentityRecord): string {
  return stringify({
    // Talos types `address` as a prefix, so it is written as the /128.
    address: record.pinned ? Prefix.host(record.pinned.address).toString() : "",
    subnet: record.pinned ? record.pinned.subnet.toString() : "",
    privateKey: record.privateKey,
    publicKey: record.publicKey,
    ...(record.macSource === undefined ? {} : { macSource: record.macSource }),
  });
}

function parsePinned(address: string, subnet: string, file: string): KubeSpanIdentityRecord["pinned"] {
  if (address === "" && subnet === "") return undefined;
  if (address === "" || subnet === "") {
    throw new IdentityError("address and subnet must be both set or both empty", file);
  }
  const ip = parseAddress(address);
  if (!ip)
    throw new IdentityError(
      `address: expected an IPv6 address or /128, found ${JSON.stringify(address)}`,
      file,
    );
  const prefix = parseSubnet(subnet);
  if (!prefix) throw new IdentityError(`subnet: expected an IPv6 /64, found ${JSON.stringify(subnet)}`, file);
  if (!prefix.contains(ip)) throw new IdentityError(`address ${ip} is outside subnet ${prefix}`, file);
  return { address: ip, subnet: prefix };
}

function parseAddress(text: string): IP | undefined {
  const prefix = tryPrefix(text);
  return prefix && prefix.family === 6 && prefix.bits === 128 ? prefix.ip : undefined;
}

function parseSubnet(text: string): Prefix | undefined {
  const prefix = tryPrefix(text);
  return prefix && prefix.family === 6 && prefix.bits === 64 && prefix.equals(prefix.masked())
    ? prefix
    : undefined;
}

function tryPrefix(text: string): Prefix | undefined {
  try {
    return Prefix.parse(text);
  } catch {
    return undefined;
  }
}

// The failsafe schema reads every scalar as a string, so an ID that happens
// to look like a number or a boolean stays text.
function parseMapping(text: string, file: string): Map<string, unknown> {
  const doc = parseDocument(text, { schema: "failsafe", uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    throw new IdentityError(
      `not valid YAML${where} (${error.code}); the file may be truncated or corrupt`,
      file,
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) throw new IdentityError("file is empty", file);
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new IdentityError("expected a YAML mapping of keys to values", file);
  }
  return new Map(Object.entries(value));
}

/** A string field; absent means "". */
function stringField(fields: Map<string, unknown>, key: string, file: string): string {
  const value = fields.get(key);
  if (value === undefined) return "";
  if (typeof value !== "string") throw new IdentityError(`${key} must be a plain string`, file);
  return value;
}
