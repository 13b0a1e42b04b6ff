// One reconcile pass as a pure function: local facts, discovered affiliates
// and the observed WireGuard device in; what to publish, the peer decisions
// and the desired host state out. The daemon (daemon.ts) gathers the inputs
// and carries out the outputs; everything that decides lives here.
import type { Affiliate } from "../cluster/affiliate.js";
import { type HarvestReport, harvestReports } from "../cluster/harvest.js";
import { type HostAddress, selectLocalAddresses } from "../cluster/local-addresses.js";
import { buildLocalAffiliate } from "../cluster/local-affiliate.js";
import { localEndpoints } from "../cluster/local-endpoints.js";
import { type MergedAffiliate, mergeAffiliates, type RawAffiliate } from "../cluster/merge.js";
import type { Config } from "../config/index.js";
import type { LocalPayload } from "../discovery/local-payload.js";
import { buildHostPlan, type HostPlan, type HostSettings } from "../host/plan.js";
import type { ObservedDevice } from "../host/wireguard/types.js";
import type { Identity } from "../identity/identity.js";
import { computePeerSpecs, type PeerSpec, type Rejection } from "../mesh/peer-spec.js";
import {
  createPeerTracker,
  type Decision,
  type Observation,
  type PeerTracker,
  probeOrder,
  step,
} from "../mesh/peer-tracker.js";
import { PrefixOwners } from "../mesh/prefix-owners.js";
import { routedPrefixes } from "../mesh/routed-set.js";
import type { Endpoint, IP } from "../net/ip.js";
import { claimPolicy, endpointFilterRules, excludedFromPublishing, peerEndpointsFilter } from "./settings.js";

/** Marks our own daemons in the affiliate's OS string: only they answer probes. */
export const PROBE_CAPABLE_MARKER = "(kubespan-node ";
/** Probes per second across all peers, whatever the mesh size. */
export const PROBE_BUDGET_PER_SECOND = 200;

export interface PassInputs {
  now: number;
  config: Config;
  settings: HostSettings;
  identity: Identity;
  /** The cluster secret as a WireGuard key (base64): every peer's PSK. */
  presharedKey: string;
  hostname: string;
  operatingSystem: string;
  hostAddresses: readonly HostAddress[];
  publicIP: IP | undefined;
  raw: readonly RawAffiliate[];
  /** undefined before the device exists. */
  device: ObservedDevice | undefined;
  /** Outcome of the probe sent to each peer's KubeSpan address at an earlier pass. */
  probeOk: (address: IP) => boolean | undefined;
  trackers: ReadonlyMap<string, PeerTracker>;
  lastGood: ReadonlyMap<string, Endpoint>;
  previousHarvest: readonly HarvestReport[];
}

export interface PassResult {
  payload: LocalPayload;
  trimmedEndpoints: Endpoint[];
  merged: MergedAffiliate[];
  specs: PeerSpec[];
  rejections: Rejection[];
  trackers: Map<string, PeerTracker>;
  decisions: Map<string, Decision>;
  plan: HostPlan;
  harvest: HarvestReport[];
  /** KubeSpan addresses to probe now. */
  probes: IP[];
  nextCheckAt: number;
}

export function planPass(input: PassInputs): PassResult {
  const { config, identity } = input;
  const published = selectLocalAddresses(input.hostAddresses, {
    denyInterfaces: config.node.interfaceDenyList,
    kubespanInterface: config.kubespan.interface,
    excludedNetworks: excludedFromPublishing(config),
  });
  const underlay = published.filter((ip) => !ip.equals(identity.address));
  const local = localEndpoints({
    addresses: underlay,
    kubespanAddress: identity.address,
    ...(input.publicIP ? { publicIPs: [input.publicIP] } : {}),
    ...optional("filters", endpointFilterRules(config)),
    port: config.kubespan.port,
    extraEndpoints: config.kubespan.extraAnnouncedEndpoints,
  });

  const merged = mergeAffiliates([...input.raw]);
  const { specs, rejections } = config.kubespan.enabled
    ? computePeerSpecs(merged, identity.nodeId, claimPolicy(config, identity.subnet, published))
    : { specs: [], rejections: [] };

  const peers = stepPeers(input, specs, merged, underlay);
  const routed = routedPrefixes(
    specs,
    stateMap(peers.trackers),
    config.kubespan.allowDownPeerBypass,
    identity.subnet,
  );
  const plan = buildHostPlan(input.settings, {
    privateKey: identity.privateKey,
    presharedKey: input.presharedKey,
    address: identity.address,
    peers: specs.map((spec) => ({
      publicKey: spec.publicKey,
      endpoint: peers.decisions.get(spec.publicKey)?.setEndpoint,
      allowedIPs: spec.allowedIPs,
    })),
    routed,
  });

  const harvest = config.kubespan.harvestExtraEndpoints
    ? harvestReports(observedPeers(peers.trackers), merged, input.previousHarvest)
    : [];
  const affiliate = buildLocalAffiliate({
    nodeId: identity.nodeId,
    hostname: input.hostname,
    nodename: config.node.nodename,
    machineType: config.node.machineType,
    operatingSystem: input.operatingSystem,
    addresses: published,
    ...(config.kubespan.enabled
      ? {
          kubespan: {
            publicKey: identity.publicKey,
            address: identity.address,
            additionalAddresses: config.kubespan.advertiseKubernetesNetworks ? config.node.podCIDRs : [],
            excludedNetworks: config.kubespan.filters.excludeAdvertisedNetworks,
          },
        }
      : {}),
    apiServerPort: config.node.apiServerPort,
  });

  return {
    payload: {
      affiliate,
      endpoints: config.kubespan.enabled ? local.endpoints : [],
      others: harvest,
    },
    trimmedEndpoints: local.trimmed,
    merged,
    specs,
    rejections,
    ...peers,
    plan,
    harvest,
  };
}

