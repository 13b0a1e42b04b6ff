// Builds domain affiliates from short text fields for table-driven tests.
import type { Affiliate, MachineType } from "../../src/cluster/affiliate.js";
import { emptyAffiliate } from "../../src/cluster/affiliate.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

export interface AffiliateSketch {
  addresses?: string[];
  hostname?: string;
  nodename?: string;
  machineType?: MachineType;
  operatingSystem?: string;
  apiServerPort?: number;
  invalid?: string[];
  kubespan?: {
    publicKey?: string;
    address?: string;
    additionalAddresses?: string[];
    excludedNetworks?: string[];
    endpoints?: string[];
  };
}

export function makeAffiliate(nodeId: string, sketch: AffiliateSketch = {}): Affiliate {
  const ks = sketch.kubespan;
  return {
    ...emptyAffiliate(nodeId),
    addresses: (sketch.addresses ?? []).map((s) => IP.parse(s)),
    hostname: sketch.hostname ?? "",
    nodename: sketch.nodename ?? "",
    machineType: sketch.machineType ?? "unknown",
    operatingSystem: sketch.operatingSystem ?? "",
    controlPlane: sketch.apiServerPort === undefined ? undefined : { apiServerPort: sketch.apiServerPort },
    invalid: [...(sketch.invalid ?? [])],
    kubespan: ks && {
      publicKey: ks.publicKey ?? "",
      address: ks.address === undefined ? undefined : IP.parse(ks.address),
      additionalAddresses: (ks.additionalAddresses ?? []).map((s) => Prefix.parse(s)),
      excludedNetworks: (ks.excludedNetworks ?? []).map((s) => Prefix.parse(s)),
      endpoints: (ks.endpoints ?? []).map((s) => Endpoint.parse(s)),
    },
  };
}

/** A canonical-looking WireGuard public key derived from a small number. */
export function testKey(n: number): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(n, 0);
  bytes[31] = 0x42;
  return bytes.toString("base64");
}
