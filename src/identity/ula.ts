// The cluster's KubeSpan ULA /64 and the node address in it
// (kubespan-node spec §3.2, §3.3).
import { createHash } from "node:crypto";
import { IP, Prefix } from "../net/ip.js";
import { IdentityError } from "./errors.js";

/** Byte 7 of a Talos ULA names its purpose; 0x02 is KubeSpan. */
export const KUBESPAN_ULA_PURPOSE = 0x02;

/**
 * fdXX:XXXX:XXXX:XX02::/64 from SHA-256 of the cluster ID string exactly as
 * configured (never base64-decoded): bytes 1–6 are hash bytes 17–22.
 */
export function clusterSubnet(clusterId: string): Prefix {
  const hash = createHash("sha256").update(clusterId, "utf8").digest();
  const bytes = Buffer.alloc(16);
  hash.copy(bytes, 0, 16, 24);
  bytes[0] = 0xfd;
  bytes[7] = KUBESPAN_ULA_PURPOSE;
  return Prefix.of(IP.fromBytes(bytes)!, 64);
}

/**
 * Modified EUI-64 interface identifier: flip the universal/local bit and, for
 * a 6-byte MAC, insert ff:fe in the middle. An 8-byte MAC (EUI-64) is only
 * flipped. Throws IdentityError for any other length.
 */
export function interfaceId(mac: Uint8Array): Buffer {
  let id: Buffer;
  if (mac.length === 6) id = Buffer.from([...mac.subarray(0, 3), 0xff, 0xfe, ...mac.subarray(3)]);
  else if (mac.length === 8) id = Buffer.from(mac);
  else throw new IdentityError(`a MAC must be 6 or 8 bytes to form an interface ID, got ${mac.length}`);
  id[0] = (id[0] ?? 0) ^ 0x02;
  return id;
}

/** The address made of the /64's first half and the interface ID. */
export function addressInSubnet(subnet: Prefix, iid: Uint8Array): IP {
  if (subnet.family !== 6 || subnet.bits !== 64) {
    throw new IdentityError(`KubeSpan subnet must be an IPv6 /64, got ${subnet}`);
  }
  if (iid.length !== 8) throw new IdentityError(`an interface ID is 8 bytes, got ${iid.length}`);
  const bytes = subnet.masked().ip.toBytes();
  bytes.set(iid, 8);
  return IP.fromBytes(bytes)!;
}

/** The node's KubeSpan address: modified EUI-64 of `mac` inside the cluster /64. */
export function nodeAddress(subnet: Prefix, mac: Uint8Array): IP {
  return addressInSubnet(subnet, interfaceId(mac));
}
