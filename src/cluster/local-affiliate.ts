// Builds this node's own affiliate (kubespan-node §4.2) from local facts.
import type { IP, Prefix } from "../net/ip.js";
import type { Affiliate, MachineType } from "./affiliate.js";

export interface LocalAffiliateInputs {
  nodeId: string;
  /** FQDN when a domain is known. */
  hostname: string;
  nodename: string;
  machineType: MachineType;
  operatingSystem: string;
  /** Published addresses, already selected (src/cluster/local-addresses.ts). */
  addresses: readonly IP[];
  /** Present when KubeSpan is enabled and the identity exists. */
  kubespan?: {
    publicKey: string;
    address: IP;
    /** Pod CIDRs, only with advertiseKubernetesNetworks. */
    additionalAddresses: readonly Prefix[];
    /** Published for peers to subtract; kept locally only while the wire field is unverified. */
    excludedNetworks: readonly Prefix[];
  };
  apiServerPort?: number | undefined;
}

export function buildLocalAffiliate(inputs: LocalAffiliateInputs): Affiliate {
  const isControlPlane = inputs.machineType === "controlplane" || inputs.machineType === "init";
  return {
    nodeId: inputs.nodeId,
    addresses: [...inputs.addresses],
    hostname: inputs.hostname,
    nodename: inputs.nodename,
    machineType: inputs.machineType,
    operatingSystem: inputs.operatingSystem,
    kubespan: inputs.kubespan
      ? {
          publicKey: inputs.kubespan.publicKey,
          address: inputs.kubespan.address,
          additionalAddresses: inputs.kubespan.additionalAddresses.map((p) => p.masked()),
          excludedNetworks: [...inputs.kubespan.excludedNetworks],
          endpoints: [],
        }
      : undefined,
    controlPlane:
      isControlPlane && inputs.apiServerPort ? { apiServerPort: inputs.apiServerPort } : undefined,
    invalid: [],
  };
}
