// The resources `kubespanctl get` knows, named as in Talos, with the singular,
// plural and Talos-prefixed spellings people are likely to type.
import {
  AffiliateList,
  EndpointList,
  Identity,
  MemberList,
  PeerSpecList,
  PeerStatusList,
} from "../gen/kubespan/v1/api.js";
import type { DaemonClient } from "./daemon.js";
import type { RenderContext } from "./render/context.js";
import {
  renderAffiliates,
  renderEndpoints,
  renderIdentity,
  renderMembers,
  renderPeerSpecs,
  renderPeerStatuses,
} from "./render/resources.js";

export type ResourceKind = "identity" | "affiliates" | "members" | "peers" | "peerspecs" | "endpoints";

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  "identity",
  "affiliates",
  "members",
  "peers",
  "peerspecs",
  "endpoints",
];

const ALIASES: Record<ResourceKind, readonly string[]> = {
  identity: ["identities", "kubespanidentity", "kubespanidentities"],
  affiliates: ["affiliate"],
  members: ["member"],
  peers: ["peer", "peerstatus", "peerstatuses", "kubespanpeerstatus", "kubespanpeerstatuses"],
  peerspecs: ["peerspec", "kubespanpeerspec", "kubespanpeerspecs"],
  endpoints: ["endpoint", "kubespanendpoint", "kubespanendpoints"],
};

export function resolveResource(name: string): ResourceKind | undefined {
  const wanted = name.toLowerCase();
  return RESOURCE_KINDS.find((kind) => kind === wanted || ALIASES[kind].includes(wanted));
}

/** A fetched resource, ready to print either way. */
export interface Fetched {
  json: unknown;
  table(ctx: RenderContext): string;
}

export async function fetchResource(
  client: DaemonClient,
  kind: ResourceKind,
  raw: boolean,
): Promise<Fetched> {
  switch (kind) {
    case "identity": {
      const identity = await client.identity();
      return { json: Identity.toJSON(identity), table: () => renderIdentity(identity) };
    }
    case "affiliates": {
      const items = await client.affiliates(raw);
      return { json: AffiliateList.toJSON({ items }), table: () => renderAffiliates(items, raw) };
    }
    case "members": {
      const items = await client.members();
      return { json: MemberList.toJSON({ items }), table: () => renderMembers(items) };
    }
    case "peers": {
      const items = await client.peerStatuses();
      return { json: PeerStatusList.toJSON({ items }), table: (ctx) => renderPeerStatuses(items, ctx) };
    }
    case "peerspecs": {
      const items = await client.peerSpecs();
      return { json: PeerSpecList.toJSON({ items }), table: () => renderPeerSpecs(items) };
    }
    case "endpoints": {
      const items = await client.endpoints();
      return { json: EndpointList.toJSON({ items }), table: () => renderEndpoints(items) };
    }
  }
}
