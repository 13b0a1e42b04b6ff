// The tiny authenticated UDP echo that detects a dead path through the
// tunnel within seconds. Packets are 40 bytes:
//   magic "KSP1" (4) | kind (1: 1 request, 2 reply) | reserved (3) |
//   id (8) | sent-at ms (8) | HMAC-SHA256 truncated to 16 bytes over the first 24.
// The key is derived from the cluster secret, so only cluster members can
// make a node answer, and a reply proves the peer (not a middlebox) saw it.
import { createHmac, timingSafeEqual } from "node:crypto";

export const PROBE_PACKET_BYTES = 40;
const MAGIC = Buffer.from("KSP1");
const BODY = 24;

export type ProbeKind = "request" | "reply";

export interface ProbePacket {
  kind: ProbeKind;
  id: bigint;
  sentAt: number;
}

/** Separates the probe key from the other uses of the cluster secret. */
export function deriveProbeKey(clusterSecret: Uint8Array): Buffer {
  return createHmac("sha256", clusterSecret).update("kubespan-node probe v1").digest();
}

export function encodeProbe(key: Uint8Array, packet: ProbePacket): Buffer {
  return sign(key, packet.kind === "request" ? 1 : 2, packet.id, packet.sentAt);
}

/** Builds a signed packet with any kind byte; exported for tests of the decoder. */
export function sign(key: Uint8Array, kindByte: number, id: bigint, sentAt: number): Buffer {
  const out = Buffer.alloc(PROBE_PACKET_BYTES);
  MAGIC.copy(out, 0);
  out[4] = kindByte;
  out.writeBigUInt64BE(id & 0xffffffffffffffffn, 8);
  out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(sentAt))), 16);
  mac(key, out.subarray(0, BODY)).copy(out, BODY);
  return out;
}

/** Returns undefined for anything that is not a well-formed, authentic probe. */
export function decodeProbe(key: Uint8Array, data: Uint8Array): ProbePacket | undefined {
  if (data.length !== PROBE_PACKET_BYTES) return undefined;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (!buf.subarray(0, 4).equals(MAGIC)) return undefined;
  if (!timingSafeEqual(mac(key, buf.subarray(0, BODY)), buf.subarray(BODY))) return undefined;
  const kind = buf[4] === 1 ? "request" : buf[4] === 2 ? "reply" : undefined;
  if (!kind) return undefined;
  return { kind, id: buf.readBigUInt64BE(8), sentAt: Number(buf.readBigUInt64BE(16)) };
}

function mac(key: Uint8Array, body: Uint8Array): Buffer {
  return createHmac("sha256", key).update(body).digest().subarray(0, 16);
}
