// Tables for `kubespanctl get <resource>`, one row per Talos resource.
import type {
  Affiliate,
  EndpointRecord,
  Identity,
  Member,
  PeerSpec,
  PeerStatus,
} from "../../gen/kubespan/v1/api.js";
import type { RenderContext } from "./context.js";
import { renderPeersTable } from "./peers.js";
import { cell, renderTable } from "./table.js";

const list = (items: readonly string[]) => cell(items.join(","));

function tableOrNone(kind: string, headers: string[], rows: string[][]): string {
  return rows.length === 0 ? `No ${kind} found.\n` : renderTable(headers, rows);
}

export function renderIdentity(identity: Identity): string {
  return renderTable(
    ["NODE ID", "ADDRESS", "SUBNET", "PUBLIC KEY"],
    [[cell(identity.nodeId), cell(identity.address), cell(identity.subnet), cell(identity.publicKey)]],
  );
}

export function renderAffiliates(items: readonly Affiliate[], raw: boolean): string {
  const headers = ["ID", "HOSTNAME", "MACHINE TYPE", "OS", "ADDRESSES", "KUBESPAN ADDRESS"];
  const rows = items.map((a) => {
    const row = [
      a.id,
      cell(a.hostname),
      cell(a.machineType),
      cell(a.operatingSystem),
      list(a.addresses),
      cell(a.kubespanAddress),
    ];
    return raw ? [cell(a.source), ...row] : row;
  });
  return tableOrNone("affiliates", raw ? ["SOURCE", ...headers] : headers, rows);
}

export function renderMembers(items: readonly Member[]): string {
  const rows = items.map((m) => [
    m.id,
    cell(m.hostname),
    cell(m.machineType),
    cell(m.operatingSystem),
    list(m.addresses),
  ]);
  return tableOrNone("members", ["ID", "HOSTNAME", "MACHINE TYPE", "OS", "ADDRESSES"], rows);
}

export function renderPeerStatuses(items: readonly PeerStatus[], ctx: RenderContext): string {
  return items.length === 0 ? "No peers found.\n" : renderPeersTable(items, ctx);
}

export function renderPeerSpecs(items: readonly PeerSpec[]): string {
  const rows = items.map((p) => [
    cell(p.label),
    p.publicKey,
    cell(p.address),
    list(p.allowedIps),
    list(p.endpoints),
  ]);
  return tableOrNone("peer specs", ["LABEL", "PUBLIC KEY", "ADDRESS", "ALLOWED IPS", "ENDPOINTS"], rows);
}

export function renderEndpoints(items: readonly EndpointRecord[]): string {
  const rows = items.map((e) => [e.affiliateId, e.endpoint, cell(e.source)]);
  return tableOrNone("endpoints", ["AFFILIATE", "ENDPOINT", "SOURCE"], rows);
}