function stepPeers(
  input: PassInputs,
  specs: readonly PeerSpec[],
  merged: readonly Affiliate[],
  underlay: IP[],
) {
  const { now, config, identity } = input;
  const devicePeers = new Map((input.device?.peers ?? []).map((p) => [p.publicKey, p]));
  const capable = new Set(
    merged
      .filter((a) => a.operatingSystem.includes(PROBE_CAPABLE_MARKER))
      .flatMap((a) => a.kubespan?.publicKey ?? []),
  );
  const localPrefixes = input.hostAddresses
    .filter((h) => underlay.some((ip) => ip.equals(h.address.ip)))
    .map((h) => h.address.masked());
  const owners = new PrefixOwners(specs);
  const filter = peerEndpointsFilter(config);
  // A candidate is reachable only through our own interface when it lies in
  // the KubeSpan /64 or in another peer's allowed IPs (tunnel-in-tunnel).
  const rulesFor = (publicKey: string) => ({
    routesViaKubeSpan: (ip: IP) =>
      identity.subnet.contains(ip) || (owners.ownerOf(ip) ?? publicKey) !== publicKey,
    ...(filter ? { peerEndpointsFilter: filter } : {}),
  });

  const existing = specs.map(
    (spec) =>
      input.trackers.get(spec.publicKey) ??
      createPeerTracker({
        publicKey: spec.publicKey,
        label: spec.label,
        ...optional("lastGood", input.lastGood.get(spec.publicKey)),
        now,
      }),
  );
  const byKey = new Map(specs.map((s) => [s.publicKey, s]));
  const trackers = new Map<string, PeerTracker>();
  const decisions = new Map<string, Decision>();
  const probes: IP[] = [];
  let budget = PROBE_BUDGET_PER_SECOND;
  let nextCheckAt = now + input.settings.keepaliveSeconds * 1000 + 5_000;
  for (const tracker of probeOrder(existing)) {
    const spec = byKey.get(tracker.publicKey)!;
    const device = devicePeers.get(spec.publicKey);
    const observation: Observation = {
      ...optional("endpoint", device?.endpoint),
      lastHandshake: device?.lastHandshakeMs ?? 0,
      rxBytes: Number(device?.rxBytes ?? 0n),
      txBytes: Number(device?.txBytes ?? 0n),
      probe: { capable: capable.has(spec.publicKey), ...optional("ok", input.probeOk(spec.address)) },
    };
    const out = step(
      tracker,
      observation,
      { candidates: spec.endpoints, localPrefixes, rules: rulesFor(spec.publicKey), probeBudget: budget },
      now,
    );
    trackers.set(spec.publicKey, out.tracker);
    decisions.set(spec.publicKey, out.decision);
    if (out.decision.probeDue) {
      budget--;
      probes.push(spec.address);
    }
    nextCheckAt = Math.min(nextCheckAt, out.decision.nextCheckAt);
  }
  return { trackers, decisions, probes, nextCheckAt };
}

function stateMap(trackers: ReadonlyMap<string, PeerTracker>) {
  return new Map([...trackers].map(([key, t]) => [key, { state: t.status.state }]));
}

function observedPeers(trackers: ReadonlyMap<string, PeerTracker>) {
  return [...trackers.values()].map((t) => ({
    publicKey: t.publicKey,
    state: t.status.state,
    endpoint: t.status.endpoint,
  }));
}

/** `{ key: value }` when value is defined, `{}` otherwise (exactOptionalPropertyTypes-friendly spreads). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
