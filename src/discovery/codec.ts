// Wire `sidero.discovery.client` messages ⇄ the domain Affiliate and Endpoint
// (discovery spec §2.2, §2.3; kubespan-node spec §4.7).
//
// Encoding goes through the generated encoders, which write fields in
// ascending order and omit defaults; for Endpoint that yields exactly the Go
// client's bytes, which server-side deduplication depends on (spec §5.3).
// Decoding never throws: malformed bytes give a CodecError result. Values that
// make Talos skip a peer are kept as reasons in `affiliate.invalid`, so overlap
// resolution matches Talos; IP lengths Talos cannot decode are dropped.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { type Affiliate, type KubeSpanInfo, parseMachineType } from "../cluster/affiliate.js";
import * as wire from "../gen/sidero/discovery/client/affiliate.js";
import { Endpoint, IP, Prefix } from "../net/ip.js";
import { err, ok, type Result } from "./crypto.js";

export type CodecErrorKind = "malformed-protobuf" | "invalid-endpoint" | "unencodable";

export class CodecError extends Error {
  override name = "CodecError";
  constructor(
    readonly kind: CodecErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function encodeAffiliate(affiliate: Affiliate): Buffer {
  return Buffer.from(wire.Affiliate.encode(affiliateToWire(affiliate)).finish());
}

export function decodeAffiliate(bytes: Uint8Array): Result<Affiliate, CodecError> {
  const decoded = decodeMessage(wire.Affiliate, AFFILIATE_SHAPE, bytes, "affiliate");
  return decoded.ok ? ok(affiliateFromWire(decoded.value)) : decoded;
}

/** Exactly `0a len ip` (when the IP is set) then `10 varint(port)` (when non-zero). */
export function encodeEndpoint(endpoint: Endpoint): Buffer {
  return Buffer.from(wire.Endpoint.encode({ ip: ipToWire(endpoint.ip), port: endpoint.port }).finish());
}

export function decodeEndpoint(bytes: Uint8Array): Result<Endpoint, CodecError> {
  const decoded = decodeMessage(wire.Endpoint, ENDPOINT_SHAPE, bytes, "endpoint");
  if (!decoded.ok) return decoded;
  const { ip: ipBytes, port } = decoded.value;
  const ip = IP.fromBytes(ipBytes);
  if (!ip) {
    return err(
      new CodecError("invalid-endpoint", `endpoint IP is ${ipBytes.length} bytes, expected 4 or 16`),
    );
  }
  // Talos truncates the port to 16 bits; dropping is safer than guessing.
  if (port < 1 || port > 65535) {
    return err(new CodecError("invalid-endpoint", `endpoint port ${port} is outside 1–65535`));
  }
  return ok(Endpoint.of(ip, port));
}

/** Go netip binary form. IPv4-mapped IPv6 is unmapped: IPv4 always travels as 4 bytes. */
function ipToWire(ip: IP): Buffer {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return IP.v4(ip.value & 0xffffffffn).toBytes();
  return ip.toBytes();
}

function affiliateToWire(a: Affiliate): wire.Affiliate {
  return {
    nodeId: a.nodeId,
    addresses: a.addresses.map(ipToWire),
    hostname: a.hostname,
    nodename: a.nodename,
    machineType: a.machineType,
    operatingSystem: a.operatingSystem,
    kubespan: a.kubespan && kubespanToWire(a.kubespan),
    controlPlane: a.controlPlane && { apiServerPort: a.controlPlane.apiServerPort },
  };
}

// Exclusions are never emitted: their field number is unverified (spec §2.4).
function kubespanToWire(k: KubeSpanInfo): wire.KubeSpan {
  if (!k.address) {
    // An empty KubeSpan address makes every Talos peer skip this node.
    throw new CodecError("unencodable", "cannot publish a KubeSpan section without a KubeSpan address");
  }
  return {
    publicKey: k.publicKey,
    address: ipToWire(k.address),
    additionalAddresses: k.additionalAddresses.map((p) => ({ ip: ipToWire(p.ip), bits: p.bits })),
  };
}

function affiliateFromWire(w: wire.Affiliate): Affiliate {
  const invalid: string[] = [];
  const addresses: IP[] = [];
  w.addresses.forEach((bytes, i) => {
    // Length 0 is Go's zero address, which Talos's IP-set builder rejects.
    if (bytes.length === 0) invalid.push(`addresses[${i}] is empty (the zero address)`);
    const ip = IP.fromBytes(bytes);
    if (ip) addresses.push(ip);
  });
  return {
    nodeId: w.nodeId,
    addresses,
    hostname: w.hostname,
    nodename: w.nodename,
    machineType: parseMachineType(w.machineType),
    operatingSystem: w.operatingSystem,
    kubespan: w.kubespan && kubespanFromWire(w.kubespan, invalid),
    controlPlane: w.controlPlane && { apiServerPort: w.controlPlane.apiServerPort },
    invalid,
  };
}

function kubespanFromWire(w: wire.KubeSpan, invalid: string[]): KubeSpanInfo {
  const address = IP.fromBytes(w.address);
  if (!address) {
    invalid.push(
      w.address.length === 0
        ? "kubespan.address is empty"
        : `kubespan.address is ${w.address.length} bytes, expected 4 or 16`,
    );
  }
  const additionalAddresses: Prefix[] = [];
  w.additionalAddresses.forEach(({ ip: ipBytes, bits }, i) => {
    const where = `kubespan.additional_addresses[${i}]`;
    const ip = IP.fromBytes(ipBytes);
    if (ipBytes.length === 0) invalid.push(`${where} has an empty IP`);
    else if (ip && bits > ip.bits) invalid.push(`${where} has /${bits}, wider than IPv${ip.family} allows`);
    else if (ip) additionalAddresses.push(Prefix.of(ip, bits));
  });
  return { publicKey: w.publicKey, address, additionalAddresses, excludedNetworks: [], endpoints: [] };
}

// Go's protobuf rejects invalid UTF-8 in proto3 strings, so we do too.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Which length-delimited fields hold nested messages, so their insides are checked too. */
type Shape = { readonly [field: number]: Shape };
const AFFILIATE_SHAPE: Shape = { 7: { 3: {} }, 8: {} };
const ENDPOINT_SHAPE: Shape = {};

function decodeMessage<T>(
  fns: { decode(input: BinaryReader): T },
  shape: Shape,
  bytes: Uint8Array,
  what: string,
): Result<T, CodecError> {
  try {
    checkStructure(new BinaryReader(bytes), bytes.length, shape);
    return ok(fns.decode(new BinaryReader(bytes, (b) => strictUtf8.decode(b))));
  } catch (e) {
    return err(
      new CodecError("malformed-protobuf", `${what}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
}

// The generated decoders stop quietly at a zero tag or a stray end-group and
// accept over-long varints in skipped fields, where Go's decoder fails. Walking
// the structure first makes such input an error instead of a partial message.
function checkStructure(reader: BinaryReader, end: number, shape: Shape): void {
  while (reader.pos < end) {
    const [field, wireType] = reader.tag(); // throws on field 0 and wire types 6 and 7
    const nested = shape[field];
    if (wireType === WireType.EndGroup) throw new Error(`unexpected end-group tag (field ${field})`);
    if (nested && wireType === WireType.LengthDelimited) {
      const length = reader.uint32();
      const nestedEnd = reader.pos + length;
      if (nestedEnd > end) throw new Error(`field ${field} runs past the end of its message`);
      checkStructure(reader, nestedEnd, nested);
    } else if (wireType === WireType.Varint) {
      reader.uint64(); // throws on over-long varints
    } else {
      reader.skip(wireType, field);
    }
  }
  if (reader.pos !== end) throw new Error("last field runs past the end of the message");
}
