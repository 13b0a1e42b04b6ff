// Raw affiliate records → one merged affiliate per node (kubespan-node §5.2).
//
// Records for one node come from several registries (Kubernetes, each
// discovery service). They are merged in ascending raw-record ID order so the
// result does not depend on arrival order and `k8s/…` comes before `service…`,
// as in Talos.
import type { Affiliate, KubeSpanInfo } from "./affiliate.js";
import { compareUtf8 } from "./order.js";

export interface RawAffiliate {
  /** Raw-record ID, e.g. `k8s/<node id>` or `service:<name>/<node id>`. */
  id: string;
  /** The registry the record came from, e.g. `k8s` or `service:<name>`. */
  source: string;
  affiliate: Affiliate;
}

export interface MergedAffiliate extends Affiliate {
  /** Registries that contributed, in merge order. */
  sources: string[];
}

/**
 * Merges raw records by node ID. A Map is keyed by raw-record ID; its source is
 * taken to be the ID up to the last `/`. The result is sorted by node ID; a
 * node without records has no merged affiliate.
 */
export function mergeAffiliates(
  raw: ReadonlyMap<string, Affiliate> | readonly RawAffiliate[],
): MergedAffiliate[] {
  const records = isRecordList(raw)
    ? raw
    : [...raw].map(([id, affiliate]) => ({ id, source: sourceOf(id), affiliate }));
  const byNode = new Map<string, RawAffiliate[]>();
  for (const record of records) {
    const group = byNode.get(record.affiliate.nodeId);
    if (group) group.push(record);
    else byNode.set(record.affiliate.nodeId, [record]);
  }
  const merged: MergedAffiliate[] = [];
  for (const group of byNode.values()) {
    group.sort((a, b) => compareUtf8(a.id, b.id));
    const [base, ...rest] = group;
    const result: MergedAffiliate = { ...copyAffiliate(base!.affiliate), sources: [base!.source] };
    for (const record of rest) {
      mergeInto(result, record.affiliate);
      if (!result.sources.includes(record.source)) result.sources.push(record.source);
    }
    merged.push(result);
  }
  return merged.sort((a, b) => compareUtf8(a.nodeId, b.nodeId));
}

function isRecordList(
  raw: ReadonlyMap<string, Affiliate> | readonly RawAffiliate[],
): raw is readonly RawAffiliate[] {
  return Array.isArray(raw);
}

function sourceOf(rawId: string): string {
  const slash = rawId.lastIndexOf("/");
  return slash < 0 ? rawId : rawId.slice(0, slash);
}

function mergeInto(target: Affiliate, other: Affiliate): void {
  appendMissing(target.addresses, other.addresses, sameValue);
  if (other.hostname !== "") target.hostname = other.hostname;
  if (other.nodename !== "") target.nodename = other.nodename;
  // Talos never merges the OS; treating it like the hostname keeps it current.
  if (other.operatingSystem !== "") target.operatingSystem = other.operatingSystem;
  if (other.machineType !== "unknown") target.machineType = other.machineType;
  if (other.controlPlane) target.controlPlane = { ...other.controlPlane };
  appendMissing(target.invalid, other.invalid, sameText);
  if (!other.kubespan) return;
  if (!target.kubespan) {
    target.kubespan = copyKubeSpan(other.kubespan);
    return;
  }
  const ks = target.kubespan;
  if (other.kubespan.publicKey !== "") ks.publicKey = other.kubespan.publicKey;
  if (other.kubespan.address) ks.address = other.kubespan.address;
  appendMissing(ks.additionalAddresses, other.kubespan.additionalAddresses, sameValue);
  appendMissing(ks.excludedNetworks, other.kubespan.excludedNetworks, sameValue);
  appendMissing(ks.endpoints, other.kubespan.endpoints, sameValue);
}

/** Ordered union: appends the items of `extra` not already in `list`. */
function appendMissing<T>(list: T[], extra: readonly T[], same: (a: T, b: T) => boolean): void {
  for (const item of extra) {
    if (!list.some((seen) => same(seen, item))) list.push(item);
  }
}

const sameValue = <T extends { equals(other: T): boolean }>(a: T, b: T) => a.equals(b);
const sameText = (a: string, b: string) => a === b;

function copyAffiliate(a: Affiliate): Affiliate {
  return {
    ...a,
    addresses: [...a.addresses],
    kubespan: a.kubespan ? copyKubeSpan(a.kubespan) : undefined,
    controlPlane: a.controlPlane ? { ...a.controlPlane } : undefined,
    invalid: [...a.invalid],
  };
}

function copyKubeSpan(ks: KubeSpanInfo): KubeSpanInfo {
  return {
    ...ks,
    additionalAddresses: [...ks.additionalAddresses],
    excludedNetworks: [...ks.excludedNetworks],
    endpoints: [...ks.endpoints],
  };
}
